"""The journalled write phase on its own: interrupted, it is finished by the next run, even after
the repository moved; a file edited in the half-written tree stops it, with nothing touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bbws_scaffold.errors import RepoError
from bbws_scaffold.render import journal
from bbws_scaffold.render.merge import Write


class Killed(BaseException):
    """Stands in for the process dying: nothing after it runs."""


def interrupted_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A repo with a.txt, b.txt and gone.txt; an update that rewrites a and b and deletes gone,
    killed just before its second move. Returns (repo, git_dir)."""
    repo = tmp_path / "repo"
    git_dir = repo / ".git"
    git_dir.mkdir(parents=True)
    for name in ("a.txt", "b.txt", "gone.txt"):
        (repo / name).write_text(f"old {name}\n")
    real, moves = journal._move, []

    def dying(src: Path, dest: Path) -> None:
        moves.append(dest)
        if len(moves) == 2:
            raise Killed
        real(src, dest)

    monkeypatch.setattr(journal, "_move", dying)
    with pytest.raises(Killed):
        with journal.scratch(git_dir) as work:
            writes = []
            for name in ("a.txt", "b.txt"):
                (work / "new").mkdir(exist_ok=True)
                (work / "new" / name).write_text(f"new {name}\n")
                writes.append(Write(name, work / "new" / name, 0o644))
            journal.commit(work, repo, writes, ["gone.txt"], {"note": "m"})
    monkeypatch.setattr(journal, "_move", real)
    assert (repo / "a.txt").read_text() == "new a.txt\n" and (repo / "b.txt").read_text() == "old b.txt\n"
    assert journal.pending(git_dir)
    return repo, git_dir


def test_an_interrupted_write_is_finished_even_after_the_repo_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = interrupted_write(tmp_path, monkeypatch)
    moved = tmp_path / "elsewhere"
    shutil.move(repo, moved)

    assert journal.finish(moved / ".git", moved) == {"note": "m"}

    assert sorted(p.name for p in moved.iterdir()) == [".git", "a.txt", "b.txt"]
    assert (moved / "a.txt").read_text() == "new a.txt\n" and (moved / "b.txt").read_text() == "new b.txt\n"
    assert not (moved / ".git" / journal.SCRATCH).exists()


def test_a_file_edited_in_the_half_written_tree_stops_the_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, git_dir = interrupted_write(tmp_path, monkeypatch)
    (repo / "b.txt").write_text("typed after the crash\n")

    with pytest.raises(RepoError, match=r"cannot be finished, because b\.txt changed since"):
        journal.finish(git_dir, repo)

    assert (repo / "b.txt").read_text() == "typed after the crash\n"
    assert (repo / "gone.txt").read_text() == "old gone.txt\n"  # nothing more was applied
    assert journal.pending(git_dir)


def test_a_stale_scratch_folder_goes_but_a_running_update_is_left_alone(tmp_path: Path) -> None:
    git_dir = tmp_path / ".git"
    stale = git_dir / journal.SCRATCH
    (stale / "tmp" / "copier.clone").mkdir(parents=True)
    (stale / journal.OWNER).write_text("999999999")  # no such process

    journal.drop_stale(git_dir)
    assert not stale.exists()

    stale.mkdir(parents=True)
    (stale / journal.OWNER).write_text("1")  # init: alive, and not this process
    with pytest.raises(RepoError, match="another bbws-scaffold update"):
        journal.drop_stale(git_dir)
    assert stale.exists()
