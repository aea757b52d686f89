"""``bbws-scaffold lld parse|validate|schema|next-number``: read LLD documents."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bbws_scaffold.lld.bindings_view import render_bindings
from bbws_scaffold.lld.numbering import next_number
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.lld.summary import render_summary
from bbws_scaffold.model import ServiceSpec

EXIT_OK, EXIT_FINDINGS = 0, 1


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("parse", help="parse an LLD and print its service spec")
    p.add_argument("file")
    p.add_argument("--openapi", action="append", metavar="SPEC", help="external OpenAPI file (repeatable)")
    p.add_argument("--json", action="store_true", help="print the whole spec as JSON")
    p.set_defaults(func=cmd_parse)
    p = subparsers.add_parser("validate", help="report diagnostics for an LLD")
    p.add_argument("file")
    p.add_argument("--openapi", action="append", metavar="SPEC")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    p.set_defaults(func=cmd_validate)
    p = subparsers.add_parser("schema", help="print the ServiceSpec JSON Schema")
    p.set_defaults(func=cmd_schema)
    p = subparsers.add_parser("next-number", help="next free LLD number under an HLD prefix")
    p.add_argument("--hld-prefix", required=True, help="e.g. 2.1")
    p.add_argument("dir", help="folder holding [phase].[sub-phase].[n]_LLD_[Name].md files")
    p.set_defaults(func=cmd_next_number)


def cmd_parse(args: argparse.Namespace) -> int:
    spec = parse_file(args.file, args.openapi or [])
    print(spec.model_dump_json(indent=2) if args.json else "\n".join([render_summary(spec), "", render_bindings(spec)]))
    for w in spec.warnings:
        print(w.format(args.file), file=sys.stderr)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    spec = parse_file(args.file, args.openapi or [])
    for w in spec.warnings:
        print(w.format(args.file))
    n = len(spec.warnings)
    print(f"{args.file}: {'clean' if not n else f'{n} warning(s)'}", file=sys.stderr)
    return EXIT_FINDINGS if (n and args.strict) else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(ServiceSpec.model_json_schema(), indent=2))
    return EXIT_OK


def cmd_next_number(args: argparse.Namespace) -> int:
    print(next_number(args.dir, args.hld_prefix))
    return EXIT_OK
