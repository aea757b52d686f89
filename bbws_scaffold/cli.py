"""The ``bbws-scaffold`` command line.

    bbws-scaffold lld parse FILE [--openapi SPEC] [--json]
    bbws-scaffold lld validate FILE [--openapi SPEC] [--strict]
    bbws-scaffold lld schema
    bbws-scaffold lld next-number --hld-prefix 2.1 DIR
    bbws-scaffold new --lld FILE [--openapi SPEC] [--output DIR] [--org ORG] [--force]
    bbws-scaffold update [REPO] [--lld FILE] [--openapi SPEC] [--to VERSION] [--dry-run] [--keep-removed]
    bbws-scaffold pipeline validate [REPO]
    bbws-scaffold repo setup-from-lld --lld FILE --org ORG [--output DIR] [--api-url URL] [--dry-run]
    bbws-scaffold repo create|push|configure|secrets|branches|codeowners|webhooks [--repo DIR] ...

Exit codes: 0 success, 1 findings (warnings under ``--strict``, gate findings), 2 errors.
Errors are printed as ``FILE:LINE: message``; no command prints a traceback unless
``BBWS_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from bbws_scaffold import __version__
from bbws_scaffold.errors import LLDError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# Sub-commands registered by their own modules: (group or None for top level, module). Each
# module exposes ``add_parser(subparsers)``; importing it stays lazy-cheap (no copier at import).
_COMMAND_MODULES: list[tuple[str | None, str]] = [
    (None, "bbws_scaffold.render.new"),
    (None, "bbws_scaffold.render.update"),
    ("pipeline", "bbws_scaffold.pipeline.cli"),
    ("repo", "bbws_scaffold.publish.cli"),
    ("config", "bbws_scaffold.commands.config"),
]


def _spec_from_args(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bbws_scaffold.lld.parser import parse_file

    return parse_file(args.file, args.openapi or [])


def cmd_parse(args: argparse.Namespace) -> int:
    spec = _spec_from_args(args)
    if args.json:
        print(spec.model_dump_json(indent=2))
    else:
        from bbws_scaffold.lld.summary import render_summary

        print(render_summary(spec))
    for w in spec.warnings:
        print(w.format(args.file), file=sys.stderr)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    spec = _spec_from_args(args)
    for w in spec.warnings:
        print(w.format(args.file))
    n = len(spec.warnings)
    print(f"{args.file}: {'clean' if not n else f'{n} warning(s)'}", file=sys.stderr)
    return EXIT_FINDINGS if (n and args.strict) else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from bbws_scaffold.model import ServiceSpec

    print(json.dumps(ServiceSpec.model_json_schema(), indent=2))
    return EXIT_OK


def cmd_next_number(args: argparse.Namespace) -> int:
    from bbws_scaffold.lld.numbering import next_number

    print(next_number(args.dir, args.hld_prefix))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bbws-scaffold", description="Turn LLD documents into green, deployable Lambda service repositories."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lld = sub.add_parser("lld", help="read LLD documents").add_subparsers(dest="lld_command", required=True)
    p = lld.add_parser("parse", help="parse an LLD and print its service spec")
    p.add_argument("file")
    p.add_argument("--openapi", action="append", metavar="SPEC", help="external OpenAPI file (repeatable)")
    p.add_argument("--json", action="store_true", help="print the whole spec as JSON")
    p.set_defaults(func=cmd_parse)
    p = lld.add_parser("validate", help="report diagnostics for an LLD")
    p.add_argument("file")
    p.add_argument("--openapi", action="append", metavar="SPEC")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.set_defaults(func=cmd_validate)
    p = lld.add_parser("schema", help="print the ServiceSpec JSON Schema")
    p.set_defaults(func=cmd_schema)
    p = lld.add_parser("next-number", help="next free LLD number under an HLD prefix")
    p.add_argument("--hld-prefix", required=True, help="e.g. 2.1")
    p.add_argument("dir", help="folder holding [phase].[sub-phase].[n]_LLD_[Name].md files")
    p.set_defaults(func=cmd_next_number)

    groups: dict[str, argparse._SubParsersAction] = {}  # type: ignore[type-arg]
    for group, module in _COMMAND_MODULES:
        add: Callable[..., None] = import_module(module).add_parser
        if group is None:
            add(sub)
        else:
            if group not in groups:
                groups[group] = sub.add_parser(group, help=f"{group} commands").add_subparsers(
                    dest=f"{group}_command", required=True
                )
            add(groups[group])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except LLDError as exc:
        for d in exc.diagnostics:
            print(d.format(exc.file), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users; BBWS_DEBUG=1 shows it
        if os.environ.get("BBWS_DEBUG"):
            raise
        where = getattr(args, "file", None) or getattr(args, "lld", None) or "bbws-scaffold"
        print(
            f"{where}:1: error: internal error ({type(exc).__name__}: {exc}); " "rerun with BBWS_DEBUG=1 for details",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
