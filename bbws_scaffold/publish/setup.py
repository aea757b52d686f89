"""Everything after rendering: :func:`publish_repo` takes a rendered repository and its spec and
makes GitHub match the configuration (repository, first commit and push, team access,
environments, secrets, branch protection, webhook).

``bbws-scaffold repo setup-from-lld`` is render + this; ``bbws-scaffold new --publish`` calls the
same function. Each step is idempotent, so a half-finished run is finished by running it again
and a complete one reports "nothing to change".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

from bbws_scaffold.config.github import PERMISSIONS, GitHubConfig, describe, load_config
from bbws_scaffold.errors import PublishError
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.naming import DEFAULT_ORG
from bbws_scaffold.publish import gitops, reconcile
from bbws_scaffold.publish.client import DEFAULT_API_URL, TOKEN_VARS, Api, Call, DryRunApi, GitHubApi
from bbws_scaffold.publish.desired import ci_check_names, codeowner_teams
from bbws_scaffold.publish.rules import check_api_url, check_org, check_repo_name

STEPS = ("repo", "push", "access", "environments", "secrets", "protection", "webhook")


@dataclass
class PublishOptions:
    org: str = DEFAULT_ORG
    api_url: str = DEFAULT_API_URL
    config: str | Path | None = None  # github.yaml (default: $BBWS_GITHUB_CONFIG or the packaged one)
    dry_run: bool = False
    read_live: bool = False  # with dry_run: read the current state with the token (default: send nothing)
    steps: Collection[str] = STEPS
    only_environments: Collection[str] | None = None  # GitHub environment names; None = all
    protect_branch: str | None = None  # overrides branch_protection.branch
    update_secrets: bool = False  # rewrite secrets that already exist (GitHub cannot show their values)
    token: str | None = None  # default: $GITHUB_TOKEN or $GH_TOKEN
    out: Callable[[str], None] = print
    # transport knobs (tests make waits instant and turn PyGithub's write pacing off)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    throttle: bool = True


@dataclass
class PublishResult:
    full_name: str
    url: str
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def token_from_env() -> str | None:
    for var in TOKEN_VARS:
        if os.environ.get(var):
            return os.environ[var]
    return None


def web_url(api_url: str) -> str:
    """``https://github.com`` for the public API, the host root for GitHub Enterprise."""
    u = urlparse(api_url)
    host = u.netloc.removeprefix("api.") if u.netloc == "api.github.com" else u.netloc
    return f"{u.scheme}://{host}"


def _client(options: PublishOptions) -> Api:
    """The transport. A dry run sends nothing, token or not, unless ``read_live`` asks it to read
    the current state (GETs only, with the token)."""
    if options.dry_run and not options.read_live:
        return DryRunApi(options.out)
    token = options.token or token_from_env()
    live = None
    if token:
        live = GitHubApi(
            token,
            options.api_url,
            sleep=options.sleep,
            clock=options.clock,
            throttle=options.throttle,
            on_wait=options.out,
        )
    if live is None:
        needs = "--read-live reads GitHub with a token" if options.dry_run else "no GitHub token"
        raise PublishError(f"{needs}: set {' or '.join(TOKEN_VARS)} (or use --dry-run)")
    return DryRunApi(options.out, live) if options.dry_run else live


def _access(cfg: GitHubConfig, target: Path, org: str) -> list[tuple[str, str]]:
    """Teams and the permission each needs: CODEOWNERS teams write; environment reviewer teams
    read (GitHub only lets readers review deployments); extra teams as configured."""
    wanted: dict[str, str] = {}

    def need(slug: str, permission: str) -> None:
        if slug not in wanted or PERMISSIONS.index(permission) > PERMISSIONS.index(wanted[slug]):
            wanted[slug] = permission

    for slug in codeowner_teams(target, org):
        need(slug, cfg.codeowners_permission)
    for env in cfg.environments:
        for r in env.reviewers:
            if r.kind == "Team":
                need(r.name, "pull")
    for slug, permission in cfg.extra_teams:
        need(slug, permission)
    return list(wanted.items())


