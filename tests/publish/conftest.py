"""Fixtures for the publisher tests: the GitHub double on 127.0.0.1, a token, a rendered repo."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.publish import client
from tests.paths import CATALOGUE_LLD
from tests.publish.github_double import GitHubDouble

ORG = "BigBeardWebSolutions"
TEAMS = ["platform-engineering", "dev-leads", "business-owners", "tech-leads"]


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    value = "ghp_" + secrets.token_hex(18)  # unique per test, so a leak is unambiguous
    monkeypatch.setenv("GITHUB_TOKEN", value)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    return value


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pacing between requests, the packaged configuration, no stray settings from the shell."""
    monkeypatch.setattr(client, "REQUEST_INTERVAL", None)
    monkeypatch.setattr(client, "WRITE_INTERVAL", None)
    for var in ("BBWS_GITHUB_CONFIG", "BBWS_ENVIRONMENTS", "BBWS_WEBHOOK_URL", "BBWS_WEBHOOK_SECRET", "BBWS_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    for env in ("DEV", "SIT", "PROD"):
        for name in ("AWS_ROLE_ARN",):
            monkeypatch.delenv(f"BBWS_{env}_{name}", raising=False)


@pytest.fixture
def double(tmp_path: Path, token: str) -> Iterator[GitHubDouble]:
    remotes = tmp_path / "remotes"
    remotes.mkdir()
    with GitHubDouble(remotes, token) as d:
        d.add_org(ORG, TEAMS)
        yield d


@pytest.fixture(scope="session")
def spec() -> ServiceSpec:
    return parse_file(CATALOGUE_LLD, [])


@pytest.fixture(scope="session")
def _rendered_once(tmp_path_factory: pytest.TempPathFactory, spec: ServiceSpec) -> Path:
    from bbws_scaffold.render.new import render

    return render(spec, tmp_path_factory.mktemp("rendered"), org=ORG)


@pytest.fixture
def rendered(tmp_path: Path, _rendered_once: Path) -> Path:
    """A fresh copy of the rendered example repository (no .git yet)."""
    target = tmp_path / "work" / _rendered_once.name
    shutil.copytree(_rendered_once, target)
    return target
