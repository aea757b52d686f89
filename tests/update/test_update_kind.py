"""``update --lld`` reads the LLD as ``new`` does: a document that is not a service LLD is refused
before anything is touched, and ``--assume-lld`` reads it anyway (issue 13, "Not an LLD")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bbws_scaffold.cli import main
from tests.gitrepo import status

pytestmark = pytest.mark.e2e


def test_update_refuses_a_misfiled_document_unless_told(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # the CRUD LLD with a title that does not say LLD, filed under a BRS name
    written = lld(lambda text: text.replace("# Catalogue Lambda - Low-Level Design", "# Catalogue"))
    misfiled = written.rename(written.with_name("2.9_BRS_Catalogue.md"))
    assert main(["update", str(repo), "--lld", str(misfiled)]) == 2
    assert "not a service LLD: its file name '2.9_BRS_Catalogue.md' says it is a BRS" in capsys.readouterr().err
    assert status(repo) == ""
    assert main(["update", str(repo), "--lld", str(misfiled), "--assume-lld", "--dry-run"]) == 0
    assert status(repo) == ""
