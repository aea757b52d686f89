"""The three-way merge of an update, file by file: the last render, the user's tree, the new render.

The rules are copier's (``copier update``, 9.19), applied to three folders instead of driving
copier's patch-then-merge: a file the user did not touch takes the new render; a file the
template did not change keeps the user's version; a file both changed goes through
``git merge-file`` with copier's labels, so a true conflict is marked inline exactly as copier
marks it. A file the user deleted stays deleted (a ``_skip_if_exists`` file is recreated, as
copier does); a file the user owns (matching ``_skip_if_exists``) is never rewritten; a file the
template dropped is deleted (the caller guards edited ones first). Nothing here writes into the
repository: the outcome is a list of writes and deletes for :mod:`bbws_scaffold.render.journal`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LABELS = ("before updating", "last update", "after updating")  # copier's, in copier's order
CONFLICT_LINES = (b"<<<<<<< before updating", b">>>>>>> after updating")


@dataclass(frozen=True)
class Write:
    path: str  # relative to the repository
    source: Path  # the prepared content (moved into place)
    mode: int


@dataclass
class Outcome:
    writes: list[Write] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def tree_files(root: Path) -> dict[str, Path]:
    """Every regular file under ``root`` (a render), by its POSIX path relative to ``root``."""
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None else None


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def merge_file(ours: Path, base: Path, theirs: Path) -> tuple[bytes, bool]:
    """``git merge-file`` of ``ours`` and ``theirs`` since ``base``: the merged bytes and whether
    a conflict was marked."""
    res = subprocess.run(
        [
            "git",
            "merge-file",
            "-p",
            "-L",
            LABELS[0],
            "-L",
            LABELS[1],
            "-L",
            LABELS[2],
            str(ours),
            str(base),
            str(theirs),
        ],
        capture_output=True,
    )
    if res.returncode < 0 or res.returncode > 127:  # not a conflict count: a binary file, say
        return ours.read_bytes(), True
    merged = res.stdout
    return merged, any(line.rstrip() in CONFLICT_LINES for line in merged.splitlines())


def merge_trees(
    old: Path,
    new: Path,
    repo: Path,
    stage: Path,
    *,
    user_owned: Callable[[str], bool],
    replace: frozenset[str] = frozenset(),
) -> Outcome:
    """Merge the template's change ``old`` -> ``new`` (two renders) into the work tree ``repo``;
    merged files are written under ``stage``. Paths in ``replace`` (the answers file) always take
    the new render."""
    olds, news = tree_files(old), tree_files(new)
    out = Outcome()
    empty = stage.parent / "empty-base"  # outside ``stage``: no repository path can collide with it
    for rel in sorted(set(olds) | set(news)):
        o, n = olds.get(rel), news.get(rel)
        target = repo / rel
        if target.is_symlink() or target.is_dir():
            continue  # not a file the template wrote: the user's
        u = target if target.is_file() else None
        mine, base, theirs = _read(u), _read(o), _read(n)
        if n is None:
            if u is not None:
                out.deletes.append(rel)
            continue
        if rel in replace:
            if mine != theirs:
                out.writes.append(Write(rel, n, _mode(n)))
            continue
        if u is None:
            if o is None:  # new in the template
                out.writes.append(Write(rel, n, _mode(n)))
            continue  # the user deleted it (a business-logic file too, as copier keeps it): it stays deleted
        if mine == theirs or user_owned(rel) or base == theirs:
            continue
        if mine == base:
            out.writes.append(Write(rel, n, _mode(n)))
            continue
        if o is None:  # the user and the template both added it: merge from nothing
            empty.touch()
            o = empty
        merged, conflict = merge_file(u, o, n)
        if conflict:
            out.conflicts.append(rel)
        if merged != mine:
            dest = stage / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(merged)
            out.writes.append(Write(rel, dest, _mode(u)))
    return out
