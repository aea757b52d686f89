"""Every error names the thing that is wrong: the output folder, the repository, the option.

``WHERE: error: message`` (``bbws_scaffold/errors.py``): ``WHERE`` is the file the command was
given only when the error has no place of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bbws_scaffold.cli import main
from tests.gitrepo import commit_all
from tests.paths import CATALOGUE_LLD
from tests.render.specs import load_spec


def test_an_existing_output_folder_is_named_not_the_lld(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / load_spec(CATALOGUE_LLD).repo
    target.mkdir()
    (target / "mine.txt").write_text("mine\n")
    assert main(["new", "--lld", str(CATALOGUE_LLD), "--output", str(tmp_path)]) == 2
    err = "".join(
        ln for ln in capsys.readouterr().err.splitlines(True) if not ln.startswith("new: ") and ": warning: " not in ln
    )
    assert err.startswith(f"{target}: error: exists and is not empty"), err
    assert CATALOGUE_LLD.name not in err
    assert (target / "mine.txt").read_text() == "mine\n"


@pytest.mark.parametrize("with_lld", [False, True])
def test_update_of_a_folder_that_is_not_git_names_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], with_lld: bool
) -> None:
    repo = tmp_path / "plain"
    repo.mkdir()
    argv = ["update", str(repo)] + (["--lld", str(CATALOGUE_LLD)] if with_lld else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{repo.resolve()}: error: not a git repository"), err
    assert ".copier-answers.yml" not in err and CATALOGUE_LLD.name not in err


def test_a_broken_answers_file_is_named_not_the_lld(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".copier-answers.yml").write_text("- a list, not the answers\n")
    commit_all(repo, "not a render")
    assert main(["update", str(repo), "--lld", str(CATALOGUE_LLD)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{repo.resolve() / '.copier-answers.yml'}: error: not a repository rendered"), err


@pytest.mark.parametrize("prefix", ["x.1", "2..1", "", "2.1a", "../2"])
def test_a_bad_hld_prefix_names_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str], prefix: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["lld", "next-number", "--hld-prefix", prefix, str(tmp_path)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument --hld-prefix: {prefix!r} is not an HLD number" in err, err
    assert "internal error" not in err


@pytest.mark.parametrize(("prefix", "expected"), [("2.1", "2.1.1"), ("2.1.", "2.1.1"), (" 3 ", "3.1")])
def test_a_good_hld_prefix_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prefix: str, expected: str
) -> None:
    assert main(["lld", "next-number", "--hld-prefix", prefix, str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == expected
