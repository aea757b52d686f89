"""What publishing checks before its first request: a dry run sends nothing (token or not) unless
``--read-live`` asks; the token never travels over plain http off this machine; a repository
name GitHub would refuse or rename is refused. The GitHub double records every request with its
``Authorization`` header, so "nothing was sent" is what the server saw, not what the client says.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.errors import PublishError
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.publish import client
from bbws_scaffold.publish.rules import REPO_NAME_MAX, check_api_url, repo_name_problem
from bbws_scaffold.publish.setup import PublishOptions, publish_repo
from tests.paths import CATALOGUE_LLD
from tests.publish.conftest import ORG
from tests.publish.github_double import GitHubDouble
from tests.publish.test_publish import errors_only, setup_cli

Capture = pytest.CaptureFixture[str]


def test_dry_run_with_a_token_sends_nothing(double: GitHubDouble, tmp_path: Path, token: str, capsys: Capture) -> None:
    """The reported case: GITHUB_TOKEN set, --dry-run, an http:// API URL on 127.0.0.1."""
    assert double.api_url.startswith("http://127.0.0.1:")
    assert main(setup_cli(double, tmp_path / "out", "--dry-run")) == 0
    out = capsys.readouterr()
    assert double.requests == []  # not one request reached the server, so no token either
    assert "nothing was sent" in out.out
    assert token not in out.out + out.err
    assert not (tmp_path / "out").exists()


def test_read_live_reads_with_the_token_and_writes_nothing(
    double: GitHubDouble, tmp_path: Path, token: str, capsys: Capture
) -> None:
    assert main(setup_cli(double, tmp_path / "out", "--dry-run", "--read-live")) == 0
    out = capsys.readouterr()
    assert double.requests, "--read-live reads the current state"
    assert {r.method for r in double.requests} == {"GET"}
    assert {r.authorization for r in double.requests} == {f"token {token}"}
    assert token not in out.out + out.err


def test_read_live_needs_a_token(
    double: GitHubDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(setup_cli(double, tmp_path / "out", "--dry-run", "--read-live")) == 2
    assert "--read-live reads GitHub with a token: set GITHUB_TOKEN or GH_TOKEN" in capsys.readouterr().err
    assert double.requests == []


def test_read_live_goes_with_dry_run(double: GitHubDouble, tmp_path: Path, capsys: Capture) -> None:
    assert main(setup_cli(double, tmp_path / "out", "--read-live")) == 2
    assert errors_only(capsys.readouterr().err).startswith("--read-live: error: goes with --dry-run")
    assert double.requests == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://api.github.com",
        "http://ghe.example.com/api/v3",
        "http://10.0.0.1/api/v3",
        "http://localhost.example.com/api/v3",  # a name that merely starts like loopback
        "http://127.0.0.1.example.com/api/v3",
        "ftp://ghe.example.com/api/v3",
        "https://user:hunter2@ghe.example.com/api/v3",
        "https://ghe.example.com:port/api/v3",
        "ghe.example.com/api/v3",
    ],
)
def test_an_api_url_the_token_must_not_go_to_is_refused_before_anything(
    tmp_path: Path, token: str, capsys: Capture, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    def no_request(*args: object, **kwargs: object) -> None:  # tests reach only loopback, even on a regression
        raise AssertionError(f"a request was attempted: {args[1:3]}")

    monkeypatch.setattr(client.GitHubApi, "request", no_request)
    argv = ["repo", "setup-from-lld", "--lld", str(CATALOGUE_LLD), "--org", ORG, "--output", str(tmp_path / "out")]
    assert main([*argv, "--api-url", url]) == 2
    err = errors_only(capsys.readouterr().err)
    assert err.startswith("--api-url: error: "), err
    assert token not in err and "hunter2" not in err
    assert not (tmp_path / "out").exists()  # refused before rendering, so before any request


@pytest.mark.parametrize(
    "url",
    [
        "https://api.github.com",
        "https://ghe.example.com/api/v3",
        "http://127.0.0.1:8080/api/v3",
        "http://127.45.6.7/api/v3",  # all of 127.0.0.0/8 is loopback
        "http://[::1]:8080/api/v3",
        "http://localhost:8080/api/v3",
        "http://LOCALHOST/api/v3",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    check_api_url(url)


# GitHub, "Repository limits" > "Repository name": at most 100 characters; ASCII letters, digits,
# '.', '-', '_' (anything else becomes '-'); a '.git' suffix is removed; '.wiki' is reserved.
REFUSED = [
    "a" * (REPO_NAME_MAX + 1),
    "2_bbws_catalogue_lambda.git",
    "2_bbws_catalogue_lambda.GIT",
    "2_bbws_catalogue.wiki",
    "2_bbws_café_lambda",
    "2 bbws lambda",
    "2_bbws/lambda",
    ".",
    "..",
    "",
]
ACCEPTED = ["a" * REPO_NAME_MAX, "2_bbws--catalogue_lambda", "2_bbws_catalogue_", "2.bbws-catalogue_lambda", "_x"]


@pytest.mark.parametrize("name", REFUSED)
def test_a_repository_name_github_would_refuse_is_refused_before_any_request(
    double: GitHubDouble, rendered: Path, spec: ServiceSpec, name: str
) -> None:
    bad = spec.model_copy(update={"repo": name})
    with pytest.raises(PublishError, match="cannot be published to GitHub"):
        publish_repo(rendered, bad, PublishOptions(org=ORG, api_url=double.api_url, out=lambda _line: None))
    assert double.requests == []
    assert double.repos == {}


@pytest.mark.parametrize("name", ACCEPTED)
def test_names_github_documents_as_valid_are_accepted(name: str) -> None:
    assert repo_name_problem(name) is None


def test_an_accepted_name_is_created_as_it_is(double: GitHubDouble, rendered: Path, spec: ServiceSpec) -> None:
    name = "2_bbws--catalogue_lambda_"
    options = PublishOptions(org=ORG, api_url=double.api_url, out=lambda _line: None, steps=("repo",))
    result = publish_repo(rendered, spec.model_copy(update={"repo": name}), options)
    assert result.full_name == f"{ORG}/{name}"
    assert (ORG, name) in double.repos
