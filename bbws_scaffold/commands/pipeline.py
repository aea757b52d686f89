"""``bbws-scaffold pipeline validate [REPO]``: the security/quality gate.

Exit codes: 0 nothing found, 1 findings, 2 the gate could not run (a tool is missing or failed;
the message says which and how to install it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bbws_scaffold.output import Output, add_output_arguments
from bbws_scaffold.pipeline.gate import CHECK_NAMES, run_gate
from bbws_scaffold.pipeline.report import render


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "validate",
        help="run the security/quality gate on a generated repo",
        description=(
            "Run terraform fmt, python-hcl2 + AWS provider schema, checkov, zizmor, actionlint, "
            "shellcheck, the BBWS workflow policy, bandit and detect-secrets on a generated "
            "service repo and print one table of findings. Exit 0 clean, 1 findings, "
            "2 the gate could not run. Install the tools with scripts/install-gate-tools.sh."
        ),
    )
    p.add_argument("repo", nargs="?", default=".", type=Path, help="generated repo (default: .)")
    p.add_argument(
        "--check",
        action="append",
        choices=CHECK_NAMES,
        metavar="NAME",
        help=f"run only this check (repeatable): {', '.join(CHECK_NAMES)}",
    )
    p.add_argument("--full", action="store_true", help="do not truncate long messages")
    add_output_arguments(p)
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    progress = out.progress("gate")
    try:
        result = run_gate(args.repo, checks=args.check, progress=progress)
    finally:
        progress.close()
    text = render(result, full=args.full)
    if result.errors and not result.findings and not result.stats:
        out.diag(text.strip())
    else:
        out.line(text)
    return out.finish(result.exit_code, result.to_dict())
