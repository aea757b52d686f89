"""``bbws-runtime release plan|create`` on a generated repository with a real git history.

The expected versions follow the conventional-commits rules the generated repo documents
(pyproject.toml ``[tool.commitizen]``): feat -> minor, fix -> patch, breaking -> major, and before
1.0 a breaking change bumps the minor version. Each expectation below is worked out by hand from
the commits made so far; the changelog sections are written out literally (commitizen's markdown
layout: ``## <tag> (<date>)``, ``### <group>``, ``- **scope**: message``), breaking changes first.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.gitrepo import commit_all, git
from tests.paths import ROOT
from tests.publish.conftest import ORG
from tests.publish.github_double import GitHubDouble

TODAY = date.today().isoformat()


def runtime(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GIT_AUTHOR_NAME": "release-bot",
        "GIT_AUTHOR_EMAIL": "release@example.invalid",
        "GIT_COMMITTER_NAME": "release-bot",
        "GIT_COMMITTER_EMAIL": "release@example.invalid",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "bbws_scaffold.runtime", "release", *args],
        cwd=repo,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def plan(repo: Path) -> dict[str, object]:
    head, tags, state = git(repo, "rev-parse", "HEAD"), git(repo, "tag", "-l"), git(repo, "status", "--porcelain")
    res = runtime(repo, "plan", "--json")
    assert res.returncode == 0, res.stderr
    # plan writes nothing: same commit, same tags, same working tree
    assert (git(repo, "rev-parse", "HEAD"), git(repo, "tag", "-l"), git(repo, "status", "--porcelain")) == (
        head,
        tags,
        state,
    )
    return json.loads(res.stdout)


def commit(repo: Path, message: str) -> None:
    (repo / "src" / "history.txt").open("a", encoding="utf-8").write(message + "\n")
    commit_all(repo, message)


@pytest.mark.e2e
def test_release_plan_follows_the_commits_and_create_publishes_the_package(
    rendered: Path, double: GitHubDouble, token: str, tmp_path: Path
) -> None:
    repo = rendered
    assert "[tool.commitizen]" in (repo / "pyproject.toml").read_text()
    commit_all(repo, "chore: scaffold the catalogue service from its LLD")
    remote = tmp_path / "origin.git"
    subprocess.run(["git", "init", "--bare", "-q", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))

    # 1. only a chore: nothing to release
    p = plan(repo)
    assert (p["version"], p["current"], p["current_tag"]) == (None, "0.0.0", None)
    text = runtime(repo, "plan")
    assert text.returncode == 0 and text.stdout.startswith("no release:"), text.stdout

    # 2. a feature, no release yet: 0.0.0 + minor = 0.1.0
    commit(repo, "feat(products): list products by category")
    p = plan(repo)
    assert (p["version"], p["tag"], p["increment"]) == ("0.1.0", "v0.1.0", "MINOR")
    assert p["changelog"] == f"## v0.1.0 ({TODAY})\n\n### Feat\n\n- **products**: list products by category\n"

    # 3. + a fix and a chore: the highest increment is still minor; the chore is not listed
    commit(repo, "fix: return 404 for an unknown product")
    commit(repo, "chore: bump the pinned tools")
    p = plan(repo)
    assert (p["version"], p["increment"]) == ("0.1.0", "MINOR")
    section = (
        f"## v0.1.0 ({TODAY})\n\n### Feat\n\n- **products**: list products by category\n\n"
        "### Fix\n\n- return 404 for an unknown product\n"
    )
    assert p["changelog"] == section
    text = runtime(repo, "plan")
    assert text.stdout == f"next version: 0.1.0 (tag v0.1.0; MINOR from 0.0.0, 4 commit(s))\n\n{section}"

    # 4. create: CHANGELOG.md committed, annotated tag, pushed, GitHub Release with both assets
    package = repo / "dist" / "lambda.zip"
    package.parent.mkdir()
    package.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip archive: any bytes do for the release
    double.add_repo(ORG, "catalogue")
    gh_env = {"GITHUB_API_URL": double.api_url, "GITHUB_REPOSITORY": f"{ORG}/catalogue", "GITHUB_TOKEN": token}
    # dist/ is ignored by the generated .gitignore, so the tree stays clean
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""
    res = runtime(repo, "create", "--push", "origin", env=gh_env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("released: 0.1.0 (tag v0.1.0;")
    assert (repo / "CHANGELOG.md").read_text() == f"# Changelog\n\n{section}"
    assert git(repo, "log", "-1", "--format=%s").strip() == "bump: version 0.0.0 → 0.1.0"
    assert git(repo, "cat-file", "-t", "v0.1.0").strip() == "tag"  # annotated
    assert git(repo, "rev-parse", "v0.1.0^{commit}") == git(repo, "rev-parse", "HEAD")
    assert git(remote, "rev-parse", "v0.1.0^{commit}") == git(repo, "rev-parse", "HEAD")
    (release,) = double.repos[(ORG, "catalogue")].releases
    assert (release["tag_name"], release["name"], release["body"]) == ("v0.1.0", "v0.1.0", section)
    assert release["target_commitish"] == git(repo, "rev-parse", "HEAD").strip()
    assets = {a["name"]: a for a in release["assets"]}
    assert sorted(assets) == ["lambda.zip", "lambda.zip.sha256"]
    assert assets["lambda.zip"]["data"] == package.read_bytes()
    assert assets["lambda.zip"]["content_type"] == "application/zip"
    expected_digest = hashlib.sha256(package.read_bytes()).hexdigest()
    assert assets["lambda.zip.sha256"]["data"].decode() == f"{expected_digest}  lambda.zip\n"

    # 5. right after the release only the bump commit is new: nothing to release
    assert plan(repo)["version"] is None

    # 6. a fix after v0.1.0: patch
    commit(repo, "fix: keep the price currency")
    p = plan(repo)
    assert (p["version"], p["current"], p["current_tag"], p["increment"]) == ("0.1.1", "0.1.0", "v0.1.0", "PATCH")

    # 7. a breaking feature while 0.x: minor (documented pre-1.0 rule), listed first
    commit(repo, "feat!: prices are integers in cents")
    p = plan(repo)
    assert (p["version"], p["increment"]) == ("0.2.0", "MINOR")
    assert p["changelog"] == (
        f"## v0.2.0 ({TODAY})\n\n### BREAKING CHANGE\n\n- prices are integers in cents\n\n"
        "### Fix\n\n- keep the price currency\n"
    )

    # 8. a person declares 1.0; then a BREAKING CHANGE footer is a major bump
    git(repo, "tag", "-a", "v1.0.0", "-m", "v1.0.0: stable API")
    assert plan(repo)["version"] is None
    commit(repo, "fix: reject negative stock\n\nBREAKING CHANGE: stock below zero is now a 422")
    commit(repo, "feat: filter products by price")
    p = plan(repo)
    assert (p["version"], p["current"], p["increment"]) == ("2.0.0", "1.0.0", "MAJOR")
    assert p["changelog"] == (
        f"## v2.0.0 ({TODAY})\n\n### BREAKING CHANGE\n\n- stock below zero is now a 422\n\n"
        "### Feat\n\n- filter products by price\n\n### Fix\n\n- reject negative stock\n"
    )

    # 9. a second create after 1.0 keeps the earlier section in CHANGELOG.md
    res = runtime(repo, "create", "--no-github")
    assert res.returncode == 0, res.stderr
    log = (repo / "CHANGELOG.md").read_text()
    assert log.startswith(f"# Changelog\n\n## v2.0.0 ({TODAY})\n") and log.endswith(section)
    assert len(double.repos[(ORG, "catalogue")].releases) == 1

    # 10. CI (--on-github): nothing committed; GitHub tags this commit (and so does the local repo)
    commit(repo, "feat: sort products by name")
    head = git(repo, "rev-parse", "HEAD").strip()
    res = runtime(repo, "create", "--on-github", env=gh_env)
    assert res.returncode == 0, res.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == head and git(repo, "status", "--porcelain") == ""
    assert git(repo, "cat-file", "-t", "v2.1.0").strip() == "commit"  # lightweight, as GitHub makes it
    assert git(repo, "rev-parse", "v2.1.0").strip() == head
    release = double.repos[(ORG, "catalogue")].releases[-1]
    assert (release["tag_name"], release["target_commitish"]) == ("v2.1.0", head)
    assert release["body"] == f"## v2.1.0 ({TODAY})\n\n### Feat\n\n- sort products by name\n"
    assert sorted(a["name"] for a in release["assets"]) == ["lambda.zip", "lambda.zip.sha256"]


def test_release_create_refuses_a_dirty_tree_and_a_missing_package(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "a.txt").write_text("1\n")
    commit_all(repo, "feat: first")
    res = runtime(repo, "create", "--no-github", "--artifact", "missing.zip")
    assert res.returncode == 2 and "missing.zip does not exist" in res.stderr
    (repo / "a.txt").write_text("2\n")
    (repo / "p.zip").write_bytes(b"x")
    res = runtime(repo, "create", "--no-github", "--artifact", "p.zip")
    assert res.returncode == 2 and "uncommitted changes" in res.stderr
    assert git(repo, "tag", "-l") == ""
