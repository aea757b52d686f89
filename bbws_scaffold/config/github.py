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
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationInfo,
    model_validator,
)

from bbws_scaffold.config.environments import load_environments
from bbws_scaffold.config.fields import EMPTY_IS_DEFAULT, Matches, Within
from bbws_scaffold.config.loader import ConfigFile, field_error
from bbws_scaffold.errors import GitHubConfigError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "github.yaml"
ENV_VAR = "BBWS_GITHUB_CONFIG"

_SLUG_RE = r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9_])?$"
_LOGIN_RE = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$"
_SECRET_RE = r"^[A-Za-z_][A-Za-z0-9_]{0,99}$"
_ENVVAR_RE = r"^[A-Za-z_][A-Za-z0-9_{}]*$"
_BRANCH_RE = r"^[A-Za-z0-9._/-]{1,200}$"
_BRANCH_PATTERN_RE = r"^[A-Za-z0-9._/*-]{1,200}$"  # GitHub's fnmatch-style policy names
_URL_RE = r"""https?://[^\s"'<>]+"""
_EVENT_RE = r"^[a-z_*]+$"
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")

Permission = Literal["pull", "triage", "push", "maintain", "admin"]
PERMISSIONS: tuple[str, ...] = get_args(Permission)


@dataclass(frozen=True)
class Reviewer:
    kind: str  # "Team" or "User", as the environments API spells it
    name: str  # team slug or user login


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


def sns_topic_arn(env: Mapping[str, Any]) -> str:
    """The environment's deployment-notification topic: configured, else the platform convention."""
    configured = env.get("sns_topic_arn")
    if configured:
        return str(configured)
    return f"arn:aws:sns:{env['region']}:{env['account_id']}:bbws-deployments-{env['name']}"


# --- github.yaml, as validated --------------------------------------------------------------------

TeamSlug = Annotated[str, Matches(_SLUG_RE, "a valid team slug", numbers=False)]
Branch = Annotated[str, Matches(_BRANCH_RE, "a valid branch name", numbers=False)]


class RepositorySettings(BaseModel):
    private: StrictBool = True
    description: StrictStr | None = Field(
        default="{title} (LLD {number})", description="{number} and {title} come from the LLD; null: no description"
    )
    has_wiki: StrictBool = False
    delete_branch_on_merge: StrictBool = True


class CommitAuthor(BaseModel):
    """The git identity of the first commit (GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL override it)."""

    name: StrictStr | None = "bbws-scaffold"
    email: StrictStr | None = "bbws-scaffold@users.noreply.github.com"


class ReviewerEntry(BaseModel):
    """``{team: SLUG}`` or ``{user: LOGIN}``."""

    model_config = ConfigDict(extra="forbid")

    team: TeamSlug | None = None
    user: Annotated[str, Matches(_LOGIN_RE, "a valid user login", numbers=False)] | None = None

    @model_validator(mode="after")
    def _one_of_team_or_user(self) -> ReviewerEntry:
        if (self.team is None) == (self.user is None):
            raise ValueError("must be {team: SLUG} or {user: LOGIN}")
        return self

    def reviewer(self) -> Reviewer:
        return Reviewer("Team", self.team) if self.team is not None else Reviewer("User", str(self.user))


def _distinct_and_few(entries: list[ReviewerEntry]) -> list[ReviewerEntry]:
    if len({(e.team, e.user) for e in entries}) != len(entries):
        raise ValueError("lists a reviewer twice")
    if len(entries) > 6:
        raise ValueError("GitHub allows at most 6 reviewers per environment")
    return entries


Reviewers = Annotated[list[ReviewerEntry], AfterValidator(_distinct_and_few), Field(json_schema_extra={"maxItems": 6})]


class EnvironmentAccess(BaseModel):
    """Who approves deployments to one environment (a key of environments.yaml)."""

    reviewers: Reviewers | None = None
    hotfix_reviewers: Reviewers | None = Field(
        default=None, description="reviewers of the <env>-hotfix environment; default: `reviewers`"
    )

    @model_validator(mode="after")
    def _hotfix_keeps_a_gate(self) -> EnvironmentAccess:
        if self.reviewers and "hotfix_reviewers" in self.model_fields_set and not self.hotfix_reviewers:
            raise field_error("hotfix_reviewers", "is empty, but the environment itself requires reviewers")
        return self

    def regular(self) -> tuple[Reviewer, ...]:
        return tuple(e.reviewer() for e in self.reviewers or ())

    def hotfix(self) -> tuple[Reviewer, ...]:
        if "hotfix_reviewers" not in self.model_fields_set:
            return self.regular()
        return tuple(e.reviewer() for e in self.hotfix_reviewers or ())


