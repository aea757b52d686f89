"""The write phase of an update, crash-safe: prepared off to the side, journalled, then moved in.

Everything an update computes (renders, merges, kept copies) is prepared in a scratch folder inside
the repository's git dir, on the work tree's file system and invisible to ``git status``. The
switch is a write-ahead journal: the list of files to move into place and to delete, each with its
digest before and after, is written and renamed into place (the commit point), then applied with
one ``os.replace`` per file. A crash before the commit point leaves the work tree untouched (the
next run removes the stale scratch folder); a crash after it leaves a journal that the next run
finishes, refusing if a file it would touch changed since. Either way the tree ends as the old
one or the new one, and the scratch folder goes.

While a scratch folder is open, Python's ``tempfile`` default points into it, so copier's own
temporary renders and clones land there too and are removed with it, even after a ``kill -9``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bbws_scaffold.errors import RepoError
from bbws_scaffold.render.merge import Write

SCRATCH = "bbws-scaffold-update"
JOURNAL = "journal.json"
OWNER = "pid"


def digest(path: Path) -> str | None:
    if path.is_symlink() or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pending(git_dir: Path) -> Path | None:
    """The journal of an update a crash interrupted after its commit point, if any."""
    path = git_dir / SCRATCH / JOURNAL
    return path if path.is_file() else None


def _owner(folder: Path) -> int | None:
    """The pid of the live update that owns ``folder``, if any."""
    try:
        pid = int((folder / OWNER).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)  # signal 0: is it alive?
    except PermissionError:
        return pid  # alive, someone else's
    except OSError:
        return None
    return pid


def drop_stale(git_dir: Path) -> None:
    """Remove what a killed run left in the scratch folder, unless it is a journal to finish;
    refuses while another update of this repository is running."""
    folder = git_dir / SCRATCH
    pid = _owner(folder)
    if pid is not None:
        raise RepoError(f"{folder}: another bbws-scaffold update (pid {pid}) is running in this repository")
    if not pending(git_dir):
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def scratch(git_dir: Path) -> Iterator[Path]:
    """A private work folder ``GIT_DIR/bbws-scaffold-update`` (what a killed run left there,
    without a journal, is removed first); removed on exit unless it holds a journal to finish."""
    path = git_dir / SCRATCH
    drop_stale(git_dir)
    if pending(git_dir):
        raise RepoError(f"{path}: an interrupted update must be finished first")
    tmp = path / "tmp"
    tmp.mkdir(parents=True)
    (path / OWNER).write_text(str(os.getpid()), encoding="ascii")
    saved = tempfile.tempdir
    tempfile.tempdir = str(tmp)
    try:
        yield path
    finally:
        tempfile.tempdir = saved
        if not pending(git_dir):
            shutil.rmtree(path, ignore_errors=True)


def commit(work: Path, root: Path, writes: Sequence[Write], deletes: Sequence[str], meta: dict[str, Any]) -> None:
    """Journal ``writes`` and ``deletes`` in ``work`` (a :func:`scratch` folder), then apply them."""
    entries = {  # paths relative to the repository and to ``work``: the repository may move before a replay
        "meta": meta,
        "writes": [
            {
                "path": w.path,
                "source": w.source.relative_to(work).as_posix(),
                "mode": w.mode,
                "before": digest(root / w.path),
                "after": digest(w.source),
            }
            for w in writes
        ],
        "deletes": [{"path": p, "before": digest(root / p)} for p in deletes],
    }
    for w in writes:
        os.chmod(w.source, w.mode)  # before the move: a crash after it leaves the right mode
    tmp = work / (JOURNAL + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(entries, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, work / JOURNAL)  # the commit point
    replay(work / JOURNAL, root)


def replay(journal: Path, root: Path) -> dict[str, Any]:
    """Apply (or finish applying) ``journal``; returns its ``meta``. Idempotent: a file already in
    its new state is skipped. Refuses, touching nothing, when a file changed since the journal was
    written (someone edited the half-updated tree)."""
    entries = json.loads(journal.read_text(encoding="utf-8"))
    work = journal.parent
    changed = []
    for w in entries["writes"]:
        now = digest(root / w["path"])
        if now != w["after"] and (now != w["before"] or not (work / w["source"]).is_file()):
            changed.append(w["path"])
    changed += [d["path"] for d in entries["deletes"] if digest(root / d["path"]) not in (None, d["before"])]
    if changed:
        raise RepoError(
            f"{journal}: an interrupted update cannot be finished, because "
            + ", ".join(sorted(changed))
            + " changed since; compare them with `git diff`, then either delete "
            f"{journal.parent} and commit what you keep, or restore them and rerun `bbws-scaffold update`"
        )
    for w in entries["writes"]:
        dest = root / w["path"]
        if digest(dest) == w["after"]:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        _move(work / w["source"], dest)
    for d in entries["deletes"]:
        dest = root / d["path"]
        if dest.is_file():
            dest.unlink()
        _prune(dest.parent, root)
    journal.unlink()
    return dict(entries["meta"])


def finish(git_dir: Path, root: Path) -> dict[str, Any]:
    """Finish the interrupted update of :func:`pending` in the work tree ``root`` and drop its
    scratch folder; returns its ``meta``."""
    journal = git_dir / SCRATCH / JOURNAL
    meta = replay(journal, root)
    shutil.rmtree(journal.parent, ignore_errors=True)
    return meta


def _move(src: Path, dest: Path) -> None:
    try:
        os.replace(src, dest)
    except OSError:  # another file system (a git dir elsewhere): copy beside, rename, drop the prepared copy
        beside = dest.with_name(f".{dest.name}.bbws-update")
        shutil.copy2(src, beside)
        os.replace(beside, dest)
        src.unlink()


def _prune(folder: Path, root: Path) -> None:
    """Remove ``folder`` and its parents up to ``root`` while they are empty (as copier does)."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
