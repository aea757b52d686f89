"""Real git repositories for tests: a tagged template source and committed generated repos."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.paths import ROOT

IDENTITY = ("-c", "user.name=bbws-test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false")


def git(cwd: Path, *args: str) -> str:
    res = subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True)
    assert res.returncode == 0, f"git {' '.join(args)}: {res.stderr}"
    return res.stdout


def commit_all(repo: Path, message: str) -> str:
    """Stage everything (a new repo is initialised on main first) and commit; returns the sha."""
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def template_source(dst: Path, tag: str) -> Path:
    """A local git clone of this project's template part (copier.yml + blueprints/), tagged
    ``tag``: it stands in for the project's public repository as a copier source."""
    dst.mkdir(parents=True)
    shutil.copy2(ROOT / "copier.yml", dst / "copier.yml")
    shutil.copytree(ROOT / "blueprints", dst / "blueprints", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    commit_all(dst, "release")
    git(dst, "tag", tag)
    return dst
