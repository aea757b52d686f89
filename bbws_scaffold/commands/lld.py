"""``bbws-scaffold lld parse|validate|schema|next-number``: read LLD documents.

``parse`` and ``validate`` take several files, or every LLD of a folder (``--lld-dir``): one
summary line per document and the worst exit code of them all. With ``--json`` each prints one
document (:mod:`bbws_scaffold.output_schemas`); ``lld parse --json FILE`` prints the
``ServiceSpec`` itself (its ``warnings`` are the diagnostics), the contract other tools read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from bbws_scaffold.errors import BBWSError
from bbws_scaffold.lld.bindings_view import render_bindings
from bbws_scaffold.lld.numbering import lld_files, next_number
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.lld.summary import render_summary
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.output import Output, add_output_arguments, error_document, spec_diagnostics
from bbws_scaffold.plan.diagram import mermaid_block

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _documents(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", metavar="FILE", help="LLD markdown files")
    p.add_argument("--lld-dir", metavar="DIR", help="every [n]_LLD_[Name].md directly in DIR, too")
    p.add_argument("--openapi", action="append", metavar="SPEC", help="external OpenAPI file (repeatable)")


def add_assume_lld(p: Any) -> None:
    """``--assume-lld``: every command that reads an LLD takes it (see bbws_scaffold.lld.kind)."""
    p.add_argument(
        "--assume-lld",
        action="store_true",
        help="read the document as a service LLD even if its name or title says another kind "
        "(BRS, HLD, runbook) or no function/endpoint inventory is found",
    )


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("parse", help="parse LLDs and print their service specs")
    _documents(p)
    p.add_argument("--diagram", action="store_true", help="print the Mermaid diagram of each service instead")
    add_assume_lld(p)
    add_output_arguments(p, quiet=False)
    p.set_defaults(func=cmd_parse)
    p = subparsers.add_parser("validate", help="report diagnostics for LLDs (one line per document)")
    _documents(p)
    add_assume_lld(p)
    p.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    add_output_arguments(p, quiet=False)
    p.set_defaults(func=cmd_validate)
    p = subparsers.add_parser("schema", help="print the ServiceSpec JSON Schema")
    p.add_argument("--json", action="store_true", help="accepted for symmetry: the schema is JSON")
    p.set_defaults(func=cmd_schema)
    p = subparsers.add_parser("next-number", help="next free LLD number under an HLD prefix")
    p.add_argument("--hld-prefix", required=True, type=hld_prefix, help="the HLD number, e.g. 2 or 2.1")
    p.add_argument("dir", help="folder of numbered documents ([phase].[sub-phase].[n]_[KIND]_[Name].md)")
    add_output_arguments(p, quiet=False)
    p.set_defaults(func=cmd_next_number)


def hld_prefix(text: str) -> str:
    """``--hld-prefix``: an HLD number (``2``, ``2.1``; a trailing dot is fine), checked while the
    command line is read so that argparse names the option in its error."""
    prefix = text.strip().rstrip(".")
    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)*", prefix):
        raise argparse.ArgumentTypeError(f"{text!r} is not an HLD number such as 2 or 2.1")
    return prefix


def _files(args: argparse.Namespace) -> list[str]:
    files = list(args.files)
    if args.lld_dir:
        if not Path(args.lld_dir).is_dir():
            raise BBWSError(f"--lld-dir {args.lld_dir} is not a folder")
        files += [str(f) for f in lld_files(args.lld_dir) if str(f) not in files]
    if not files:
        raise BBWSError("give one or more LLD files, or --lld-dir DIR")
    return files


def _parse_each(args: argparse.Namespace) -> list[tuple[str, ServiceSpec | None, list[dict[str, Any]]]]:
    """Every document parsed: (file, spec or None when it cannot be parsed, JSON diagnostics)."""
    out: list[tuple[str, ServiceSpec | None, list[dict[str, Any]]]] = []
    for f in _files(args):
        try:
            spec = parse_file(f, args.openapi or [], assume_lld=args.assume_lld)
        except BBWSError as exc:
            out.append((f, None, error_document("", exc, f)["diagnostics"]))
            continue
        out.append((f, spec, spec_diagnostics(f, spec.warnings)))
    return out


def _print_diagnostics(out: Output, diags: list[dict[str, Any]]) -> None:
    for d in diags:
        out.diag(f"{d['file']}:{d['line']}: {d['severity']}: {d['message']}")


def _status(spec: ServiceSpec | None, diags: list[dict[str, Any]], strict: bool) -> tuple[int, str]:
    """A document's exit code and its one-line summary."""
    errors = sum(d["severity"] == "error" for d in diags)
    warnings = len(diags) - errors
    if spec is None:
        return EXIT_ERROR, f"{errors} error(s)"
    return (EXIT_FINDINGS if warnings and strict else EXIT_OK), ("clean" if not warnings else f"{warnings} warning(s)")


def cmd_parse(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    if args.json and not args.diagram and len(args.files) == 1 and not args.lld_dir:
        one = parse_file(
            args.files[0], args.openapi or [], assume_lld=args.assume_lld
        )  # an error: main() prints the error document
        print(one.model_dump_json(indent=2))
        for w in one.warnings:  # inside the spec too (``warnings``); on stderr as ever, for people
            print(w.format(args.files[0]), file=sys.stderr)
        return EXIT_OK
    documents: list[dict[str, Any]] = []
    worst = EXIT_OK
    parsed = _parse_each(args)
    for i, (f, spec, diags) in enumerate(parsed):
        _print_diagnostics(out, diags)
        code, _ = _status(spec, diags, strict=False)
        worst = max(worst, code)
        doc: dict[str, Any] = {"file": f, "ok": spec is not None, "diagnostics": diags}
        if spec is not None and args.diagram:
            doc["diagram"] = mermaid_block(spec)
            out.line(doc["diagram"])
        elif spec is not None:
            doc["spec"] = spec.model_dump(mode="json")
            out.line("\n".join([render_summary(spec), "", render_bindings(spec)]))
        if len(parsed) > 1 and i < len(parsed) - 1:
            out.line()
        documents.append(doc)
    return out.finish(worst, {"documents": documents})


def cmd_validate(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    documents: list[dict[str, Any]] = []
    worst = EXIT_OK
    for f, spec, diags in _parse_each(args):
        _print_diagnostics(out, diags)
        code, summary = _status(spec, diags, args.strict)
        worst = max(worst, code)
        out.line(f"{f}: {summary}")
        documents.append({"file": f, "status": summary, "exit_code": code, "diagnostics": diags})
    return out.finish(worst, {"documents": documents})


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(ServiceSpec.model_json_schema(), indent=2))
    return EXIT_OK


def cmd_next_number(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    try:
        number = next_number(args.dir, args.hld_prefix)
    except ValueError as exc:
        raise BBWSError(str(exc)) from None
    out.line(number)
    return out.finish(EXIT_OK, {"dir": args.dir, "hld_prefix": args.hld_prefix, "next": number})
