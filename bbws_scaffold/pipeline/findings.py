"""Data model of the quality gate: findings, per-tool statistics, gate result.

Everything here is plain frozen dataclasses so results are hashable, sortable and
trivially JSON-serialisable (`GateResult.to_dict()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True)
class Finding:
    """One problem reported by one tool at one place.

    ``file`` is relative to the repository root, POSIX separators. ``line`` is
    1-based; 0 means "the file as a whole" (no better location is known).
    """

    tool: str
    file: str
    line: int
    rule: str
    message: str

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line, self.tool, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "file": self.file,
            "line": self.line,
            "rule": self.rule,
            "message": self.message,
        }


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Deterministic order (file, line, tool, rule, message), duplicates removed."""
    return tuple(sorted(set(findings), key=Finding.sort_key))


@dataclass(frozen=True)
class ToolStats:
    """What one check did: how much it looked at and what it concluded.

    ``passed``/``skipped`` are only meaningful for tools that count checks
    (checkov); others leave them ``None``. ``checked`` counts the inputs the tool
    looked at (files, scripts, resource blocks, ...), described by ``unit``.
    """

    tool: str
    findings: int
    duration_s: float
    checked: int = 0
    unit: str = "files"
    passed: int | None = None
    skipped: int | None = None
    failed: int | None = None
    version: str | None = None
    #: why a check did not run (an optional dependency is missing): shown in the summary
    note: str = ""

    def summary(self) -> str:
        parts: list[str] = []
        if self.passed is not None:
            parts.append(f"{self.passed} passed")
        if self.skipped is not None:
            parts.append(f"{self.skipped} skipped")
        if self.failed is not None:
            parts.append(f"{self.failed} failed")
        if not parts:
            parts.append(f"{self.findings} finding{'s' if self.findings != 1 else ''}")
        name = f"{self.tool} {self.version}" if self.version else self.tool
        if self.note:
            return f"{name}: {self.note}"
        return f"{name}: {', '.join(parts)} ({self.checked} {self.unit}, " f"{self.duration_s:.1f}s)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "version": self.version,
            "findings": self.findings,
            "checked": self.checked,
            "unit": self.unit,
            "passed": self.passed,
            "skipped": self.skipped,
            "failed": self.failed,
            "duration_s": round(self.duration_s, 3),
            "note": self.note,
        }


@dataclass(frozen=True)
class GateError:
    """The gate could not do part of its job (a tool is missing or crashed).

    ``hint`` says how to fix it (usually: how to install the tool).
    """

    tool: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.tool}: {self.message}" + (f"\n  -> {self.hint}" if self.hint else "")

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "message": self.message, "hint": self.hint}


@dataclass(frozen=True)
class CheckOutput:
    """What one check function returns."""

    findings: tuple[Finding, ...]
    stats: ToolStats


@dataclass(frozen=True)
class GateResult:
    """Outcome of :func:`bbws_scaffold.pipeline.gate.run_gate`.

    ``exit_code``: 2 if the gate could not run completely (``errors``), else 1 if
    anything was found, else 0.
    """

    repo: str
    findings: tuple[Finding, ...] = ()
    stats: tuple[ToolStats, ...] = ()
    errors: tuple[GateError, ...] = ()
    checks: tuple[str, ...] = ()
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings and not self.errors

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.findings else 0

    def stats_for(self, tool: str) -> ToolStats | None:
        for s in self.stats:
            if s.tool == tool:
                return s
        return None

    def findings_for(self, tool: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.tool == tool)

    def to_dict(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "exit_code": self.exit_code,
            "checks": list(self.checks),
            "duration_s": round(self.duration_s, 3),
            "findings": [f.to_dict() for f in self.findings],
            "stats": [s.to_dict() for s in self.stats],
            "errors": [e.to_dict() for e in self.errors],
        }
