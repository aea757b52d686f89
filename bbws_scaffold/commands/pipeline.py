"""``bbws-scaffold pipeline validate [REPO]``: the security/quality gate.

Exit codes: 0 nothing found, 1 findings, 2 the gate could not run (a tool is missing or failed;
the message says which and how to install it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bbws_scaffold.pipeline.gate import CHECK_NAMES, run_gate
from bbws_scaffold.pipeline.report import render, render_json


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
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--check",
        action="append",
        choices=CHECK_NAMES,
        metavar="NAME",
        help=f"run only this check (repeatable): {', '.join(CHECK_NAMES)}",
    )
    p.add_argument("--full", action="store_true", help="do not truncate long messages")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    result = run_gate(args.repo, checks=args.check)
    if args.json:
        print(render_json(result))
    else:
        text = render(result, full=args.full)
        if result.errors and not result.findings and not result.stats:
            print(text.strip(), file=sys.stderr)
        else:
            print(text)
    return result.exit_code