def _not_reserved(name: str) -> str:
    if name.upper().startswith("GITHUB_"):
        raise ValueError(f"{name!r}: GitHub reserves the GITHUB_ prefix")
    return name


SecretName = Annotated[str, AfterValidator(_not_reserved), Matches(_SECRET_RE, "a valid secret name", numbers=False)]


class SecretSource(BaseModel):
    """Where an environment secret's value comes from: the first of ``env`` and ``from`` that is set."""

    model_config = ConfigDict(extra="forbid")

    env: Annotated[str, Matches(_ENVVAR_RE, "an environment variable name", numbers=False)] | None = Field(
        default=None, description="environment variable; {ENV} is the upper-case environment name"
    )
    from_field: StrictStr | None = Field(default=None, alias="from", description="a field of the resolved environment")

    @model_validator(mode="after")
    def _has_a_source(self) -> SecretSource:
        if self.env is None and self.from_field is None:
            raise ValueError("must have `env` and/or `from`")
        return self

    def variable(self, env_name: str) -> str:
        return str(self.env).replace("{ENV}", env_name.upper()).replace("{env}", env_name)

    def value(self, env: Mapping[str, Any], environ: Mapping[str, str]) -> str | None:
        """The secret's value in the resolved environment ``env``, or None when no source is set."""
        if self.env:
            value = environ.get(self.variable(env["name"]))
            if value:
                return value
        if self.from_field == "sns_topic_arn":
            return sns_topic_arn(env)
        value = env.get(self.from_field) if self.from_field else None
        return value if isinstance(value, str) and value else None


class BranchProtection(BaseModel):
    """Protection of the default branch (the fields of :class:`Protection`)."""

    branch: Branch = "main"
    required_approving_review_count: Annotated[int, Within(1, 6)] = 1
    dismiss_stale_reviews: StrictBool = True
    require_code_owner_reviews: StrictBool = True
    strict_status_checks: StrictBool = True
    enforce_admins: StrictBool = True
    required_linear_history: StrictBool = False
    required_conversation_resolution: StrictBool = True
    allow_force_pushes: StrictBool = False
    allow_deletions: StrictBool = False
    required_signatures: StrictBool = False


