"""The quality gate: run every check on a generated repo, collect one result.

    from bbws_scaffold.pipeline.gate import run_gate
    result = run_gate(Path("2_bbws_cart_lambda"))
    result.findings        # sorted tuple of Finding(tool, file, line, rule, message)
    result.stats_for("checkov").summary()   # "checkov 3.3.30: 75 passed, 9 skipped, 0 failed (...)"
    result.exit_code       # 0 clean, 1 findings, 2 the gate could not run

Before anything runs, every external tool the selected checks need is
resolved (:mod:`.tools`); if one is missing the gate does not run at all and
``errors`` says which tool and how to install it (exit code 2). A tool that
crashes or prints something unparseable is also an error (exit 2), never a
silent pass. Checks run concurrently (they are mostly subprocesses).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from bbws_scaffold.output import Progress

from .checkov import check_checkov
from .findings import CheckOutput, GateError, GateResult, sort_findings
from .policy import check_policy
from .python_security import check_bandit, check_detect_secrets
from .schema import check_schema
from .syntax import check_syntax
from .terraform import check_fmt, check_parse
from .tf_offline import check_terraform_offline
from .tools import SPECS, ResolvedTool, ToolFailure, ToolMissing, resolve
from .workflows import check_actionlint, check_shellcheck, check_zizmor

Tools = dict[str, ResolvedTool]


def _hcl_and_schema(repo: Path, tools: Tools) -> list[CheckOutput]:
    parse_out, parsed = check_parse(repo)
    return [parse_out, check_schema(repo, parsed)]


@dataclass(frozen=True)
class Check:
    """One unit of work: ``names`` are the stats/tool names it produces."""

    names: tuple[str, ...]
    tools: tuple[str, ...]
    run: Callable[[Path, Tools], CheckOutput | list[CheckOutput]]


CHECKS: tuple[Check, ...] = (
    Check(("bbws-policy",), (), lambda repo, t: check_policy(repo)),
    Check(("syntax",), (), lambda repo, t: check_syntax(repo)),
    Check(("hcl2", "tf-schema"), (), _hcl_and_schema),
    Check(("terraform-fmt",), ("terraform",), lambda repo, t: check_fmt(repo, t["terraform"])),
    Check(
        ("terraform-validate", "terraform-plan"),
        ("terraform",),
        lambda repo, t: check_terraform_offline(repo, t["terraform"]),
    ),
    Check(("checkov",), ("checkov",), lambda repo, t: check_checkov(repo, t["checkov"])),
    Check(("zizmor",), ("zizmor",), lambda repo, t: check_zizmor(repo, t["zizmor"])),
    Check(("actionlint",), ("actionlint",), lambda repo, t: check_actionlint(repo, t["actionlint"])),
    Check(("shellcheck",), ("shellcheck",), lambda repo, t: check_shellcheck(repo, t["shellcheck"])),
    Check(("bandit",), ("bandit",), lambda repo, t: check_bandit(repo, t["bandit"])),
    Check(("detect-secrets",), ("detect-secrets",), lambda repo, t: check_detect_secrets(repo, t["detect-secrets"])),
)

#: Every name accepted by ``run_gate(checks=...)`` / ``--check``, in report order.
CHECK_NAMES: tuple[str, ...] = tuple(n for c in CHECKS for n in c.names)


def select_checks(names: Iterable[str] | None) -> list[Check]:
    if not names:
        return list(CHECKS)
    wanted = set(names)
    unknown = wanted - set(CHECK_NAMES)
    if unknown:
        raise ValueError(f"unknown check(s) {sorted(unknown)}; choose from {list(CHECK_NAMES)}")
    return [c for c in CHECKS if wanted & set(c.names)]


def resolve_tools(checks: Iterable[Check], cwd: Path | None = None) -> tuple[Tools, list[GateError]]:
    tools: Tools = {}
    errors: list[GateError] = []
    for name in sorted({t for c in checks for t in c.tools}):
        try:
            tools[name] = resolve(name, cwd)
        except ToolMissing as exc:
            errors.append(GateError(exc.tool, exc.message, exc.hint))
    return tools, errors


def run_gate(
    repo: Path,
    *,
    checks: Iterable[str] | None = None,
    max_workers: int = 4,
    progress: Progress | None = None,
) -> GateResult:
    """Run the gate on ``repo``. ``checks`` limits it to some of :data:`CHECK_NAMES`
    (the result lists which ran); by default everything runs. ``progress`` hears each check
    start and end."""
    progress = progress or Progress()
    start = time.monotonic()
    repo = Path(repo).expanduser().resolve()
    selected = select_checks(checks)
    ran = tuple(n for c in selected for n in c.names)
    if not repo.is_dir():
        return GateResult(str(repo), errors=(GateError("gate", f"{repo} is not a directory"),), checks=ran)
    tools, errors = resolve_tools(selected)
    if errors:
        return GateResult(str(repo), errors=tuple(errors), checks=ran, duration_s=time.monotonic() - start)

    def one(check: Check) -> tuple[Check, list[CheckOutput], GateError | None]:
        label = " + ".join(check.names)
        progress.start(label)
        try:
            out = check.run(repo, tools)
        except ToolFailure as exc:
            hint = SPECS[exc.tool].install_hint if exc.tool in SPECS else ""
            progress.done(label, "could not run")
            return check, [], GateError(exc.tool, exc.message, hint)
        except Exception as exc:  # a bug in a check must not look like a clean pass
            progress.done(label, "internal error")
            return check, [], GateError(check.names[0], f"internal error: {type(exc).__name__}: {exc}")
        outs = out if isinstance(out, list) else [out]
        found = sum(len(o.findings) for o in outs)
        progress.done(label, f"{found} finding{'s' if found != 1 else ''}")
        return check, outs, None

    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        results = list(pool.map(one, selected))

    outputs = [o for _, outs, _ in results for o in outs]
    errors = [e for _, _, e in results if e is not None]
    order = {n: i for i, n in enumerate(CHECK_NAMES)}
    stats = tuple(sorted((o.stats for o in outputs), key=lambda s: order.get(s.tool, 99)))
    return GateResult(
        str(repo),
        findings=sort_findings(f for o in outputs for f in o.findings),
        stats=stats,
        errors=tuple(errors),
        checks=ran,
        duration_s=time.monotonic() - start,
    )
