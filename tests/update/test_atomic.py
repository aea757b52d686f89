"""A ``kill -9`` at any moment of ``bbws-scaffold update`` leaves the old tree or the new one.

Real processes, really killed (SIGKILL): at times spread over a whole run, and at chosen moves of
the write phase (the only moment the work tree changes). After each kill the tree is either
untouched, or holds a journal that the next ``update`` finishes into exactly the tree an
uninterrupted run makes; the hand edit committed before survives either way, and no temporary
folder outlives the next run (none is left in the system temp folder at all). Reported: the
count of runs by the state the kill left (``-s`` shows it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bbws_scaffold.render import journal
from tests.gitrepo import commit_all, git, status
from tests.paths import ROOT
from tests.update.llds import add_status_endpoint_and_gsi

pytestmark = pytest.mark.e2e

EDIT = '\n\ndef discounted(price: float) -> float:\n    """Hand-written."""\n    return round(price * 0.9, 2)\n'
TIMED_KILLS = 10
# the CLI, killing itself (SIGKILL) just before the KILL_AT-th file move of the write phase
KILLER = """
import os, signal, sys
from bbws_scaffold.render import journal
from bbws_scaffold.cli import main
real, count, at = journal._move, [0], int(os.environ.get("KILL_AT", "0"))
def move(src, dest):
    count[0] += 1
    if count[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dest)
journal._move = move
sys.exit(main(sys.argv[1:]))
"""


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def run(repo: Path, lld: Path, tmp: Path, kill_at: int = 0, kill_after: float | None = None) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp), "KILL_AT": str(kill_at)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLER, "update", str(repo), "--lld", str(lld)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    return proc.wait()


def test_a_killed_update_leaves_the_old_tree_or_one_the_next_run_finishes(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], tmp_path: Path
) -> None:
    service = repo / "src/services/product_service.py"
    service.write_text(service.read_text() + EDIT)
    commit_all(repo, "hand edit")
    head, old = git(repo, "rev-parse", "HEAD"), snapshot(repo)
    changed = lld(add_status_endpoint_and_gsi)
    tmp = tmp_path / "tmp"
    tmp.mkdir()

    # the uninterrupted run: its duration, its tree
    reference = tmp_path / "reference" / repo.name
    shutil.copytree(repo, reference, symlinks=True)
    t0 = time.perf_counter()
    assert run(reference, changed, tmp) == 0
    duration = time.perf_counter() - t0
    new = snapshot(reference)
    moved = len(status(reference).splitlines())  # files the write phase moved in (it deletes none here)
    assert new != old and new["src/services/product_service.py"].endswith(EDIT.encode())

    states: Counter[str] = Counter()
    plans = [(0, duration * (i + 0.5) / TIMED_KILLS) for i in range(TIMED_KILLS)]
    plans += [(k, None) for k in (1, moved // 2, moved)]
    for n, (kill_at, after) in enumerate(plans):
        work = tmp_path / f"run-{n}" / repo.name
        shutil.copytree(repo, work, symlinks=True)
        code = run(work, changed, tmp, kill_at=kill_at, kill_after=after)
        assert list(tmp.iterdir()) == [], "a temporary folder outside the repository outlived the kill"
        if code == 0:
            state = "finished"
        elif journal.pending(work / ".git"):
            state = "journal"
            assert run(work, changed, tmp) == 0  # the next run finishes it
        elif snapshot(work) == new:  # killed after the last write, while reporting
            state = "new"
            assert run(work, changed, tmp) == 2  # the next run refuses the uncommitted tree, and tidies up
        else:
            state = "old"
            assert status(work) == "" and snapshot(work) == old
            assert run(work, changed, tmp) == 0  # and the next run simply updates
        states[state] += 1
        assert snapshot(work) == new, f"run {n} ({state}): not the tree an uninterrupted update makes"
        assert git(work, "rev-parse", "HEAD") == head
        assert not (work / ".git" / journal.SCRATCH).exists()
    print(f"\nkill -9 runs: {len(plans)}, ended as: {dict(states)}")
    assert states["journal"] >= 3  # each chosen move of the write phase was interrupted
    assert states["old"] >= TIMED_KILLS // 2  # most of a run is rendering: the tree is untouched
