"""The ``bbws-scaffold`` command line: the root parser, error handling and exit codes.

    bbws-scaffold lld parse|validate|schema|next-number ...
    bbws-scaffold new --lld FILE [--openapi SPEC] [--output DIR] [--org ORG] [--force] [--publish]
    bbws-scaffold update [REPO] [--lld FILE] [--openapi SPEC] [--to VERSION] [--dry-run] [--keep-removed]
    bbws-scaffold pipeline validate [REPO]
    bbws-scaffold repo setup-from-lld|create|push|configure|secrets|branches|codeowners|webhooks ...
    bbws-scaffold config schema NAME
    bbws-scaffold completion bash|zsh|fish

Each command lives in its own module of :mod:`bbws_scaffold.commands` (``add_parser(subparsers)``
plus its handlers); this module only knows their names. Only the module of the command being run
is imported (``--version`` and ``--help`` import none), so start-up stays cheap without deferring
imports inside the commands.

Exit codes: 0 success, 1 findings (warnings under ``--strict``, gate findings, update conflicts),
2 errors. A :class:`~bbws_scaffold.errors.BBWSError` is printed as one ``WHERE: error: message``
line (``WHERE`` is the error's own place when it carries one: a folder, a repository, an option;
else the file the command was given); anything else is an internal error, reported in one line
unless ``BBWS_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module

from bbws_scaffold import __version__
from bbws_scaffold.errors import BBWSError
from bbws_scaffold.output import command_name, error_document, print_json

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    module: str
    group: bool  # a group of sub-commands (``lld parse``) or one command (``new``)


COMMANDS: tuple[Command, ...] = (
    Command("lld", "read LLD documents", "bbws_scaffold.commands.lld", group=True),
    Command(
        "new",
        "render a new Lambda service repository from an LLD (or the WordPress image)",
        "bbws_scaffold.commands.new",
        group=False,
    ),
    Command(
        "update",
        "bring blueprint and LLD changes into a generated repo, keeping hand edits",
        "bbws_scaffold.commands.update",
        group=False,
    ),
    Command(
        "bootstrap",
        "plan the account resources and deploy role a generated repo needs in one environment",
        "bbws_scaffold.commands.bootstrap",
        group=False,
    ),
    Command("pipeline", "the security and quality gate", "bbws_scaffold.commands.pipeline", group=True),
    Command("repo", "publish a generated repository to GitHub", "bbws_scaffold.commands.repo", group=True),
    Command("config", "the configuration files and their JSON Schemas", "bbws_scaffold.commands.config", group=True),
    Command(
        "completion",
        "print the shell completion script (bash, zsh, fish)",
        "bbws_scaffold.commands.completion",
        group=False,
    ),
)


def _selected(argv: Sequence[str] | None) -> str | None:
    """The command named on the command line (the first word), or ``None`` to load them all."""
    if argv is None:
        return None
    words = [a for a in argv if not a.startswith("-")]
    names = {c.name for c in COMMANDS}
    return words[0] if words and words[0] in names else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The root parser. With ``argv``, only the named command's module is imported (the others
    are listed by name and help); without it, every command is fully built."""
    parser = argparse.ArgumentParser(
        prog="bbws-scaffold", description="Turn LLD documents into green, deployable Lambda service repositories."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = _selected(argv)
    for cmd in COMMANDS:
        if argv is not None and cmd.name != chosen:
            sub.add_parser(cmd.name, help=cmd.help, add_help=False)
            continue
        module = import_module(cmd.module)
        if cmd.group:
            group = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
            module.add_parser(group.add_subparsers(dest=f"{cmd.name}_command", required=True, metavar="COMMAND"))
        else:
            module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if "_ARGCOMPLETE" in os.environ:  # the completion script calls back: complete from the whole parser
        import argcomplete

        argcomplete.autocomplete(build_parser(None))
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    if "--json" not in argv:
        args = parser.parse_args(argv)
    else:  # a usage error (argparse exits 2) is the one JSON document too
        import contextlib
        import io

        usage = io.StringIO()
        try:
            with contextlib.redirect_stderr(usage):
                args = parser.parse_args(argv)
        except SystemExit as exc:
            if exc.code in (0, None):
                raise
            message = (usage.getvalue().strip().splitlines() or ["usage error"])[-1]
            words = [w for w in argv[:2] if not w.startswith("-")]
            print_json(error_document(" ".join(words), BBWSError(message.split(": error: ", 1)[-1]), "bbws-scaffold"))
            return EXIT_ERROR
    files = getattr(args, "files", None)
    given = getattr(args, "file", None) or (files[0] if files else None) or getattr(args, "lld", None)
    where = f"{given}:1" if given else "bbws-scaffold"
    try:
        return int(args.func(args))
    except BBWSError as exc:
        if getattr(args, "json", False):  # the one JSON document, diagnostics inside
            print_json(error_document(command_name(args), exc, exc.where or given or "bbws-scaffold"))
            return EXIT_ERROR
        print(exc.format(where), file=sys.stderr)  # the error's own place (a folder, an option) if it has one
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users; BBWS_DEBUG=1 shows it
        if os.environ.get("BBWS_DEBUG"):
            raise
        message = f"internal error ({type(exc).__name__}: {exc}); rerun with BBWS_DEBUG=1 for details"
        if getattr(args, "json", False):
            print_json(error_document(command_name(args), BBWSError(message), where))
        else:
            print(f"{where}:1: error: {message}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