def _push(
    target: Path,
    repo: dict[str, object],
    t: reconcile.Target,
    options: PublishOptions,
    cfg: GitHubConfig,
    report: reconcile.Report,
) -> None:
    branch = cfg.protection.branch
    clone_url = str(repo.get("clone_url") or f"{web_url(options.api_url)}/{t.full_name}.git")
    if options.dry_run:
        if not (target / ".git").exists():
            options.out(f"git init -b {branch} && git add -A && git commit -m '{gitops.INITIAL_MESSAGE}'")
        options.out(f"git push {clone_url} {branch}")
        return
    token = options.token or token_from_env()
    author = gitops.Author(cfg.author_name, cfg.author_email)
    head, committed = gitops.commit_initial(target, author, branch)
    if committed:
        report.change(f"git: initial commit {head[:12]} '{gitops.INITIAL_MESSAGE}'")
    if gitops.remote_sha(target, clone_url, branch, token) != head:
        gitops.push(target, clone_url, branch, token)
        report.change(f"git: pushed {branch} ({head[:12]}) to {clone_url}")


def check_request(options: PublishOptions, repo_name: str) -> None:
    """Everything that must hold before the first request (and before ``setup-from-lld`` renders):
    the names are ones GitHub accepts as they are, and the token may be sent to the API URL."""
    check_org(options.org)
    check_repo_name(repo_name)
    check_api_url(options.api_url)
    if options.read_live and not options.dry_run:
        raise PublishError("goes with --dry-run (a live run reads GitHub anyway)", where="--read-live")


def publish_repo(target: Path, spec: ServiceSpec, options: PublishOptions | None = None) -> PublishResult:
    """Publish the rendered repository at ``target`` (made from ``spec``) to GitHub."""
    options = options or PublishOptions()
    check_request(options, spec.repo)
    unknown = set(options.steps) - set(STEPS)
    if unknown:
        raise PublishError(f"unknown publish steps {sorted(unknown)}")
    cfg = load_config(options.config, service=spec.service_slug)
    target = Path(target)
    if not target.is_dir():
        raise PublishError(f"{target} is not a rendered repository folder")
    if options.protect_branch:
        cfg = replace(cfg, protection=replace(cfg.protection, branch=options.protect_branch))
    envs = [e for e in cfg.environments if options.only_environments is None or e.name in options.only_environments]
    if options.only_environments is not None and len(envs) != len(set(options.only_environments)):
        known = ", ".join(e.name for e in cfg.environments)
        raise PublishError(f"unknown environment(s) {sorted(options.only_environments)}; configured: {known}")
    checks = ci_check_names(target) if "protection" in options.steps else []

    api = _client(options)
    t = reconcile.Target(options.org, spec.repo)
    report = reconcile.Report()
    steps = set(options.steps)
    repo: dict[str, object] = {}
    if steps & {"repo", "push"}:
        repo = reconcile.ensure_repo(api, t, cfg, describe(cfg.description, spec.title, spec.lld_number), report)
    if "push" in steps:
        _push(target, repo, t, options, cfg, report)
    if "access" in steps:
        reconcile.ensure_access(api, t, _access(cfg, target, options.org), report)
    ids = reconcile.Reviewers(api, options.org)
    for env in envs:
        if "environments" in steps:
            reconcile.ensure_environment(api, t, env, cfg, ids, report)
        if "secrets" in steps:
            reconcile.ensure_secrets(api, t, env, report, update=options.update_secrets)
    if "protection" in steps:
        reconcile.ensure_protection(api, t, cfg.protection, checks, report)
    if "webhook" in steps:
        if cfg.webhook is None:
            report.notes.append("no webhook configured (webhook.url / BBWS_WEBHOOK_URL)")
        else:
            reconcile.ensure_webhook(api, t, cfg.webhook, report)
    url = str(repo.get("html_url") or f"{web_url(options.api_url)}/{t.full_name}")
    return PublishResult(t.full_name, url, report.changes, report.notes, list(api.calls), options.dry_run)


def format_result(result: PublishResult) -> str:
    """What the CLI prints after a run."""
    if result.dry_run:
        writes = [c for c in result.calls if c.method != "GET"]
        head = [f"dry run: {len(result.calls)} API call(s), {len(writes)} of them changes; nothing was sent"]
    elif result.changed:
        head = [f"  {c}" for c in result.changes]
    else:
        head = [f"nothing to change: {result.full_name} is already set up"]
    return "\n".join([*head, *(f"  note: {n}" for n in result.notes), result.url])
