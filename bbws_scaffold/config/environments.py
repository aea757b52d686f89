"""Deployment environments (account, region, approvals, state backend) from configuration.

The defaults live in ``bbws_scaffold/data/environments.yaml``; a user points at another file
with ``BBWS_ENVIRONMENTS=FILE`` (or passes a path). :func:`load_environments` returns the plain,
JSON-serialisable dict the renderer hands to copier as the ``environments`` answer::

    {
      "order": ["dev", "sit", "prod"],          # promotion order, DEV -> SIT -> PROD
      "state_key": "{service}/terraform.tfstate",
      "deploy_role_name": "bbws-{service}-deploy", # pattern; for_service() resolves it
      "envs": {
        "dev": {
          "name": "dev", "account_id": "536580886816", "region": "eu-west-1", "dr_region": None,
          "github_environment": "dev", "hotfix_github_environment": "dev-hotfix",
          "required_reviewers": 0, "wait_timer_minutes": 0,
          "state_bucket": "bbws-terraform-state-dev", "lock_table": "bbws-terraform-locks-dev",
          "state_region": "eu-west-1", "encrypt_state": True,
          "deploy_role_arn": "arn:aws:iam::536580886816:role/bbws-catalogue-deploy",  # for_service()
          "previous": None,                        # environment that must succeed first
          "deployments_table": "bbws-deployments", # runtime's deployment records (per account)
          "records_reader_role_arn": "arn:aws:iam::536580886816:role/bbws-deployments-reader",
          "sns_topic_arn": "arn:aws:sns:eu-west-1:536580886816:bbws-deployments-dev",
          "log_retention_days": 365, "concurrency_budget": 20, ...,
          "cognito_user_pool_arn": None,           # else read from the SSM parameter below
          "cognito_user_pool_ssm_parameter": "/kimmy-ai/dev/cognito/user-pool-arn",
          "attach_auth_layer": False, "auth_layer_ssm_parameter": "/kimmy-ai/dev/bbws-auth/layer-arn",
          "api_gateway_account_logging": False,    # true once the account's API Gateway logging role is set
        },
        ...
      },
    }

Each service repo has its own deploy role (trusted only by that repo's GitHub environments), so
``deploy_role_arn`` depends on the service: :func:`for_service` adds it to every environment, from
the ``deploy_role_name`` pattern (``{service}``, ``{env}``). The renderer, the bootstrap plan and
the publisher all call it, so the role bootstrap plans, the ``AWS_ROLE_ARN`` secret and the trust of
the records reader name the same role.

Templates read these values; they never compute account ids or bucket names themselves.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, StrictBool, field_validator, model_validator

from bbws_scaffold.config.fields import EMPTY_IS_DEFAULT, NUMBER_AS_TEXT, Matches, Within
from bbws_scaffold.config.loader import ConfigFile, field_error
from bbws_scaffold.errors import EnvironmentsError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "environments.yaml"
ENV_VAR = "BBWS_ENVIRONMENTS"

_ENV_NAME_RE = r"^[a-z][a-z0-9]{1,9}$"
_ACCOUNT_RE = r"^[0-9]{12}$"
_REGION_RE = r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"
_BUCKET_RE = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
_TABLE_RE = r"^[A-Za-z0-9_.-]{3,255}$"
_ROLE_RE = r"^[A-Za-z0-9+=,.@_/-]{1,64}$"
_SNS_ARN_RE = r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$"
_GITHUB_ENV_RE = r"^[A-Za-z0-9_.-]{1,255}$"
_SSM_PARAMETER_RE = r"^/[A-Za-z0-9_.\-/]{1,2047}$"
_USER_POOL_ARN_RE = r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool/[A-Za-z0-9_-]+$"
_STATE_KEY_RE = r"^[A-Za-z0-9_.{}/-]*\{service\}[A-Za-z0-9_.{}/-]*$"
# IAM role names: 1-64 of [\w+=,.@-] (ASCII); the deploy role's may hold {service} (once) and {env}
ROLE_NAME_MAX = 64
_IAM_ROLE_NAME_RE = r"^[A-Za-z0-9_+=,.@-]{1,64}$"
_DEPLOY_ROLE_RE = r"^(?:[A-Za-z0-9_+=,.@-]|\{service\}|\{env\})+$"
_DIGEST_CHARS = 8
_SERVICE_ROOM_MIN = 2 + _DIGEST_CHARS  # a trimmed service keeps one character, '-' and its digest

# Per-stage defaults of the settings an environment may leave out (another key gets sit's), in
# the order the resolved environment lists them.
_STAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "dev": {
        "required_reviewers": 0,
        "wait_timer_minutes": 0,
        "log_retention_days": 365,
        "concurrency_budget": 20,
        "api_throttle_rate_limit": 50,
        "api_throttle_burst_limit": 100,
        "canary_percent": 100,
        "canary_wait_seconds": 0,
        "deletion_protection": False,
    },
    "sit": {
        "required_reviewers": 1,
        "wait_timer_minutes": 0,
        "log_retention_days": 365,
        "concurrency_budget": 50,
        "api_throttle_rate_limit": 100,
        "api_throttle_burst_limit": 200,
        "canary_percent": 10,
        "canary_wait_seconds": 300,
        "deletion_protection": False,
    },
    "prod": {
        "required_reviewers": 2,
        "wait_timer_minutes": 30,
        "log_retention_days": 365,
        "concurrency_budget": 200,
        "api_throttle_rate_limit": 500,
        "api_throttle_burst_limit": 1000,
        "canary_percent": 10,
        "canary_wait_seconds": 600,
        "deletion_protection": True,
    },
}
_BY_STAGE = "default: per stage (dev, sit, prod; other environments take sit's)"


def _account_number(value: Any) -> Any:
    """An unquoted account id is a YAML number: give it back its leading zeros."""
    return f"{value:012d}" if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[str, NUMBER_AS_TEXT]
EnvName = Annotated[str, Matches(_ENV_NAME_RE, "an environment name (2-10 lower-case letters/digits)")]
AccountId = Annotated[
    str, Matches(_ACCOUNT_RE, "a 12-digit AWS account id", numbers=False), BeforeValidator(_account_number)
]
Region = Annotated[str, Matches(_REGION_RE, "an AWS region")]
RoleName = Annotated[str, Matches(_ROLE_RE, "a valid IAM role name")]
UserPoolArn = Annotated[str, Matches(_USER_POOL_ARN_RE, "a Cognito user pool ARN"), EMPTY_IS_DEFAULT]
GitHubEnvironment = Annotated[str, Matches(_GITHUB_ENV_RE, "a valid GitHub environment name"), EMPTY_IS_DEFAULT]


DeployRoleName = Annotated[
    str,
    Matches(
        _DEPLOY_ROLE_RE,
        "an IAM role name ([\\w+=,.@-]; {service} is the service's name, {env} the environment key)",
    ),
]


def deploy_role_name(pattern: str, env: str, service: str) -> str:
    """The deploy role of ``service`` in ``env``: ``pattern`` with ``{env}`` and ``{service}`` filled.

    IAM allows 64 characters: a service name that does not fit is cut and ends in ``-`` plus the
    first 8 hex digits of its SHA-256, so two long names that share a beginning stay apart, and the
    pattern's own text (``bbws-``, ``-deploy``) is kept whole."""
    name = pattern.replace("{env}", env)
    if "{service}" not in name:
        return name
    room = ROLE_NAME_MAX - (len(name) - len("{service}"))
    if room < _SERVICE_ROOM_MIN:
        raise ValueError(
            f"{name!r} leaves {room} of IAM's 64 characters for the service name (need {_SERVICE_ROOM_MIN})"
        )
    if len(service) > room:
        digest = hashlib.sha256(service.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
        service = f"{service[: room - _DIGEST_CHARS - 1].rstrip('-')}-{digest}"
    return name.replace("{service}", service)


def for_service(environments: dict[str, Any], service: str) -> dict[str, Any]:
    """A copy of the ``environments`` answer with every environment's ``deploy_role_arn``: the
    role of ``service`` (its kebab-case name) in that environment's account.

    Idempotent. An answer stored before deploy roles were per service has no ``deploy_role_name``
    pattern: its ``deploy_role_arn`` values are kept as they are."""
    out = copy.deepcopy(environments)
    pattern = out.get("deploy_role_name")
    if pattern is None:
        return out
    for env in out["envs"].values():
        name = deploy_role_name(pattern, env["name"], service)
        if not re.fullmatch(_IAM_ROLE_NAME_RE, name):
            raise EnvironmentsError(
                f"deploy_role_name: {name!r} (for {service} in {env['name']}) is not an IAM role name"
            )
        env["deploy_role_arn"] = f"arn:aws:iam::{env['account_id']}:role/{name}"
    return out


def deploy_role_arn_pattern(environments: dict[str, Any], env_name: str) -> str:
    """An ARN pattern (IAM ``ArnLike``) matching the deploy role of every service in ``env_name``."""
    env = environments["envs"][env_name]
    pattern = environments.get("deploy_role_name")
    if pattern is None:
        return str(env["deploy_role_arn"])
    return f"arn:aws:iam::{env['account_id']}:role/{pattern.replace('{env}', env_name).replace('{service}', '*')}"


class EnvironmentSettings(BaseModel):
    """One deployment environment: its AWS account and the rules of its stage."""

    account_id: AccountId
    region: Region
    dr_region: Region | None = None
    github_environment: GitHubEnvironment | None = Field(default=None, description="default: the environment's key")
    hotfix_github_environment: GitHubEnvironment | None = Field(
        default=None, description="default: <github_environment>-hotfix"
    )
    state_region: Annotated[Region, EMPTY_IS_DEFAULT] | None = Field(default=None, description="default: region")
    sns_topic_arn: Annotated[str, Matches(_SNS_ARN_RE, "a valid SNS topic ARN"), EMPTY_IS_DEFAULT] | None = Field(
        default=None, description="default: the runtime.sns_topic topic in the environment's account and region"
    )
    required_reviewers: Annotated[int, Within(0, 6)] | None = Field(default=None, description=_BY_STAGE)
    wait_timer_minutes: Annotated[int, Within(0, 43200)] | None = Field(default=None, description=_BY_STAGE)
    log_retention_days: Annotated[int, Within(1, 3653)] | None = Field(default=None, description=_BY_STAGE)
    concurrency_budget: Annotated[int, Within(0, 10000)] | None = Field(
        default=None,
        description="the most reserved concurrency this service's functions may hold together in the account "
        "(reserved only where an NFR asks; AWS keeps 100 of the account quota unreserved); " + _BY_STAGE,
    )
    api_throttle_rate_limit: Annotated[int, Within(1, 100000)] | None = Field(default=None, description=_BY_STAGE)
    api_throttle_burst_limit: Annotated[int, Within(1, 100000)] | None = Field(default=None, description=_BY_STAGE)
    canary_percent: Annotated[int, Within(1, 100)] | None = Field(default=None, description=_BY_STAGE)
    canary_wait_seconds: Annotated[int, Within(0, 3600)] | None = Field(default=None, description=_BY_STAGE)
    deletion_protection: StrictBool | None = Field(default=None, description=_BY_STAGE)
    cognito_user_pool_ssm_parameter: Text = Field(
        default="/kimmy-ai/{env}/cognito/user-pool-arn",
        description="SSM parameter holding the ARN of the Cognito user pool that authorises the API "
        "(read at plan time unless cognito_user_pool_arn is given; {env} is the environment key)",
    )
    cognito_user_pool_arn: UserPoolArn | None = Field(
        default=None, description="default: read from cognito_user_pool_ssm_parameter"
    )
    auth_layer_ssm_parameter: Text = Field(
        default="/kimmy-ai/{env}/bbws-auth/layer-arn",
        description="SSM parameter where the platform's auth layer publishes its Lambda layer ARN",
    )
    attach_auth_layer: StrictBool = Field(default=False, description="add the auth layer to every function")
    api_gateway_account_logging: StrictBool = Field(
        default=False,
        description="the account has API Gateway's CloudWatch role set (bootstrap: apigateway update-account "
        "cloudwatchRoleArn): the API stage then writes execution (INFO) and access logs. Both need that role, "
        "which a fresh account lacks, so the default is false: stage metrics and X-Ray traces only",
    )

    @field_validator(*_STAGE_DEFAULTS["sit"], mode="before")
    @classmethod
    def _given_means_set(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null (leave it out for the stage's default)")
        return value


class StateBackend(BaseModel):
    """Terraform remote state: an S3 bucket and a DynamoDB lock table per account (``{env}`` is the
    environment key) and the object key of each service's state (``{service}``)."""

    bucket: Text = "bbws-terraform-state-{env}"
    lock_table: Text = "bbws-terraform-locks-{env}"
    key: Annotated[str, Matches(_STATE_KEY_RE, "a path containing {service}")] = "{service}/terraform.tfstate"
    encrypt: Literal[True] = True

    @field_validator("encrypt", mode="before")
    @classmethod
    def _encrypted(cls, value: Any) -> Any:
        if value is not True:
            raise ValueError("must be true: state holds resource attributes and must be encrypted")
        return value


class RuntimeSettings(BaseModel):
    """What bbws-runtime uses in each account (``{env}`` is the environment key)."""

    deployments_table: Annotated[str, Matches(_TABLE_RE, "a valid DynamoDB table name")] = "bbws-deployments"
    records_reader_role_name: RoleName = "bbws-deployments-reader"
    sns_topic: Text = "bbws-deployments-{env}"


class EnvironmentsFile(BaseModel):
    """``environments.yaml``: the deployment environments of every generated service."""

    promotion_order: Annotated[list[Text], EMPTY_IS_DEFAULT] | None = Field(
        default=None, description="DEV -> SIT -> PROD; default: the order of `environments`"
    )
    state: Annotated[StateBackend, EMPTY_IS_DEFAULT] = Field(default_factory=StateBackend)
    deploy_role_name: DeployRoleName = Field(
        default="bbws-{service}-deploy",
        description="the IAM role GitHub Actions assumes through OIDC, one per service repo: {service} is the "
        "service's kebab-case name (cut to fit IAM's 64 characters, with a digest), {env} the environment key; "
        "a name without {service} is one role shared by every service in the account",
    )
    runtime: Annotated[RuntimeSettings, EMPTY_IS_DEFAULT] = Field(default_factory=RuntimeSettings)
    environments: dict[EnvName, EnvironmentSettings] = Field(min_length=1)

    @field_validator("deploy_role_name")
    @classmethod
    def _one_service(cls, value: str) -> str:
        if value.count("{service}") > 1:
            raise ValueError("may hold {service} once")
        return value

    @model_validator(mode="after")
    def _derived_names_are_valid(self) -> EnvironmentsFile:
        if self.promotion_order is not None and sorted(self.promotion_order) != sorted(self.environments):
            raise field_error("promotion_order", "must list every environment exactly once")
        self.resolve()  # checks every name derived from a pattern
        return self

    def resolve(self) -> dict[str, Any]:
        """The ``environments`` answer (see the module docstring)."""
        order = self.promotion_order or list(self.environments)
        envs: dict[str, dict[str, Any]] = {}
        previous: str | None = None
        for name in order:
            envs[name] = self._resolve_one(name, previous)
            previous = name
        return {
            "order": list(order),
            "state_key": self.state.key,
            "deploy_role_name": self.deploy_role_name,
            "envs": envs,
        }

    def _resolve_one(self, name: str, previous: str | None) -> dict[str, Any]:
        cfg = self.environments[name]
        acct, region = cfg.account_id, cfg.region
        gh_env = cfg.github_environment or name
        hotfix_env = cfg.hotfix_github_environment or f"{gh_env}-hotfix"
        if not re.fullmatch(_GITHUB_ENV_RE, hotfix_env) or hotfix_env == gh_env:
            raise field_error(
                f"environments.{name}.hotfix_github_environment", f"{hotfix_env!r} is not a valid, separate name"
            )
        try:  # the longest service name the model allows (identifiers are at most 64 characters)
            role = deploy_role_name(self.deploy_role_name, name, "s" * 64)
        except ValueError as exc:
            raise field_error("deploy_role_name", str(exc)) from None
        if not re.fullmatch(_IAM_ROLE_NAME_RE, role):
            raise field_error("deploy_role_name", f"{role!r} (for {name}) is not a valid IAM role name")
        bucket = self.state.bucket.replace("{env}", name)
        if not re.fullmatch(_BUCKET_RE, bucket):
            raise field_error("state.bucket", f"{bucket!r} (for {name}) is not a valid S3 bucket name")
        lock = self.state.lock_table.replace("{env}", name)
        if not re.fullmatch(_TABLE_RE, lock):
            raise field_error("state.lock_table", f"{lock!r} (for {name}) is not a valid DynamoDB table name")
        topic = cfg.sns_topic_arn or f"arn:aws:sns:{region}:{acct}:{self.runtime.sns_topic.replace('{env}', name)}"
        if not re.fullmatch(_SNS_ARN_RE, topic):
            raise field_error("runtime.sns_topic", f"{topic!r} (for {name}) is not a valid SNS topic ARN")
        resolved: dict[str, Any] = {
            "name": name,
            "account_id": acct,
            "region": region,
            "dr_region": cfg.dr_region,
            "github_environment": gh_env,
            "hotfix_github_environment": hotfix_env,
            "state_bucket": bucket,
            "lock_table": lock,
            "state_region": cfg.state_region or region,
            "encrypt_state": True,
            "previous": previous,
            "deployments_table": self.runtime.deployments_table,
            "records_reader_role_arn": f"arn:aws:iam::{acct}:role/{self.runtime.records_reader_role_name}",
            "sns_topic_arn": topic,
            "cognito_user_pool_arn": cfg.cognito_user_pool_arn,
            "cognito_user_pool_ssm_parameter": _ssm_name(
                cfg.cognito_user_pool_ssm_parameter, name, "cognito_user_pool_ssm_parameter"
            ),
            "attach_auth_layer": cfg.attach_auth_layer,
            "api_gateway_account_logging": cfg.api_gateway_account_logging,
            "auth_layer_ssm_parameter": _ssm_name(cfg.auth_layer_ssm_parameter, name, "auth_layer_ssm_parameter"),
        }
        defaults = _STAGE_DEFAULTS.get(name, _STAGE_DEFAULTS["sit"])
        for field, default in defaults.items():
            value = getattr(cfg, field)
            resolved[field] = default if value is None else value
        return resolved


def _ssm_name(pattern: str, env: str, field: str) -> str:
    """An SSM parameter name with ``{env}`` replaced, checked against SSM's naming rules."""
    value = pattern.replace("{env}", env)
    if not re.fullmatch(_SSM_PARAMETER_RE, value) or "//" in value:
        raise field_error(f"environments.{env}.{field}", f"{value!r} is not a valid SSM parameter name")
    return value


FILE = ConfigFile(EnvironmentsFile, DEFAULT_PATH, ENV_VAR, "environments configuration", EnvironmentsError)


def load_environments(path: str | Path | None = None, service: str | None = None) -> dict[str, Any]:
    """Read, validate and resolve an environments file (default: ``$BBWS_ENVIRONMENTS``, else the
    packaged one); with ``service``, the environments of that service (:func:`for_service`)."""
    raw, source = FILE.read(path)
    resolved = resolve_environments(raw, source=source)
    return resolved if service is None else for_service(resolved, service)


def resolve_environments(raw: Any, source: str = "<environments>") -> dict[str, Any]:
    """Validate a parsed environments document and resolve its ``{env}`` patterns."""
    return FILE.validate(raw, source).resolve()


def environments_answer(path: str | Path | None = None) -> dict[str, Any]:
    """The value of the copier answer ``environments`` (a deep copy, safe to mutate)."""
    return copy.deepcopy(load_environments(path))
