"""``update`` needs only the installed library: the recorded template source may be unreachable.

The recorded ``_src_path`` here is a loopback URL nothing listens on, the stand-in for GitHub seen
from an offline machine, a firewalled network, or before the project is published.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import copier
import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.plan.answers import answers_data
from bbws_scaffold.render.new import render, template_ref
from bbws_scaffold.render.update import HISTORY_ENV, update
from tests.gitrepo import commit_all, git, status, template_source
from tests.paths import CATALOGUE_LLD, ROOT
from tests.update.llds import add_status_endpoint_and_gsi

pytestmark = pytest.mark.e2e

UNREACHABLE = "http://127.0.0.1:9/BigBeardWebSolutions/bbws-scaffold.git"  # the discard port: refused
NOTE = "\n## Team notes\n\nOn call: the catalogue squad.\n"


def test_update_at_the_installed_version_needs_no_template_source(
    tmp_path: Path, lld: Callable[[Callable[[str], str]], Path]
) -> None:
    repo = render(parse_file(CATALOGUE_LLD), tmp_path / "out", template_src=UNREACHABLE)
    (repo / "README.md").write_text((repo / "README.md").read_text() + NOTE)
    commit_all(repo, "scaffold, with a note")

    assert update(repo).changes == {"added": [], "modified": [], "removed": []}  # the replay
    result = update(repo, lld=str(lld(add_status_endpoint_and_gsi)))

    assert result.conflicts == []
    assert "src/handlers/list_products_by_status.py" in result.changes["added"]
    assert (repo / "README.md").read_text().endswith(NOTE)
    answers = (repo / ".copier-answers.yml").read_text()
    assert f"_src_path: {UNREACHABLE}\n" in answers and f"_commit: {template_ref()}\n" in answers


def test_an_older_release_comes_from_the_shipped_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the project's history: a release v0.0.9 whose README template lacks a line, then this one
    src = template_source(tmp_path / "bbws-scaffold", "v0.0.9")
    readme = src / "blueprints/lambda_service/README.md.jinja"
    text = readme.read_text()
    older = text.replace("\n", "\n\nReleased as 0.0.9.\n", 1)
    readme.write_text(older)
    commit_all(src, "release 0.0.9")
    git(src, "tag", "-f", "v0.0.9")
    readme.write_text(text)
    commit_all(src, "release: this one")
    git(src, "tag", template_ref())
    bundle = tmp_path / "template-history.bundle"
    git(src, "bundle", "create", str(bundle), "--tags")
    # a repo that release made, its source since gone from reach, with a hand edit
    repo = tmp_path / "repo"
    data = answers_data(parse_file(CATALOGUE_LLD), "acme")
    copier.run_copy(str(src), str(repo), data=data, vcs_ref="v0.0.9", defaults=True, overwrite=True, quiet=True)
    answers = repo / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(f"_src_path: {src}\n", f"_src_path: {UNREACHABLE}\n"))
    assert "Released as 0.0.9." in (repo / "README.md").read_text()
    (repo / "README.md").write_text((repo / "README.md").read_text() + NOTE)
    commit_all(repo, "scaffold at 0.0.9, with a note")
    shutil.rmtree(src)

    # without the history the old render cannot be had: one line, at the recorded source
    monkeypatch.setenv(HISTORY_ENV, str(tmp_path / "none.bundle"))
    assert main(["update", str(repo)]) == 2
    err = capsys.readouterr().err
    err = "".join(ln for ln in err.splitlines(True) if not ln.startswith("update: "))  # progress lines
    line = answers.read_text().splitlines().index(f"_src_path: {UNREACHABLE}") + 1
    assert err.startswith(f"{answers}:{line}: error: cannot render the template source {UNREACHABLE} at v0.0.9")
    assert err.count("\n") == 1 and "fatal:" not in err and str(CATALOGUE_LLD) not in err
    assert status(repo) == ""

    monkeypatch.setenv(HISTORY_ENV, str(bundle))
    result = update(repo)

    assert result.conflicts == []
    readme_now = (repo / "README.md").read_text()
    assert "Released as 0.0.9." not in readme_now and readme_now.endswith(NOTE)
    assert result.changes["modified"] == [".copier-answers.yml", "README.md"]
    assert f"_commit: {template_ref()}\n" in answers.read_text()


def test_the_wheel_build_bundles_the_release_tags_only(tmp_path: Path) -> None:
    import tomllib

    from bbws_scaffold.render.update import HISTORY_BUNDLE, bundle_tags
    from hatch_build import BUNDLE, make_bundle

    checkout = template_source(tmp_path / "checkout", "v0.0.9")
    git(checkout, "tag", "experiment")
    (checkout / "copier.yml").write_text((checkout / "copier.yml").read_text() + "# next\n")
    commit_all(checkout, "unreleased work")
    dest = tmp_path / "out.bundle"

    assert make_bundle(checkout, dest)

    assert bundle_tags(dest) == {"v0.0.9"}
    # the bundle lands beside copier.yml in the wheel, where the installed library looks for it
    assert BUNDLE == f"bbws_scaffold/data/{HISTORY_BUNDLE}"
    hooks = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "custom" in hooks["hooks"] and hooks["force-include"]["copier.yml"] == "bbws_scaffold/data/copier.yml"
    assert not make_bundle(template_source(tmp_path / "untagged", "experiment"), tmp_path / "none.bundle")
