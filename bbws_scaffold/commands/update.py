"""``bbws-scaffold update``: bring blueprint and LLD changes into a generated repo, keeping hand edits.

Exit 0: updated cleanly (or planned, with ``--dry-run``); 1: conflicts to resolve (each
``file:line``); 2: refused before anything was touched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bbws_scaffold.commands.lld import add_assume_lld
from bbws_scaffold.errors import BBWSError
from bbws_scaffold.generated import ANSWERS_FILE
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
        "--keep-removed",
        action="store_true",
        help=f"when the update deletes files you edited, keep your copies under {KEPT_DIR}/ instead of refusing",
    )
    p.set_defaults(func=cmd_update)


def cmd_update(args: argparse.Namespace) -> int:
    where = args.lld or str(Path(args.repo) / ANSWERS_FILE)
    try:
        result = update(
            args.repo,
            lld=args.lld,
            openapi=args.openapi,
            to=args.to,
            dry_run=args.dry_run,
            keep_removed=args.keep_removed,
            assume_lld=args.assume_lld,
        )
    except BBWSError as exc:
        print(f"{where}:1: error: {exc}", file=sys.stderr)
        return 2
    plan = result.plan
    if args.dry_run:
        print(plan.render())
        if plan.edited_removed and not args.keep_removed:
            print(f"would refuse: {', '.join(plan.edited_removed)} carry your edits (see --keep-removed)")
        return 0
    changed = {k: v for k, v in result.changes.items() if v}
    if not changed:
        print(f"update {plan.from_ref} -> {plan.to_ref}: nothing changed")
    else:
        print(f"update {plan.from_ref} -> {plan.to_ref}:")
        for label, paths in changed.items():
            for p in paths:
                print(f"  {label:<9}{p}")
    for k in result.kept:
        print(f"kept your edited copy of a removed file: {k}")
    for c in result.conflicts:
        print(c.format(), file=sys.stderr)
    if result.conflicts:
        n = len(result.conflicts)
        print(f"{n} conflict(s): resolve the marked blocks, then commit", file=sys.stderr)
        return 1
    if changed:
        print("review with `git diff`, run the tests, then commit")
    return 0
