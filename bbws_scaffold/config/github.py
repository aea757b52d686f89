"""What GitHub should look like: ``github.yaml`` (who approves, what is enforced) joined with
environments.yaml (accounts, regions, approval counts, wait timers).

The default is ``bbws_scaffold/data/github.yaml``; ``--config FILE`` or ``BBWS_GITHUB_CONFIG``
points at another copy. Every name that ends up in a URL path (teams, users, environments,
secrets) is checked against GitHub's own character set here, once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bbws_scaffold.config.environments import load_environments
from bbws_scaffold.errors import GitHubConfigError
from bbws_scaffold.yamlfile import read_yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "github.yaml"
ENV_VAR = "BBWS_GITHUB_CONFIG"

_SLUG_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9_])?$")
_LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$")
_SECRET_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_ENVVAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_{}]*$")
_BRANCH_RE = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
_BRANCH_PATTERN_RE = re.compile(r"^[A-Za-z0-9._/*-]{1,200}$")  # GitHub's fnmatch-style policy names
PERMISSIONS = ("pull", "triage", "push", "maintain", "admin")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Reviewer:
    kind: str  # "Team" or "User", as the environments API spells it
    name: str  # team slug or user login


@dataclass(frozen=True)
class SecretSource:
    name: str
    env: str | None  # environment variable pattern, "{ENV}" = upper-case environment name
    field: str | None  # field of the resolved environment (environments.yaml)


@dataclass(frozen=True)
class EnvironmentPlan:
    """One GitHub environment as it should be."""

    name: str  # the GitHub environment name
    key: str  # the environments.yaml key (dev, sit, prod)
    wait_timer: int
    reviewers: tuple[Reviewer, ...]
    secrets: dict[str, str] = field(compare=False, repr=False)  # name -> value (never printed)
    branch: str = "main"  # deployments only from branches matching this name pattern


@dataclass(frozen=True)
class Protection:
    branch: str
    required_approving_review_count: int
    dismiss_stale_reviews: bool
    require_code_owner_reviews: bool
    strict_status_checks: bool
    enforce_admins: bool
    required_linear_history: bool
    required_conversation_resolution: bool
    allow_force_pushes: bool
    allow_deletions: bool
    required_signatures: bool


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str | None = field(repr=False)
    content_type: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class GitHubConfig:
    source: str
    private: bool
    description: str
    repo_settings: dict[str, bool]
    author_name: str
    author_email: str
    deployment_branch: str
    prevent_self_review: bool
    environments: tuple[EnvironmentPlan, ...]
    protection: Protection
    codeowners_permission: str
    extra_teams: tuple[tuple[str, str], ...]  # (slug, permission)
    webhook: Webhook | None


def default_path() -> Path:
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else DEFAULT_PATH


def sns_topic_arn(env: Mapping[str, Any]) -> str:
    """The environment's deployment-notification topic: configured, else the platform convention."""
    configured = env.get("sns_topic_arn")
    if configured:
        return str(configured)
    return f"arn:aws:sns:{env['region']}:{env['account_id']}:bbws-deployments-{env['name']}"


