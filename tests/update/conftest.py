"""A generated CRUD repo, committed, with a local tagged git clone as its template source."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.render.new import render, template_ref
from tests.gitrepo import commit_all, template_source
from tests.paths import CATALOGUE_LLD


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template at this library's version tag (what `new` records)."""
    return template_source(tmp_path_factory.mktemp("src") / "bbws-scaffold", template_ref())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    """The CRUD example rendered from ``source`` and committed: copy it, don't modify it."""
    repo = render(parse_file(CATALOGUE_LLD), tmp_path_factory.mktemp("gen"), template_src=str(source))
    commit_all(repo, "feat: initial scaffold from LLD")
    return repo


@pytest.fixture
def repo(generated: Path, tmp_path: Path) -> Path:
    """A private copy (with its .git) of the generated repo."""
    dst = tmp_path / generated.name
    shutil.copytree(generated, dst, symlinks=True)
    return dst


@pytest.fixture
def lld(tmp_path: Path) -> Callable[[Callable[[str], str]], Path]:
    """Write a changed copy of the CRUD LLD: ``lld(lambda text: ...)``."""

    def write(change: Callable[[str], str]) -> Path:
        text = CATALOGUE_LLD.read_text(encoding="utf-8")
        changed = change(text)
        assert changed != text, "the change did not apply"
        path = tmp_path / "lld" / CATALOGUE_LLD.name
        path.parent.mkdir(exist_ok=True)
        path.write_text(changed, encoding="utf-8")
        return path

    return write
