"""What a command prints: human lines on stdout and diagnostics on stderr, or (``--json``) one JSON
document on stdout with the diagnostics inside it; and the progress of long steps.

Every command that reports something builds its result as a JSON-able ``dict`` (its shape is in
:mod:`bbws_scaffold.output_schemas`) and hands it to :meth:`Output.finish`, which prints it with
``--json`` and nothing otherwise (the command has printed its human lines through :meth:`Output.line`
and :meth:`Output.diag`, which ``--json`` silences). The exit code is the same either way.

Progress (:class:`Progress`) goes to stderr: live on a terminal (rich, imported only then), plain
lines when stderr is not a terminal or ``CI`` is set, nothing with ``--json`` or ``--quiet``.
Diagnostics get their severity in colour on such a terminal too (never in CI, a pipe or under
``NO_COLOR``).

Stdlib only, and ``json`` and ``threading`` only once something is printed as JSON or a
progress is made: ``bbws-scaffold --version`` imports this module and stays as fast as before.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, Literal

ProgressMode = Literal["off", "plain", "live"]

SEVERITY_STYLES = {"error": "bold red", "conflict": "bold red", "warning": "yellow"}


def add_output_arguments(p: Any, *, quiet: bool = True) -> None:
    """``--json`` (and ``--quiet``) on a command's parser."""
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout (diagnostics inside it)")
    if quiet:
        p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")


def diagnostic(file: str, line: int | None, severity: str, message: str) -> dict[str, Any]:
    """One diagnostic as the JSON documents hold it."""
    return {"file": file, "line": line or 1, "severity": severity, "message": message}


def spec_diagnostics(file: str, diagnostics: Iterable[Any]) -> list[dict[str, Any]]:
    """``Diagnostic`` models (``line``, ``severity``, ``message``) of ``file`` as JSON diagnostics."""
    return [diagnostic(file, d.line, d.severity, d.message) for d in diagnostics]


def error_document(command: str, exc: Exception, where: str) -> dict[str, Any]:
    """The ``--json`` document of a command refused with a ``BBWSError`` (exit 2): its diagnostics
    (an ``LLDError`` has one per line) or its one message."""
    found = getattr(exc, "diagnostics", None)
    where = getattr(exc, "where", None) or where  # the error's own place (a folder, an option), if it has one
    file = getattr(exc, "file", where)
    diags = spec_diagnostics(file, found) if found else [diagnostic(where, None, "error", str(exc))]
    return {"command": command, "ok": False, "exit_code": 2, "diagnostics": diags}


def print_json(document: dict[str, Any]) -> None:
    """One JSON document on stdout."""
    import json  # stdlib, when a document is printed (not on every start-up)

    print(json.dumps(document, indent=2, default=str), flush=True)


def command_name(args: Any) -> str:
    """``lld validate``, ``new``: the command words of a parsed namespace."""
    words = [getattr(args, "command", None)]
    words.append(getattr(args, f"{words[0]}_command", None))
    return " ".join(w for w in words if w)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no")


def progress_mode(*, json_mode: bool, quiet: bool, stream: IO[str]) -> ProgressMode:
    """Nothing with ``--json``/``--quiet``; live on a terminal; plain lines in CI and pipes."""
    if json_mode or quiet:
        return "off"
    tty = getattr(stream, "isatty", lambda: False)()
    if tty and not _truthy(os.environ.get("CI")) and os.environ.get("TERM") != "dumb":
        return "live"
    return "plain"


