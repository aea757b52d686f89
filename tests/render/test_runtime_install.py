"""The runtime reaches a runner from the generated repo's own files, with the package index off.

A generated repo vendors the runtime it was generated with (``vendor/bbws_scaffold``) and locks
its one dependency, boto3, with hashes (``.github/requirements-runtime.txt``). Nothing is installed
by bare name from an index: the name ``bbws-scaffold`` is unclaimed there, and whoever registered
it would run code with the deploy role's credentials (dependency confusion).

The install runs ``scripts/install-runtime.sh`` as the workflows do, in a fresh virtualenv, with
``PIP_NO_INDEX=1`` and the machine's pip configuration ignored; boto3's wheels come from
``.tools/runtime-wheels`` (downloaded by ``scripts/setup.sh``), and pip checks each against the
lock's sha256. A lock with one wrong hash must make the install fail.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bbws_scaffold.plan.answers import RUNTIME_BOTO3
from bbws_scaffold.render.new import render
from tests.paths import CATALOGUE_LLD, ROOT
from tests.render.specs import load_spec
from tests.runtime_wheels import LOCK, assert_runtime_installed, make_venv, offline_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("out"))


@pytest.fixture()
def venv(tmp_path: Path) -> Path:
    return make_venv(tmp_path / "venv")


def install(repo: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "scripts/install-runtime.sh"],
        cwd=repo,
        env=offline_env(venv),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_runtime_installs_from_the_repo_with_the_index_disabled(repo: Path, venv: Path, tmp_path: Path) -> None:
    res = install(repo, venv)
    assert res.returncode == 0, res.stdout + res.stderr
    # not the repo as working directory: the path comes from the install, not the cwd
    assert_runtime_installed(repo, venv, offline_env(venv), cwd=tmp_path)


def test_a_wrong_hash_in_the_lock_fails_the_install(repo: Path, venv: Path) -> None:
    lock = repo / LOCK
    original = lock.read_text()
    # every sha256 listed for boto3 gets its first hex digit changed: no file can match any more
    block = re.search(r"^boto3==.*?(?=^\S)", original, re.M | re.S)
    assert block is not None
    flipped = re.sub(r"sha256:([0-9a-f])", lambda m: "sha256:" + ("1" if m.group(1) == "0" else "0"), block.group(0))
    tampered = original.replace(block.group(0), flipped)
    assert tampered != original
    lock.write_text(tampered)
    try:
        res = install(repo, venv)
    finally:
        lock.write_text(original)
    assert res.returncode != 0
    assert "hash" in (res.stdout + res.stderr).lower()


def test_no_workflow_or_script_installs_the_runtime_by_name(repo: Path) -> None:
    files = [*repo.glob(".github/workflows/*.yml"), *repo.glob("scripts/*.sh")]
    assert files
    for path in files:
        for line in path.read_text().splitlines():
            if "pip install" in line or "pip download" in line:
                assert "bbws-scaffold" not in line and "bbws_scaffold" not in line, f"{path.name}: {line.strip()}"


def test_the_vendored_runtime_is_the_library_runtime_byte_for_byte(repo: Path) -> None:
    library = ROOT / "bbws_scaffold" / "runtime"
    ours = {p.relative_to(library).as_posix(): p.read_bytes() for p in library.rglob("*.py")}
    vendored = repo / "vendor" / "bbws_scaffold" / "runtime"
    files = [p for p in vendored.rglob("*") if p.is_file() and "__pycache__" not in p.parts]  # the install test runs it
    theirs = {p.relative_to(vendored).as_posix(): p.read_bytes() for p in files}
    assert theirs.keys() == ours.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_the_lock_pins_the_boto3_the_library_names() -> None:
    lock = (ROOT / "blueprints" / "_shared" / "requirements-runtime.txt").read_text()
    assert re.search(r"^boto3==(\S+) ", lock, re.M).group(1) == RUNTIME_BOTO3  # type: ignore[union-attr]
