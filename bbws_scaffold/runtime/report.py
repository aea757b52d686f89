"""report: the deployment report in markdown (summary, timeline, verification, rollback status).

Built from this run's records (matched on the GitHub run id) and the smoke results file, written
to a file the workflow uploads as an artifact and appended to ``$GITHUB_STEP_SUMMARY``. Every
value is escaped for a markdown table cell, so no recorded string can break or inject the layout.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bbws_scaffold.runtime.records import ROLLED_BACK, SUCCEEDED, DeploymentRecord
from bbws_scaffold.runtime.smoke import Check

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def cell(value: object) -> str:
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text) or "–"


def render(service: str, env: str, records: list[DeploymentRecord], checks: list[Check]) -> str:
    """The report for ``records`` (any order; shown oldest first) and ``checks``."""
    timeline = sorted(records, key=lambda r: r.sk)
    failed_checks = [c for c in checks if not c.passed]
    rollbacks = [r for r in timeline if r.action == "rollback" or r.outcome == ROLLED_BACK]
    if not timeline:
        overall = "no deployment recorded by this run"
    elif rollbacks:
        overall = "rolled back"
    elif failed_checks:
        overall = "deployed, verification failed"
    elif all(r.outcome == SUCCEEDED for r in timeline):
        overall = "succeeded"
    else:
        overall = timeline[-1].outcome.replace("_", " ")
    last = timeline[-1] if timeline else None
    lines = [
        f"# Deployment report: {cell(service)} in {cell(env.upper())}",
        "",
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        f"| outcome | **{cell(overall)}** |",
        f"| version | {cell(last.version if last else '')} |",
        f"| artifact | {cell(last.artifact_digest if last else '')} |",
        f"| commit | {cell(last.git_sha if last else '')} |",
        f"| actor | {cell(last.actor if last else '')} |",
        f"| run | {cell(last.run_url if last else '')} |",
        "",
        "## Timeline",
        "",
    ]
    if timeline:
        lines += ["| started (UTC) | finished (UTC) | action | version | outcome | functions | detail |"]
        lines += ["|---|---|---|---|---|---|---|"]
        for r in timeline:
            fns = ", ".join(f"{n} → {v.get('version', '?')}" for n, v in sorted(r.functions.items()))
            lines.append(
                f"| {cell(r.started_at)} | {cell(r.finished_at)} | {cell(r.action)} | {cell(r.version)} | "
                f"{cell(r.outcome)} | {cell(fns)} | {cell(r.detail)} |"
            )
    else:
        lines.append("No records.")
    lines += ["", "## Verification", ""]
    if checks:
        lines += ["| check | status | result |", "|---|---|---|"]
        for c in checks:
            result = "skipped" if c.skipped else ("pass" if c.passed else f"FAIL {c.error}".strip())
            status = c.status if c.status is not None else ""
            lines.append(f"| {cell(c.method + ' ' + c.path)} | {cell(status)} | {cell(result)} |")
    else:
        lines.append("No smoke checks ran.")
    lines += ["", "## Rollback", ""]
    if rollbacks:
        for r in rollbacks:
            lines.append(f"- {cell(r.action)} {cell(r.version)}: {cell(r.outcome)}; {cell(r.detail)}")
    else:
        lines.append("No rollback.")
    return "\n".join(lines) + "\n"


def write(report: str, path: str | Path) -> Path:
    """Write the report to ``path`` and append it to ``$GITHUB_STEP_SUMMARY`` when that is set."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(report)
    return out
