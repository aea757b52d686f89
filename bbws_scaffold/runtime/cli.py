"""``bbws-runtime``: one CLI whose subcommands are the runtime operations.

Subcommands come from the modules in :data:`_COMMAND_MODULES`; each exposes
``add_parser(subparsers)`` and registers its subcommands with ``set_defaults(handler=...)``, a
callable taking the parsed ``argparse.Namespace`` and returning the exit code. Modules are
imported only when the CLI runs, so importing the package stays light.

Exit codes: 0 done, 1 the operation ran and reports failure (smoke failed, canary rolled back),
2 refused or cannot run (one line on stderr, never a traceback; ``BBWS_DEBUG=1`` shows one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence

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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def _fail(kind: str, message: str, exc: BaseException) -> int:
    if os.environ.get("BBWS_DEBUG"):
        sys.stderr.write(redact_text("".join(traceback.format_exception(exc))))
    first_line = " ".join(redact_text(str(message)).split())
    print(f"{PROG}: {kind}: {first_line}", file=sys.stderr)
    return 2


def _terminated(signum: int, _frame: object) -> None:
    # GitHub cancels a job with SIGINT, then SIGTERM: unwind (release the lock, record the outcome)
    raise RuntimeOpError(f"terminated by {signal.Signals(signum).name}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if threading.current_thread() is not threading.main_thread():
        return _run(args)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except Refused as exc:
        return _fail("refused", str(exc), exc)
    except RuntimeOpError as exc:
        return _fail("error", str(exc), exc)
    except KeyboardInterrupt as exc:
        return _fail("error", "interrupted", exc)
    except Exception as exc:  # noqa: BLE001 - botocore and friends: one line, never a traceback
        from botocore.exceptions import BotoCoreError, ClientError  # only on an error: no boto for --help

        if isinstance(exc, (BotoCoreError, ClientError)):
            return _fail("error", f"AWS: {exc}", exc)
        return _fail("error", f"unexpected {type(exc).__name__}: {exc} (BBWS_DEBUG=1 shows a traceback)", exc)
