"""Diagnostics shared by every stage: ``FILE:LINE: message``, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field

from bbws_scaffold.model import Diagnostic


def _key(d: Diagnostic) -> tuple[int, str]:
    return (d.line or 0, d.message)


@dataclass
class DiagnosticSink:
    """Collects diagnostics while a document is read; de-duplicates identical ones."""

    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self._add(Diagnostic(line=line, message=message, severity="warning"))

    def error(self, line: int, message: str) -> None:
        self._add(Diagnostic(line=line, message=message, severity="error"))

    def _add(self, diag: Diagnostic) -> None:
        if diag not in self.items:
            self.items.append(diag)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted((d for d in self.items if d.severity == "warning"), key=_key)
