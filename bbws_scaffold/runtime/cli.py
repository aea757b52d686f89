"""``bbws-runtime``: one CLI whose subcommands are the runtime operations.

Subcommands come from the modules in :data:`_COMMAND_MODULES`; each exposes
``add_parser(subparsers)`` and registers its subcommands with ``set_defaults(handler=...)``, a
callable taking the parsed ``argparse.Namespace`` and returning the exit code. Modules are
imported only when the CLI runs, so importing the package stays light.

Exit codes: 0 done, 1 the operation ran and reports failure (smoke failed, canary rolled back),
2 refused or cannot run (one line on stderr, never a traceback; ``BBWS_DEBUG=1`` shows one).

``bbws-runtime --json COMMAND ...`` prints one JSON document instead (stdlib ``json``; the shape
is ``RUNTIME`` in ``bbws_scaffold/output_schemas.py``): ``command``, ``ok``, ``exit_code`` (the
same as without ``--json``), ``result`` (what the command printed: its JSON, or its text lines)
and ``diagnostics`` (the refusal or error, if any).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import Any

from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.log import redact_text

PROG = "bbws-runtime"

_COMMAND_MODULES: list[str] = [
    "bbws_scaffold.runtime.commands",
    "bbws_scaffold.runtime.docker.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Deploy, promote, canary, roll back, back up and report a BBWS service.",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="runtime configuration (default: $BBWS_RUNTIME_CONFIG, else deploy/environments.json upwards)",
    )
    parser.add_argument(
        "--json",
        dest="json_document",  # not `json`: a subcommand's own --json (metrics, release plan) is its output format
        action="store_true",
        help="print one JSON document (result and diagnostics inside it)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def _fail(kind: str, message: str, exc: BaseException, failures: list[dict[str, str]] | None = None) -> int:
    if os.environ.get("BBWS_DEBUG"):
        sys.stderr.write(redact_text("".join(traceback.format_exception(exc))))
    first_line = " ".join(redact_text(str(message)).split())
    if failures is not None:
        failures.append({"severity": "error", "kind": kind, "message": first_line})
    else:
        print(f"{PROG}: {kind}: {first_line}", file=sys.stderr)
    return 2


def _terminated(signum: int, _frame: object) -> None:
    # GitHub cancels a job with SIGINT, then SIGTERM: unwind (release the lock, record the outcome)
    raise RuntimeOpError(f"terminated by {signal.Signals(signum).name}")


def _result(text: str) -> Any:
    """What a command printed: its JSON document, else its lines."""
    try:
        return json.loads(text)
    except ValueError:
        return {"lines": text.splitlines()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if threading.current_thread() is not threading.main_thread():
        return _document(args)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _document(args)
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _document(args: argparse.Namespace) -> int:
    """The command run; with ``--json``, its output and diagnostics as one JSON document."""
    if not args.json_document:
        return _run(args)
    failures: list[dict[str, str]] = []
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = _run(args, failures)
    doc = {
        "command": args.command,
        "ok": code == 0,
        "exit_code": code,
        "result": _result(captured.getvalue()),
        "diagnostics": failures,
    }
    print(json.dumps(doc, indent=2, sort_keys=True, default=str))
    return code


def _run(args: argparse.Namespace, failures: list[dict[str, str]] | None = None) -> int:
    try:
        return int(args.handler(args))
    except Refused as exc:
        return _fail("refused", str(exc), exc, failures)
    except RuntimeOpError as exc:
        return _fail("error", str(exc), exc, failures)
    except KeyboardInterrupt as exc:
        return _fail("error", "interrupted", exc, failures)
    except Exception as exc:  # noqa: BLE001 - botocore and friends: one line, never a traceback
        from botocore.exceptions import BotoCoreError, ClientError  # only on an error: no boto for --help

        if isinstance(exc, (BotoCoreError, ClientError)):
            return _fail("error", f"AWS: {exc}", exc, failures)
        message = f"unexpected {type(exc).__name__}: {exc} (BBWS_DEBUG=1 shows a traceback)"
        return _fail("error", message, exc, failures)