class Progress:
    """Start and end of named steps (thread-safe: the gate runs its checks concurrently).

    ``plain``: one line as each step starts and ends (``gate: checkov started`` ... ``gate: checkov
    done in 3.2 s``). ``live``: a spinner naming the running steps, a line as each ends."""

    def __init__(self, mode: ProgressMode = "off", stream: IO[str] | None = None, prefix: str = "") -> None:
        self.mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self.prefix = f"{prefix}: " if prefix else ""
        import threading  # stdlib, when a progress is made (not on every start-up)

        self._lock = threading.Lock()
        self._running: dict[str, float] = {}
        self._status: Any = None
        self._console: Any = None
        self._text: Any = None

    def _print(self, text: str) -> None:
        if self._console is not None:
            self._console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    def _refresh(self) -> None:
        if self._status is not None:
            names = ", ".join(self._running) or "…"
            self._status.update(self._text(f"{self.prefix}running {names}"))  # Text: no markup

    def start(self, label: str) -> None:
        if self.mode == "off":
            return
        with self._lock:
            self._running[label] = time.monotonic()
            if self.mode == "live":
                if self._status is None:
                    from rich.console import Console  # only on a terminal: no start-up cost otherwise
                    from rich.text import Text

                    self._console, self._text = Console(file=self.stream), Text
                    self._status = self._console.status("", spinner="dots")
                    self._status.start()
                self._refresh()
            else:
                self._print(f"{self.prefix}{label} started")

    def done(self, label: str, detail: str = "") -> None:
        if self.mode == "off":
            return
        with self._lock:
            began = self._running.pop(label, time.monotonic())
            failed = detail == "failed"
            tail = f": {detail}" if detail and not failed else ""
            mark = ("✗ " if failed else "✓ ") if self.mode == "live" else ""
            verb = "failed after" if failed else "done in"
            self._print(f"{mark}{self.prefix}{label} {verb} {time.monotonic() - began:.1f} s{tail}")
            self._refresh()

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        self.start(label)
        try:
            yield
        except BaseException:
            self.done(label, "failed")  # never "done" for a step that raised
            raise
        self.done(label)

    def close(self) -> None:
        with self._lock:
            if self._status is not None:
                self._status.stop()
                self._status = None


class Output:
    """One command's output channel (see the module docstring)."""

    def __init__(self, *, json_mode: bool = False, quiet: bool = False, command: str = "") -> None:
        self.json = json_mode
        self.quiet = quiet
        self.command = command
        self._colour: Any = None  # a rich Console on stderr, once a diagnostic goes to a terminal

    @classmethod
    def from_args(cls, args: Any) -> Output:
        return cls(
            json_mode=bool(getattr(args, "json", False)),
            quiet=bool(getattr(args, "quiet", False)),
            command=command_name(args),
        )

    def line(self, text: str = "") -> None:
        """A human result line (stdout); silent with ``--json``."""
        if not self.json:
            print(text, flush=True)

    def diag(self, text: str) -> None:
        """A diagnostic line (stderr); silent with ``--json`` (the document holds it)."""
        if self.json:
            return
        if progress_mode(json_mode=False, quiet=False, stream=sys.stderr) != "live" or os.environ.get("NO_COLOR"):
            print(text, file=sys.stderr, flush=True)
            return
        from rich.console import Console  # only on a terminal: no start-up cost otherwise
        from rich.text import Text

        if self._colour is None:
            self._colour = Console(file=sys.stderr, highlight=False, soft_wrap=True)
        line = Text(text)
        for severity, style in SEVERITY_STYLES.items():
            line.highlight_regex(rf"(?<=: ){severity}(?=: )", style)
        self._colour.print(line)

    def fail(self, exc: Exception, where: str) -> int:
        """A command refused (exit 2): ``WHERE:1: error: ...`` on stderr, or the error document."""
        if self.json:
            print_json(error_document(self.command, exc, where))
        else:
            fmt = getattr(exc, "format", None)
            print(fmt(f"{where}:1") if callable(fmt) else f"{where}:1: error: {exc}", file=sys.stderr, flush=True)
        return 2

    def refuse(self, message: str) -> int:
        """A usage error of the command (exit 2): ``bbws-scaffold COMMAND: error: message`` on
        stderr, or the error document."""
        where = f"bbws-scaffold {self.command}".strip()
        if self.json:
            print_json(error_document(self.command, ValueError(message), where))
        else:
            print(f"{where}: error: {message}", file=sys.stderr, flush=True)
        return 2

    def progress(self, prefix: str = "") -> Progress:
        mode = progress_mode(json_mode=self.json, quiet=self.quiet, stream=sys.stderr)
        return Progress(mode, sys.stderr, prefix)

    def finish(self, exit_code: int, document: dict[str, Any]) -> int:
        """Print ``document`` (with ``command``, ``ok`` and ``exit_code`` added) under ``--json``;
        return ``exit_code``."""
        if self.json:
            doc = {"command": self.command, "ok": exit_code == 0, "exit_code": exit_code, **document}
            print_json(doc)
        return exit_code
