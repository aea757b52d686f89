"""``new --force`` never deletes what the generator does not own.

The rule (``bbws-scaffold new --help``, README): ``--force`` replaces only a previous render (its
``.copier-answers.yml`` present) that is not a git repository and holds nothing but files the
render writes, its business-logic files (copier's ``_skip_if_exists``: ``src/services/*_logic.py``)
exactly as the render writes them. Anything else is refused before a file is touched, naming the
first path that would be lost and pointing to ``bbws-scaffold update``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.errors import RenderError
from bbws_scaffold.render.new import render
from tests.gitrepo import commit_all, git
from tests.paths import CATALOGUE_LLD
from tests.render.specs import load_spec

HAND_WRITTEN = "\n\n# hand-written business rule: never lost\nLIMIT = 42\n"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One render of the catalogue LLD, copied by each test (rendering is the slow part)."""
    return render(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def previous(pristine: Path, tmp_path: Path) -> Path:
    """A previous render of the catalogue LLD in ``tmp_path/out``, as ``new`` left it."""
    target = tmp_path / "out" / pristine.name
    shutil.copytree(pristine, target, symlinks=True)
    return target


def logic_file(repo: Path) -> Path:
    files = sorted((repo / "src" / "services").glob("*_logic.py"))
    assert files, "the catalogue render has business-logic modules"
    return files[0]


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def new_force(target: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["new", "--lld", str(CATALOGUE_LLD), "--output", str(target.parent), "--force"])
    return code, capsys.readouterr().err


def assert_refused(target: Path, before: dict[str, bytes], code: int, err: str, names: str) -> None:
    assert code == 2
    # the location is the folder that is wrong, not the LLD
    error = [line for line in err.splitlines() if ": error: " in line]  # after the progress lines
    assert len(error) == 1 and error[0].startswith(f"{target}: error: refusing to replace it: {names}"), err
    assert "bbws-scaffold update" in err
    assert snapshot(target) == before  # nothing touched
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temp folder left


def test_force_refuses_a_git_repository(previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = commit_all(previous, "feat: initial scaffold")
    logic = logic_file(previous)
    logic.write_text(logic.read_text() + HAND_WRITTEN)
    git(previous, "commit", "-qam", "business rule")
    before = snapshot(previous)
    code, err = new_force(previous, capsys)
    assert_refused(previous, before, code, err, "it is a git repository")
    assert git(previous, "rev-list", "--count", "HEAD").strip() == "2"
    assert git(previous, "rev-parse", "HEAD~1").strip() == head


def test_force_refuses_an_edited_logic_file(previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logic = logic_file(previous)
    logic.write_text(logic.read_text() + HAND_WRITTEN)
    before = snapshot(previous)
    code, err = new_force(previous, capsys)
    assert_refused(previous, before, code, err, f"{logic.relative_to(previous).as_posix()} is yours")
    assert logic.read_text().endswith(HAND_WRITTEN)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("NOTES.md", "NOTES.md is not a file bbws-scaffold writes"),  # a file of the user's beside the generated ones
        ("src/handlers/scratch.py", "src/handlers/scratch.py"),  # inside a generated folder
        (".venv/pyvenv.cfg", ".venv/"),  # a folder the generator never writes
    ],
)
def test_force_refuses_a_file_the_generator_does_not_write(
    previous: Path, capsys: pytest.CaptureFixture[str], extra: str, named: str
) -> None:
    (previous / extra).parent.mkdir(parents=True, exist_ok=True)
    (previous / extra).write_text("mine\n")
    before = snapshot(previous)
    code, err = new_force(previous, capsys)
    assert_refused(previous, before, code, err, named)


def test_force_refuses_a_symlink_in_the_folder(previous: Path) -> None:
    os.symlink("README.md", previous / "LINK.md")
    with pytest.raises(RenderError, match="LINK.md is not a file bbws-scaffold writes"):
        render(load_spec(CATALOGUE_LLD), previous.parent, force=True)
    assert (previous / "LINK.md").is_symlink()


def test_force_refuses_a_folder_no_render_made(tmp_path: Path) -> None:
    spec = load_spec(CATALOGUE_LLD)
    target = tmp_path / spec.repo
    target.mkdir()
    (target / "README.md").write_text("my own project\n")
    with pytest.raises(RenderError, match="has no .copier-answers.yml"):
        render(spec, tmp_path, force=True)
    assert (target / "README.md").read_text() == "my own project\n"


def test_force_refuses_a_plain_file_in_the_way(tmp_path: Path) -> None:
    spec = load_spec(CATALOGUE_LLD)
    (tmp_path / spec.repo).write_text("a file, not a repository\n")
    with pytest.raises(RenderError, match="it is not a folder"):
        render(spec, tmp_path, force=True)
    assert (tmp_path / spec.repo).read_text() == "a file, not a repository\n"


def test_force_replaces_a_previous_render(pristine: Path, previous: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Generated files (edited or deleted) and untouched logic stubs are the generator's to replace."""
    (previous / "README.md").write_text("stale\n")
    next(previous.glob("src/handlers/[!_]*.py")).unlink()
    code, err = new_force(previous, capsys)
    assert code == 0, err
    assert snapshot(previous) == snapshot(pristine)
    assert sorted(p.name for p in previous.parent.iterdir()) == [previous.name]
