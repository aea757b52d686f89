"""Render a :class:`~.findings.GateResult` as one readable table, or as JSON."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter

from .findings import Finding, GateResult

HEADERS = ("TOOL", "FILE:LINE", "RULE", "MESSAGE")
MAX_LOCATION = 48
MAX_RULE = 24
MIN_MESSAGE = 30


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _truncate(text: str, width: int) -> str:
    if width <= 0 or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def _truncate_path(text: str, width: int) -> str:
    """Keep the end of a path (file name and line matter most)."""
    if len(text) <= width:
        return text
    return "…" + text[-(width - 1) :]


def render_table(findings: tuple[Finding, ...] | list[Finding], width: int | None = None, full: bool = False) -> str:
    """Columns TOOL | FILE:LINE | RULE | MESSAGE, padded; messages truncated to the
    terminal width unless ``full``."""
    if width is None:
        width = shutil.get_terminal_size((140, 24)).columns
    rows = [(f.tool, f.location, f.rule, _one_line(f.message)) for f in findings]
    if not full:
        tool_w = max([len(HEADERS[0])] + [len(r[0]) for r in rows])
        rows = [(t, loc, _truncate(r, MAX_RULE), m) for t, loc, r, m in rows]
        rule_w = max([len(HEADERS[2])] + [len(r[2]) for r in rows])
        loc_cap = min(MAX_LOCATION, max(20, width - tool_w - rule_w - 3 * 2 - MIN_MESSAGE))
        rows = [(t, _truncate_path(loc, loc_cap), r, m) for t, loc, r, m in rows]
    w = [max([len(HEADERS[i])] + [len(row[i]) for row in rows]) for i in range(3)]
    msg_width = max(width - sum(w) - 3 * 2, MIN_MESSAGE)
    lines = []
    for row in [HEADERS, *rows]:
        msg = row[3] if full else _truncate(row[3], msg_width)
        lines.append(f"{row[0]:<{w[0]}}  {row[1]:<{w[1]}}  {row[2]:<{w[2]}}  {msg}".rstrip())
    return "\n".join(lines)


def render(result: GateResult, width: int | None = None, full: bool = False) -> str:
    """Table of findings, then one summary line per tool."""
    out = []
    if result.findings:
        out.append(render_table(result.findings, width, full))
        counts = Counter(f.tool for f in result.findings)
        n = len(result.findings)
        out.append("")
        out.append(
            f"{n} finding{'s' if n != 1 else ''}: " + ", ".join(f"{tool} {c}" for tool, c in sorted(counts.items()))
        )
    elif not result.errors:
        out.append(f"No findings in {result.repo}.")
    if result.stats:
        out.append("")
        out.extend(s.summary() for s in result.stats)
    if result.errors:
        out.append("")
        out.append("The gate could not run completely:")
        out.extend(f"  {e}" for e in result.errors)
    return "\n".join(out)


def render_json(result: GateResult) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=False)
