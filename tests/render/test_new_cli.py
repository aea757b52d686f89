"""``new`` as a command: atomic, refuses non-empty targets, records a resolvable template source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bbws_scaffold.commands import new as new_command
from bbws_scaffold.errors import RenderError
from bbws_scaffold.render import new
from bbws_scaffold.render.new import render
from tests.gitrepo import commit_all, status, template_source
from tests.paths import CATALOGUE_LLD, ROOT
from tests.render.specs import catalogue_spec


def test_refuses_non_empty_target_and_force_never_deletes_a_foreign_folder(tmp_path: Path) -> None:
    spec = catalogue_spec()
    target = tmp_path / spec.repo
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(RenderError, match="not empty"):
        render(spec, tmp_path)
    assert (target / "keep.txt").read_text() == "mine"
    # no answers file: not a previous render, so --force is refused too (tests/render/test_new_force.py)
    with pytest.raises(RenderError, match="bbws-scaffold did not render it"):
        render(spec, tmp_path, force=True)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [spec.repo]


def test_empty_target_folder_is_fine(tmp_path: Path) -> None:
    spec = catalogue_spec()
    (tmp_path / spec.repo).mkdir()
    render(spec, tmp_path)
    assert (tmp_path / spec.repo / "README.md").is_file()


def test_nothing_is_left_behind_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import copier

    def boom(*args: object, **kwargs: object) -> None:
        dst = Path(str(args[1]))
        (dst / "half.txt").write_text("half-written")
        raise RuntimeError("render failed")

    monkeypatch.setattr(copier, "run_copy", boom)
    with pytest.raises(RuntimeError):
        render(catalogue_spec(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_colliding_module_names_are_refused(tmp_path: Path) -> None:
    spec = catalogue_spec()
    spec.functions.append(spec.functions[0].model_copy(update={"name": "Create-Product"}))
    with pytest.raises(RenderError, match="create_product"):
        render(spec, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cli_prints_tree_and_next_steps(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "bbws_scaffold", "new", "--lld", str(CATALOGUE_LLD), "--output", str(tmp_path)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "created" in res.stdout and "src/handlers/" in res.stdout and "pytest" in res.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_cmd_new_direct(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    new_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["new", "--lld", str(CATALOGUE_LLD), "--output", str(tmp_path), "--org", "acme"])
    assert args.func(args) == 0
    repo = next(tmp_path.iterdir())
    assert "@acme/" in (repo / "CODEOWNERS").read_text()


@pytest.mark.e2e
def test_copier_update_resolves_the_recorded_source(tmp_path: Path) -> None:
    """A local tagged git clone stands in for the project's public repository."""
    src = template_source(tmp_path / "bbws-scaffold", new.template_ref())
    repo = render(catalogue_spec(), tmp_path / "out", template_src=str(src))
    answers = (repo / ".copier-answers.yml").read_text()
    assert f"_commit: {new.template_ref()}" in answers
    commit_all(repo, "scaffold")
    readme = (repo / "README.md").read_text()
    assert "\ncopier update --defaults\n" in readme  # the command the generated README documents

    res = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults"], cwd=repo, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert status(repo) == ""


def test_summary_groups_files_by_folder(tmp_path: Path) -> None:
    for rel in [
        "README.md",
        "terraform/main.tf",
        "terraform/lambda.tf",
        "terraform/backend/dev.hcl",
        "src/handlers/a.py",
        "src/handlers/b.py",
        ".github/workflows/ci.yml",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    lines = new_command.summary(tmp_path, catalogue_spec()).splitlines()
    assert lines[0] == f"created {tmp_path} (7 files)"
    assert lines[1:6] == [
        "  .github/workflows/  (1 files)",
        "  README.md",
        "  src/handlers/  (2 files)",
        "  terraform/  (2 files)",
        "  terraform/backend/  (1 files)",
    ]
