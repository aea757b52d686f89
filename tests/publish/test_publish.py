"""``bbws-scaffold repo ...`` against the GitHub REST double on 127.0.0.1 and a bare git remote."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.config.environments import load_environments
from bbws_scaffold.errors import PublishError
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.publish.gitops import INITIAL_MESSAGE
from bbws_scaffold.publish.setup import PublishOptions, publish_repo
from tests import yamlio
from tests.paths import CATALOGUE_LLD
from tests.publish.conftest import ORG, TEAMS
from tests.publish.github_double import GitHubDouble, shape_errors

Capture = pytest.CaptureFixture[str]


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


ENVIRONMENTS = {"dev", "sit", "prod", "dev-hotfix", "sit-hotfix", "prod-hotfix"}


def setup_cli(double: GitHubDouble, output: Path, *extra: str) -> list[str]:
    return [
        "repo",
        "setup-from-lld",
        "--lld",
        str(CATALOGUE_LLD),
        "--org",
        ORG,
        "--output",
        str(output),
        "--api-url",
        double.api_url,
        *extra,
    ]


def options(double: GitHubDouble, **kw: object) -> PublishOptions:
    return PublishOptions(org=ORG, api_url=double.api_url, out=lambda _line: None, **kw)  # type: ignore[arg-type]


def ci_job_names(repo: Path) -> list[str]:
    """The test's own reading of the rendered CI workflow: each job's display name."""
    jobs = yamlio.load((repo / ".github/workflows/ci.yml").read_text(encoding="utf-8"))["jobs"]
    return [job.get("name", job_id) for job_id, job in jobs.items()]


def test_setup_from_lld_publishes_everything(
    double: GitHubDouble, tmp_path: Path, token: str, spec: ServiceSpec, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(setup_cli(double, tmp_path / "out")) == 0
    out = capsys.readouterr().out
    local = tmp_path / "out" / spec.repo
    repo = double.repos[(ORG, spec.repo)]

    # repository: private, named by convention, described from the LLD; the printed URL is GitHub's
    assert repo.private is True and repo.name == "2_bbws_catalogue_lambda"
    assert repo.description == "Catalogue Lambda - Low-Level Design (LLD 2.9.1)"
    assert out.strip().splitlines()[-1] == f"https://github.test/{ORG}/{spec.repo}"

    # the push is real: the bare remote's main is the local first commit, with the whole tree
    head = git("rev-parse", "HEAD", cwd=local)
    assert git("--git-dir", str(repo.bare), "rev-parse", "refs/heads/main") == head
    assert git("--git-dir", str(repo.bare), "log", "-1", "--format=%s", "main") == INITIAL_MESSAGE
    remote_files = set(git("--git-dir", str(repo.bare), "ls-tree", "-r", "--name-only", "main").splitlines())
    assert {".github/workflows/ci.yml", "CODEOWNERS", "terraform/main.tf"} <= remote_files
    assert git("remote", "get-url", "origin", cwd=local) == str(repo.bare)

    # environments: reviewers (by id), wait timers, deployments from main only; the hotfix
    # workflow's environments take only hotfix branches, and PROD's needs the business owner only
    envs = repo.environments
    assert set(envs) == ENVIRONMENTS
    assert envs["dev"]["reviewers"] == [] and envs["dev"]["wait_timer"] == 0
    assert envs["sit"]["reviewers"] == [{"type": "Team", "id": double.team_id(ORG, "dev-leads")}]
    assert envs["prod"]["reviewers"] == [
        {"type": "Team", "id": double.team_id(ORG, "business-owners")},
        {"type": "Team", "id": double.team_id(ORG, "tech-leads")},
    ]
    assert envs["prod"]["wait_timer"] == 30 and envs["prod"]["prevent_self_review"] is True
    assert envs["prod-hotfix"]["reviewers"] == [{"type": "Team", "id": double.team_id(ORG, "business-owners")}]
    assert envs["sit-hotfix"]["reviewers"] == envs["sit"]["reviewers"] and envs["dev-hotfix"]["reviewers"] == []
    for name in envs:
        assert envs[name]["dbp"] == {"protected_branches": False, "custom_branch_policies": True}
        branch = "hotfix/*" if name.endswith("-hotfix") else "main"
        assert [(p["name"], p["type"]) for p in repo.branch_policies[name]] == [(branch, "branch")]

    # secrets: the double decrypted them with its private key to the configured values
    conf = load_environments()["envs"]
    for name, env in [*conf.items(), *((f"{k}-hotfix", v) for k, v in conf.items())]:
        # only what a workflow reads: the role its AWS jobs assume (the topic is runtime configuration),
        # this service's own (environments.yaml: bbws-{service}-deploy)
        assert repo.secrets[name] == {"AWS_ROLE_ARN": f"arn:aws:iam::{env['account_id']}:role/bbws-catalogue-deploy"}
    assert repo.secrets["prod"]["AWS_ROLE_ARN"] == "arn:aws:iam::093646564004:role/bbws-catalogue-deploy"

    # protection: one review, code owners, the CI jobs' check names, no force pushes or deletions
    p = repo.protection["main"]
    assert p["required_status_checks"] == {"strict": True, "contexts": ci_job_names(local)}
    assert "Tests with coverage" in p["required_status_checks"]["contexts"]
    assert p["required_pull_request_reviews"]["required_approving_review_count"] == 1
    assert p["required_pull_request_reviews"]["require_code_owner_reviews"] is True
    assert p["allow_force_pushes"] is False and p["allow_deletions"] is False
    assert repo.signatures.get("main", False) is False

    # access: the CODEOWNERS team can write, reviewer teams can read
    assert repo.teams == {"platform-engineering": "push", "dev-leads": "pull", **{t: "pull" for t in TEAMS[2:]}}
    assert "created repository" in out and "environment prod" in out


def test_second_run_changes_nothing(
    double: GitHubDouble, tmp_path: Path, spec: ServiceSpec, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(setup_cli(double, tmp_path / "out")) == 0
    first = len(double.requests)
    capsys.readouterr()

    assert main(setup_cli(double, tmp_path / "out")) == 0
    out = capsys.readouterr().out
    second = double.requests[first:]
    assert second and all(r.method == "GET" for r in second), [(r.method, r.path) for r in second]
    assert f"nothing to change: {ORG}/{spec.repo} is already set up" in out
    assert git("rev-list", "--count", "main", cwd=tmp_path / "out" / spec.repo) == "1"


def test_a_half_finished_run_is_finished_by_running_again(
    double: GitHubDouble, tmp_path: Path, spec: ServiceSpec, capsys: pytest.CaptureFixture[str]
) -> None:
    double.pre_receive = "#!/bin/sh\necho 'remote: refusing for the test' >&2\nexit 1\n"
    assert main(setup_cli(double, tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert "git push of main failed" in err
    repo = double.repos[(ORG, spec.repo)]
    assert not repo.environments and not repo.protection  # stopped at the push

    (repo.bare / "hooks" / "pre-receive").unlink()
    assert main(setup_cli(double, tmp_path / "out")) == 0
    out = capsys.readouterr().out
    assert "created repository" not in out and "git: pushed main" in out
    assert [r.path for r in double.requests if r.method == "POST" and r.path.endswith(f"/orgs/{ORG}/repos")] == [
        f"/api/v3/orgs/{ORG}/repos"
    ]
    assert git("--git-dir", str(repo.bare), "rev-list", "--count", "main") == "1"
    assert set(repo.environments) == ENVIRONMENTS and "main" in repo.protection


def test_drift_is_corrected_and_only_the_drift(double: GitHubDouble, rendered: Path, spec: ServiceSpec) -> None:
    publish_repo(rendered, spec, options(double))
    repo = double.repos[(ORG, spec.repo)]
    repo.environments["prod"]["wait_timer"] = 5
    del repo.secrets["sit"]["AWS_ROLE_ARN"]
    before = len(double.requests)

    result = publish_repo(rendered, spec, options(double))
    writes = [(r.method, r.path.rsplit("/", 3)[-3:]) for r in double.requests[before:] if r.method != "GET"]
    assert writes == [
        ("PUT", ["sit", "secrets", "AWS_ROLE_ARN"]),
        ("PUT", ["2_bbws_catalogue_lambda", "environments", "prod"]),
    ]
    assert repo.environments["prod"]["wait_timer"] == 30
    assert repo.secrets["sit"]["AWS_ROLE_ARN"].endswith(":role/bbws-catalogue-deploy")
    assert len(result.changes) == 2


def test_secret_values_come_from_the_environment_and_are_never_printed(
    double: GitHubDouble, rendered: Path, spec: ServiceSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    value = "arn:aws:iam::093646564004:role/custom-deploy-role"
    monkeypatch.setenv("BBWS_PROD_AWS_ROLE_ARN", value)
    lines: list[str] = []
    result = publish_repo(rendered, spec, PublishOptions(org=ORG, api_url=double.api_url, out=lines.append))
    assert double.repos[(ORG, spec.repo)].secrets["prod"]["AWS_ROLE_ARN"] == value
    shown = "\n".join([*lines, *result.changes, *map(str, result.calls)])
    assert value not in shown and "secret AWS_ROLE_ARN set" in shown


def test_the_token_never_appears_in_output_or_git_config(
    double: GitHubDouble, tmp_path: Path, token: str, spec: ServiceSpec, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(setup_cli(double, tmp_path / "out")) == 0
    assert main(setup_cli(double, tmp_path / "out")) == 0
    double.fail("GET", r".*/environments/dev", 500, message="boom")
    assert main(setup_cli(double, tmp_path / "out")) == 2
    captured = capsys.readouterr()
    assert token not in captured.out + captured.err
    git_dir = tmp_path / "out" / spec.repo / ".git"
    for f in git_dir.rglob("*"):
        if f.is_file():
            assert token.encode() not in f.read_bytes(), f
    # ...while every request did carry it to the API
    assert all(r.authorization == f"token {token}" for r in double.requests)


def test_https_pushes_carry_the_token_as_a_per_command_header_only(token: str) -> None:
    import base64

    from bbws_scaffold.publish.gitops import auth_env

    env = auth_env(token, "https://github.example/org/repo.git")
    header = env[f"GIT_CONFIG_VALUE_{int(env['GIT_CONFIG_COUNT']) - 1}"]
    assert base64.b64decode(header.split()[-1]).decode() == f"x-access-token:{token}"
    assert auth_env(token, "/srv/git/repo.git") == {"GIT_TERMINAL_PROMPT": "0"}  # never sent off-https


# --- errors: one clear line, exit 2 --------------------------------------------------------------


def errors_only(stderr: str) -> str:
    """stderr without the LLD's warnings (an endpoint bound as a stub is one), only what refused."""
    return "".join(ln for ln in stderr.splitlines(True) if ": warning: " not in ln)