class TeamAccess(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team: TeamSlug
    permission: Permission


class Access(BaseModel):
    codeowners_permission: Literal["push", "maintain", "admin"] = Field(
        default="push", description="teams named in CODEOWNERS get this; code owners must be able to write"
    )
    teams: Annotated[list[TeamAccess], EMPTY_IS_DEFAULT] = Field(default_factory=list)


class WebhookSettings(BaseModel):
    """The deployment-notification webhook; no URL (here or in ``$url_env``) means none."""

    url: Annotated[str, Matches(rf"^({_URL_RE})?$", "an http(s) URL (or empty: no webhook)", numbers=False)] | None = ""
    url_env: StrictStr | None = Field(default="", description="environment variable that overrides `url`")
    secret_env: StrictStr | None = Field(default="", description="environment variable holding the webhook secret")
    content_type: Literal["json", "form"] = "json"
    events: Annotated[
        list[Annotated[str, Matches(_EVENT_RE, "a GitHub event name", numbers=False)]], EMPTY_IS_DEFAULT
    ] = Field(default_factory=lambda: ["deployment", "deployment_status"])


class GitHubFile(BaseModel):
    """``github.yaml``: how ``bbws-scaffold repo ...`` publishes a generated repository. Validated with
    ``context={"environments": <resolved environments>, "environ": <environment variables>}``, it
    also checks itself against the deployment environments."""

    repository: Annotated[RepositorySettings, EMPTY_IS_DEFAULT] = Field(default_factory=RepositorySettings)
    commit_author: Annotated[CommitAuthor, EMPTY_IS_DEFAULT] = Field(default_factory=CommitAuthor)
    environments: Annotated[dict[str, EnvironmentAccess | None], EMPTY_IS_DEFAULT] = Field(default_factory=dict)
    deployment_branch: Branch = "main"
    hotfix_branch: Annotated[str, Matches(_BRANCH_PATTERN_RE, "a branch name pattern", numbers=False)] = "hotfix/*"
    prevent_self_review: StrictBool = True
    secrets: Annotated[dict[SecretName, SecretSource], EMPTY_IS_DEFAULT] = Field(default_factory=dict)
    branch_protection: Annotated[BranchProtection, EMPTY_IS_DEFAULT] = Field(default_factory=BranchProtection)
    access: Annotated[Access, EMPTY_IS_DEFAULT] = Field(default_factory=Access)
    webhook: Annotated[WebhookSettings, EMPTY_IS_DEFAULT] = Field(default_factory=WebhookSettings)

    @model_validator(mode="after")
    def _fits_the_environments(self, info: ValidationInfo) -> GitHubFile:
        if info.context:
            self._plans(info.context["environments"], info.context["environ"])
            self._webhook(info.context["environ"])
        return self

    def to_config(self, source: str, environments: Mapping[str, Any], environ: Mapping[str, str]) -> GitHubConfig:
        """The configuration resolved against the deployment environments and the process environment."""
        repo, author = self.repository, self.commit_author
        return GitHubConfig(
            source=source,
            private=repo.private,
            description=repo.description or "",
            repo_settings={"has_wiki": repo.has_wiki, "delete_branch_on_merge": repo.delete_branch_on_merge},
            author_name=environ.get("GIT_AUTHOR_NAME") or author.name or "",
            author_email=environ.get("GIT_AUTHOR_EMAIL") or author.email or "",
            deployment_branch=self.deployment_branch,
            prevent_self_review=self.prevent_self_review,
            environments=self._plans(environments, environ),
            protection=Protection(**self.branch_protection.model_dump()),
            codeowners_permission=self.access.codeowners_permission,
            extra_teams=tuple((t.team, t.permission) for t in self.access.teams),
            webhook=self._webhook(environ),
        )

    def _plans(self, environments: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[EnvironmentPlan, ...]:
        unknown = set(self.environments) - set(environments["envs"])
        if unknown:
            raise field_error("environments", f"{sorted(unknown)} are not in the environments configuration")
        plans = []
        for key in environments["order"]:
            env = environments["envs"][key]
            access = self.environments.get(key) or EnvironmentAccess()
            reviewers = access.regular()
            if len(reviewers) < int(env["required_reviewers"]):
                raise field_error(
                    f"environments.{key}.reviewers",
                    f"lists {len(reviewers)} reviewer(s) but the environments configuration requires "
                    f"{env['required_reviewers']}",
                )
            secrets = {name: self._secret(name, source, env, environ) for name, source in self.secrets.items()}
            wait = int(env["wait_timer_minutes"])
            plans.append(
                EnvironmentPlan(env["github_environment"], key, wait, reviewers, secrets, self.deployment_branch)
            )
            # the hotfix workflow's environment: deployments only from hotfix branches, its own
            # (usually shorter) reviewer list, no wait timer
            hotfix = env.get("hotfix_github_environment")
            if hotfix:
                plans.append(EnvironmentPlan(hotfix, key, 0, access.hotfix(), secrets, self.hotfix_branch))
        return tuple(plans)

    @staticmethod
    def _secret(name: str, source: SecretSource, env: Mapping[str, Any], environ: Mapping[str, str]) -> str:
        value = source.value(env, environ)
        if value is not None:
            return value
        if source.from_field:
            per_service = (
                " (it is per service: resolve the environments for one)"
                if source.from_field == "deploy_role_arn"
                else ""
            )
            raise field_error(
                f"secrets.{name}.from", f"environment {env['name']!r} has no field {source.from_field!r}{per_service}"
            )
        raise field_error(
            f"secrets.{name}.env", f"environment variable {source.variable(env['name'])} is not set for {env['name']}"
        )

    def _webhook(self, environ: Mapping[str, str]) -> Webhook | None:
        hook = self.webhook
        url = (environ.get(hook.url_env) if hook.url_env else None) or hook.url
        if not url:
            return None
        if not re.fullmatch(_URL_RE, url):
            raise field_error("webhook.url_env", f"${hook.url_env} {url!r} is not an http(s) URL")
        secret = environ.get(hook.secret_env) if hook.secret_env else None
        return Webhook(url, secret, hook.content_type, tuple(hook.events))


FILE = ConfigFile(GitHubFile, DEFAULT_PATH, ENV_VAR, "GitHub configuration", GitHubConfigError)


def load_config(
    path: str | Path | None = None,
    environments: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    service: str | None = None,
) -> GitHubConfig:
    """Read and validate ``github.yaml`` and resolve it against the deployment environments (default:
    the configured ones, as ``service``'s: its deploy role is the ``AWS_ROLE_ARN`` each one gets)."""
    raw, source = FILE.read(path)
    envs = environments if environments is not None else load_environments(service=service)
    return resolve_config(raw, envs, os.environ if environ is None else environ, source=source)


def resolve_config(
    raw: Any, environments: Mapping[str, Any], environ: Mapping[str, str], source: str = "<github config>"
) -> GitHubConfig:
    """Validate a parsed ``github.yaml`` and resolve it (see :meth:`GitHubFile.to_config`)."""
    doc = FILE.validate(raw, source, context={"environments": environments, "environ": environ})
    return doc.to_config(source, environments, environ)


def describe(template: str, title: str, number: str | None) -> str:
    """The repository description: the template filled from the LLD, one line, at most 350 chars."""
    text = template.replace("{title}", title).replace("{number}", number or "?")
    return _CONTROL_RE.sub(" ", text).strip()[:350]