def load_config(
    path: str | Path | None = None,
    environments: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> GitHubConfig:
    """Read and validate ``github.yaml`` and resolve it against the deployment environments."""
    src = Path(path) if path is not None else default_path()
    raw = read_yaml(src, "GitHub configuration", GitHubConfigError)
    envs = environments if environments is not None else load_environments()
    return resolve_config(raw, envs, os.environ if environ is None else environ, source=str(src))


class _Reader:
    """Typed access to the parsed YAML with errors that name the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, msg: str) -> GitHubConfigError:
        return GitHubConfigError(f"{self.source}: {msg}")

    def section(self, raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = raw.get(key) or {}
        if not isinstance(value, Mapping):
            raise self.fail(f"`{key}` must be a mapping")
        return value

    def boolean(self, raw: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"`{where}.{key}` must be true or false")
        return value

    def text(self, raw: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        value = raw.get(key, default)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"`{where}.{key}` must be a string")
        return value

    def name(self, value: Any, pattern: re.Pattern[str], what: str) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise self.fail(f"{what} {value!r} is not a valid name")
        return value


def _reviewers(r: _Reader, raw: Any, where: str) -> tuple[Reviewer, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise r.fail(f"`{where}` must be a list of {{team: SLUG}} or {{user: LOGIN}}")
    out: list[Reviewer] = []
    for item in raw:
        if not isinstance(item, Mapping) or len(item) != 1 or not ({"team", "user"} & set(item)):
            raise r.fail(f"`{where}` entries must be {{team: SLUG}} or {{user: LOGIN}}, not {item!r}")
        if "team" in item:
            out.append(Reviewer("Team", r.name(item["team"], _SLUG_RE, f"{where}: team")))
        else:
            out.append(Reviewer("User", r.name(item["user"], _LOGIN_RE, f"{where}: user")))
    if len(set(out)) != len(out):
        raise r.fail(f"`{where}` lists a reviewer twice")
    if len(out) > 6:
        raise r.fail(f"`{where}`: GitHub allows at most 6 reviewers per environment")
    return tuple(out)


def _secret_sources(r: _Reader, raw: Mapping[str, Any]) -> list[SecretSource]:
    out = []
    for name, spec in raw.items():
        r.name(name, _SECRET_RE, "secret")
        if name.upper().startswith("GITHUB_"):
            raise r.fail(f"secret {name!r}: GitHub reserves the GITHUB_ prefix")
        if not isinstance(spec, Mapping) or not ({"env", "from"} & set(spec)) or set(spec) - {"env", "from"}:
            raise r.fail(f"secrets.{name} must have `env` and/or `from`")
        env = spec.get("env")
        if env is not None:
            r.name(env, _ENVVAR_RE, f"secrets.{name}.env")
        src = spec.get("from")
        if src is not None and not isinstance(src, str):
            raise r.fail(f"secrets.{name}.from must name an environment field")
        out.append(SecretSource(str(name), env, src))
    return out


def _secret_value(r: _Reader, s: SecretSource, env: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    if s.env:
        value = environ.get(s.env.replace("{ENV}", env["name"].upper()).replace("{env}", env["name"]))
        if value:
            return value
    if s.field == "sns_topic_arn":
        return sns_topic_arn(env)
    if s.field:
        value = env.get(s.field)
        if isinstance(value, str) and value:
            return value
        raise r.fail(f"secrets.{s.name}.from: environment {env['name']!r} has no field {s.field!r}")
    raise r.fail(f"secrets.{s.name}: environment variable {s.env} is not set for {env['name']}")


def resolve_config(
    raw: Any, environments: Mapping[str, Any], environ: Mapping[str, str], source: str = "<github config>"
) -> GitHubConfig:
    r = _Reader(source)
    if not isinstance(raw, Mapping):
        raise r.fail("top level must be a mapping")
    repo = r.section(raw, "repository")
    author = r.section(raw, "commit_author")
    env_cfg = r.section(raw, "environments")
    unknown = set(env_cfg) - set(environments["envs"])
    if unknown:
        raise r.fail(f"environments {sorted(unknown)} are not in the environments configuration")
    branch = r.name(raw.get("deployment_branch", "main"), _BRANCH_RE, "deployment_branch")
    hotfix_branch = r.name(raw.get("hotfix_branch", "hotfix/*"), _BRANCH_PATTERN_RE, "hotfix_branch")
    sources = _secret_sources(r, r.section(raw, "secrets"))

    plans = []
    for key in environments["order"]:
        env = environments["envs"][key]
        cfg = env_cfg.get(key) or {}
        if not isinstance(cfg, Mapping):
            raise r.fail(f"environments.{key} must be a mapping")
        reviewers = _reviewers(r, cfg.get("reviewers"), f"environments.{key}.reviewers")
        if len(reviewers) < int(env["required_reviewers"]):
            raise r.fail(
                f"environments.{key}.reviewers lists {len(reviewers)} reviewer(s) but environments "
                f"configuration requires {env['required_reviewers']}"
            )
        secrets = {s.name: _secret_value(r, s, env, environ) for s in sources}
        plans.append(
            EnvironmentPlan(env["github_environment"], key, int(env["wait_timer_minutes"]), reviewers, secrets, branch)
        )
        # the hotfix workflow's environment: deployments only from hotfix branches, its own
        # (usually shorter) reviewer list, no wait timer; never unprotected where the regular one is not
        fast = (
            reviewers
            if "hotfix_reviewers" not in cfg
            else _reviewers(r, cfg.get("hotfix_reviewers"), f"environments.{key}.hotfix_reviewers")
        )
        if reviewers and not fast:
            raise r.fail(f"environments.{key}.hotfix_reviewers is empty, but {key} itself requires reviewers")
        hotfix = env.get("hotfix_github_environment")
        if hotfix:
            plans.append(EnvironmentPlan(hotfix, key, 0, fast, secrets, hotfix_branch))

    bp = r.section(raw, "branch_protection")
    count = bp.get("required_approving_review_count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 6:
        raise r.fail("`branch_protection.required_approving_review_count` must be an integer in [1, 6]")
    flags = {
        k: r.boolean(bp, k, "branch_protection", d)
        for k, d in [
            ("dismiss_stale_reviews", True),
            ("require_code_owner_reviews", True),
            ("strict_status_checks", True),
            ("enforce_admins", True),
            ("required_linear_history", False),
            ("required_conversation_resolution", True),
            ("allow_force_pushes", False),
            ("allow_deletions", False),
            ("required_signatures", False),
        ]
    }
    protection = Protection(
        branch=r.name(bp.get("branch", "main"), _BRANCH_RE, "branch_protection.branch"),
        required_approving_review_count=count,
        **flags,
    )

    access = r.section(raw, "access")
    perm = access.get("codeowners_permission", "push")
    if perm not in ("push", "maintain", "admin"):
        raise r.fail("`access.codeowners_permission` must be push, maintain or admin (code owners must write)")
    extra = []
    for item in access.get("teams") or []:
        if (
            not isinstance(item, Mapping)
            or set(item) != {"team", "permission"}
            or item["permission"] not in PERMISSIONS
        ):
            raise r.fail(f"`access.teams` entries must be {{team: SLUG, permission: {'|'.join(PERMISSIONS)}}}")
        extra.append((r.name(item["team"], _SLUG_RE, "access.teams: team"), str(item["permission"])))

    hook = r.section(raw, "webhook")
    url_env = r.text(hook, "url_env", "webhook")
    url = (environ.get(url_env) if url_env else None) or r.text(hook, "url", "webhook")
    webhook = None
    if url:
        if not re.fullmatch(r"https?://[^\s\"'<>]+", url):
            raise r.fail(f"webhook url {url!r} is not an http(s) URL")
        content_type = r.text(hook, "content_type", "webhook", "json")
        if content_type not in ("json", "form"):
            raise r.fail("`webhook.content_type` must be json or form")
        events = hook.get("events") or ["deployment", "deployment_status"]
        if not isinstance(events, list) or not all(isinstance(e, str) and re.fullmatch(r"[a-z_*]+", e) for e in events):
            raise r.fail("`webhook.events` must be a list of GitHub event names")
        secret_env = r.text(hook, "secret_env", "webhook")
        webhook = Webhook(url, environ.get(secret_env) if secret_env else None, content_type, tuple(events))

    return GitHubConfig(
        source=source,
        private=r.boolean(repo, "private", "repository", True),
        description=r.text(repo, "description", "repository", "{title} (LLD {number})"),
        repo_settings={
            "has_wiki": r.boolean(repo, "has_wiki", "repository", False),
            "delete_branch_on_merge": r.boolean(repo, "delete_branch_on_merge", "repository", True),
        },
        author_name=environ.get("GIT_AUTHOR_NAME") or r.text(author, "name", "commit_author", "bbws-scaffold"),
        author_email=environ.get("GIT_AUTHOR_EMAIL")
        or r.text(author, "email", "commit_author", "bbws-scaffold@users.noreply.github.com"),
        deployment_branch=branch,
        prevent_self_review=r.boolean(raw, "prevent_self_review", "(top level)", True),
        environments=tuple(plans),
        protection=protection,
        codeowners_permission=str(perm),
        extra_teams=tuple(extra),
        webhook=webhook,
    )


def describe(template: str, title: str, number: str | None) -> str:
    """The repository description: the template filled from the LLD, one line, at most 350 chars."""
    text = template.replace("{title}", title).replace("{number}", number or "?")
    return _CONTROL_RE.sub(" ", text).strip()[:350]
