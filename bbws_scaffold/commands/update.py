"""``bbws-scaffold update``: bring blueprint and LLD changes into a generated repo, keeping hand edits.

Exit 0: updated cleanly (or planned, with ``--dry-run``); 1: conflicts to resolve (each
``file:line``); 2: refused before anything was touched.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bbws_scaffold.commands.lld import add_assume_lld
from bbws_scaffold.errors import BBWSError
from bbws_scaffold.generated import ANSWERS_FILE
from bbws_scaffold.output import Output, add_output_arguments, diagnostic
from bbws_scaffold.render.new import template_ref
from bbws_scaffold.render.update import KEPT_DIR, update


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "update",
        help="bring blueprint and LLD changes into a generated repo, keeping hand edits",
        description="Re-render a generated repo through copier's three-way merge. The work tree must be "
        "clean; nothing is committed. Exit 0: updated cleanly; 1: conflicts to resolve; 2: refused.",
    )
    p.add_argument("repo", nargs="?", default=".", help="the generated repository (default: .)")
    p.add_argument("--lld", metavar="FILE", help="the (changed) LLD; default: replay the spec stored in the repo")
    p.add_argument("--openapi", action="append", metavar="SPEC", help="external OpenAPI file (repeatable)")
    add_assume_lld(p)
    p.add_argument("--to", metavar="VERSION", help=f"blueprint version to update to (default: {template_ref()})")
    p.add_argument("--dry-run", action="store_true", help="print the file-level plan and write nothing")
    p.add_argument(
        "--diff", action="store_true", help="with --dry-run: the unified diff of each file the update changes"
    )
    p.add_argument(
        "--keep-removed",
        action="store_true",
        help=f"when the update deletes files you edited, keep your copies under {KEPT_DIR}/ instead of refusing",
    )
    add_output_arguments(p)
    p.set_defaults(func=cmd_update)


def _document(result: Any, args: argparse.Namespace) -> dict[str, Any]:
    plan = result.plan
    return {
        "repo": args.repo,
        "dry_run": args.dry_run,
        "from_ref": plan.from_ref,
        "to_ref": plan.to_ref,
        "plan": {
            "added": plan.added,
            "modified": plan.modified,
            "removed": plan.removed,
            "edited": sorted(plan.edited),
        },
        "diffs": plan.diffs,
        "changes": result.changes,
        "kept": result.kept,
        "diagnostics": [
            diagnostic(c.path, c.line, "error", c.format().removeprefix(f"{c.path}:{c.line}: "))
            for c in result.conflicts
        ],
    }


def cmd_update(args: argparse.Namespace) -> int:
    where = args.lld or str(Path(args.repo) / ANSWERS_FILE)
    out = Output.from_args(args)
    if args.diff and not args.dry_run:
        raise BBWSError("--diff goes with --dry-run (after an update, `git diff` shows the same)")
    progress = out.progress("update")
    try:
        result = update(
            args.repo,
            lld=args.lld,
            openapi=args.openapi,
            to=args.to,
            dry_run=args.dry_run,
            keep_removed=args.keep_removed,
            diff=args.diff,
            progress=progress,
            assume_lld=args.assume_lld,
        )
    except BBWSError as exc:
        return out.fail(exc, where)
    finally:
        progress.close()
    plan = result.plan
    if result.recovered:
        out.line("finished an update that was interrupted while writing (nothing of it was lost)")
    doc = _document(result, args)
    if args.dry_run:
        out.line(plan.render())
        for path, text in plan.diffs.items():
            out.line(text.rstrip("\n"))
        if plan.edited_removed and not args.keep_removed:
            out.line(f"would refuse: {', '.join(plan.edited_removed)} carry your edits (see --keep-removed)")
        return out.finish(0, doc)
    changed = {k: v for k, v in result.changes.items() if v}
    if not changed:
        out.line(f"update {plan.from_ref} -> {plan.to_ref}: nothing changed")
    else:
        out.line(f"update {plan.from_ref} -> {plan.to_ref}:")
        for label, paths in changed.items():
            for p in paths:
                out.line(f"  {label:<9}{p}")
    for k in result.kept:
        out.line(f"kept your edited copy of a removed file: {k}")
    for c in result.conflicts:
        out.diag(c.format())
    if result.conflicts:
        n = len(result.conflicts)
        out.diag(f"{n} conflict(s): resolve the marked blocks, then commit")
        return out.finish(1, doc)
    if changed:
        out.line("review with `git diff`, run the tests, then commit")
    return out.finish(0, doc)