def run_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = errors_only(capsys.readouterr().err).strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_401_bad_token(double: GitHubDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    err = run_error(setup_cli(double, tmp_path / "out"), capsys)
    assert "GitHub rejected the token (401 Bad credentials)" in err and "ghp_wrong" not in err


def test_no_token_is_a_clear_error(
    double: GitHubDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capture
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    err = run_error(setup_cli(double, tmp_path / "out"), capsys)
    assert "no GitHub token: set GITHUB_TOKEN or GH_TOKEN" in err
    assert double.requests == []


def test_gh_token_is_accepted(
    double: GitHubDouble, rendered: Path, spec: ServiceSpec, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GH_TOKEN", token)
    assert publish_repo(rendered, spec, options(double)).changed


def test_403_names_the_missing_scope(double: GitHubDouble, tmp_path: Path, capsys: Capture) -> None:
    double.scopes = "repo, admin:repo_hook, read:org"  # no admin:org: team access cannot be granted
    err = run_error(setup_cli(double, tmp_path / "out"), capsys)
    assert "the token lacks the scope needed for PUT /orgs/" in err
    assert "admin:org (the token has: repo, admin:repo_hook, read:org)" in err


def test_404_unknown_org(double: GitHubDouble, tmp_path: Path, capsys: Capture) -> None:
    argv = setup_cli(double, tmp_path / "out")
    argv[argv.index(ORG)] = "NoSuchOrg"
    err = run_error(argv, capsys)
    assert "organisation 'NoSuchOrg' not found (or the token cannot see it)" in err


def test_422_name_taken(double: GitHubDouble, tmp_path: Path, spec: ServiceSpec, capsys: Capture) -> None:
    double.hidden.add((ORG, spec.repo))
    err = run_error(setup_cli(double, tmp_path / "out"), capsys)
    assert f"repository name {ORG}/{spec.repo} is taken" in err and "name already exists on this account" in err


@pytest.mark.parametrize(
    "status,headers,expected_wait",
    [
        (429, {"Retry-After": "7"}, 7.0),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000042"}, 43.0),
    ],
    ids=["429-retry-after", "403-ratelimit-reset"],
)
def test_rate_limits_wait_and_retry(
    double: GitHubDouble, rendered: Path, spec: ServiceSpec, status: int, headers: dict[str, str], expected_wait: float
) -> None:
    double.fail("PUT", r".*/environments/sit", status, headers, message="API rate limit exceeded for user ID 1.")
    slept: list[float] = []
    result = publish_repo(rendered, spec, options(double, sleep=slept.append, clock=lambda: 1700000000.0))
    assert slept == [expected_wait]
    assert double.repos[(ORG, spec.repo)].environments["sit"]["reviewers"]  # the retried call went through
    assert result.changed


def test_a_rate_limit_that_does_not_lift_is_an_error(double: GitHubDouble, rendered: Path, spec: ServiceSpec) -> None:
    double.fail("GET", r".*/teams", 429, {"Retry-After": "1"}, message="slow down")
    double.failures[-1].times = 10
    slept: list[float] = []
    with pytest.raises(PublishError, match=r"GitHub rate limit on GET .*teams.*still limited after 3 wait"):
        publish_repo(rendered, spec, options(double, sleep=slept.append))
    assert slept == [1.0, 1.0, 1.0]


# --- the individual commands ---------------------------------------------------------------------


def test_individual_commands_on_a_rendered_repo(
    double: GitHubDouble, rendered: Path, spec: ServiceSpec, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--repo", str(rendered), "--org", ORG, "--api-url", double.api_url]
    assert main(["repo", "create", *common]) == 0
    assert main(["repo", "push", *common]) == 0
    assert main(["repo", "configure", "--environments", *common]) == 0
    repo = double.repos[(ORG, spec.repo)]
    assert set(repo.environments) == ENVIRONMENTS and not repo.secrets
    assert main(["repo", "secrets", "--env", "prod", *common]) == 0
    assert set(repo.secrets) == {"prod"}
    assert main(["repo", "branches", "--protect", "main", *common]) == 0
    assert main(["repo", "codeowners", *common]) == 0
    assert repo.teams["platform-engineering"] == "push" and "main" in repo.protection
    capsys.readouterr()
    assert main(["repo", "secrets", "--env", "prod", *common]) == 0
    assert "nothing to change" in capsys.readouterr().out
    assert main(["repo", "secrets", "--env", "qa", *common]) == 2
    assert "unknown environment(s) ['qa']" in capsys.readouterr().err


def test_webhook_and_signed_commits_from_configuration(
    double: GitHubDouble, rendered: Path, spec: ServiceSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bbws_scaffold.config.github import DEFAULT_PATH

    raw = yamlio.load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["webhook"]["url"] = "https://hooks.example.test/deployments"
    raw["branch_protection"]["required_signatures"] = True
    config = tmp_path / "github.yaml"
    config.write_text(yamlio.dump(raw), encoding="utf-8")
    monkeypatch.setenv("BBWS_GITHUB_CONFIG", str(config))
    monkeypatch.setenv("BBWS_WEBHOOK_SECRET", "hook-secret-value")

    publish_repo(rendered, spec, options(double))
    repo = double.repos[(ORG, spec.repo)]
    assert repo.signatures["main"] is True
    [hook] = repo.hooks
    assert hook["config"]["url"] == "https://hooks.example.test/deployments"
    assert hook["config"]["secret"] == "hook-secret-value" and sorted(hook["events"]) == [
        "deployment",
        "deployment_status",
    ]
    before = len(double.requests)
    assert not publish_repo(rendered, spec, options(double)).changed
    assert all(r.method == "GET" for r in double.requests[before:])


# --- dry run --------------------------------------------------------------------------------------


def test_dry_run_needs_no_token_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], snapshot
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BBWS_WEBHOOK_URL", "https://hooks.example.test/deployments")
    monkeypatch.setenv("BBWS_WEBHOOK_SECRET", "webhook-secret-3f9a")
    monkeypatch.setenv("BBWS_PROD_AWS_ROLE_ARN", "arn:aws:iam::093646564004:role/secret-role-77")
    argv = ["repo", "setup-from-lld", "--lld", str(CATALOGUE_LLD), "--org", ORG, "--output", "out", "--dry-run"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert not (tmp_path / "out").exists()  # nothing rendered, nothing written
    assert "webhook-secret-3f9a" not in out and "secret-role-77" not in out
    assert '"secret": "<webhook secret: masked>"' in out
    assert out == snapshot

    # `new --publish` is the same path: the same plan, call for call
    assert main(["new", "--lld", str(CATALOGUE_LLD), "--org", ORG, "--output", "out", "--publish", "--dry-run"]) == 0
    assert capsys.readouterr().out == out
    assert not (tmp_path / "out").exists()


def test_publish_options_without_publish_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    # (--dry-run alone is the preview of `new` now: tests/test_cli_json.py)
    assert main(["new", "--lld", str(CATALOGUE_LLD), "--api-url", "https://ghe.example/api/v3"]) == 2
    assert "go with --publish" in capsys.readouterr().err


def test_dry_run_with_read_live_reads_the_real_state(double: GitHubDouble, rendered: Path, spec: ServiceSpec) -> None:
    publish_repo(rendered, spec, options(double))
    before = len(double.requests)
    lines: list[str] = []
    result = publish_repo(
        rendered, spec, PublishOptions(org=ORG, api_url=double.api_url, dry_run=True, read_live=True, out=lines.append)
    )
    assert len(double.requests) > before
    assert all(r.method == "GET" for r in double.requests[before:])
    assert [c for c in result.calls if c.method != "GET"] == []
    assert not any(line.startswith(("PUT", "POST", "PATCH", "DELETE")) for line in lines)


# --- the double refuses what GitHub's documentation does not allow ------------------------------


def test_the_double_checks_bodies_against_the_documented_shapes(double: GitHubDouble, token: str) -> None:
    from tests.publish.github_double import SHAPES

    assert shape_errors({"wait_timer": 30, "reviewers": [{"type": "Team", "id": 1}]}, SHAPES["environment"]) == []
    assert shape_errors({"wait_timer": "30"}, SHAPES["environment"]) == ["body.wait_timer must be integer, not str"]
    assert shape_errors({"reviewers": [{"type": "Org", "id": 1}]}, SHAPES["environment"]) == [
        "body.reviewers[0].type must be one of ['User', 'Team']"
    ]
    assert "body.name is required" in shape_errors({"private": True}, SHAPES["create_repo"])
    assert "body.privat is not a documented field" in shape_errors({"name": "x", "privat": True}, SHAPES["create_repo"])
    status, _, body = double.handle("POST", f"/api/v3/orgs/{ORG}/repos", b'{"nme": "x"}', f"token {token}")
    assert status == 422 and "body.name is required" in body["errors"]


def test_new_publish_publishes_like_setup_from_lld(double: GitHubDouble, tmp_path: Path, spec: ServiceSpec) -> None:
    argv = ["new", "--lld", str(CATALOGUE_LLD), "--org", ORG, "--output", str(tmp_path / "out"), "--publish"]
    assert main([*argv, "--api-url", double.api_url]) == 0
    repo = double.repos[(ORG, spec.repo)]
    head = git("rev-parse", "HEAD", cwd=tmp_path / "out" / spec.repo)
    assert git("--git-dir", str(repo.bare), "rev-parse", "refs/heads/main") == head
    assert set(repo.environments) == ENVIRONMENTS
