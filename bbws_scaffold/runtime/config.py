"""The runtime's view of a generated repository's environments: ``deploy/environments.json``.

The generated repository renders that file from the ``environments`` answer (itself from
``bbws_scaffold/data/environments.yaml``), so accounts, regions, approvals and SNS topics come
from one place and never from code. It is JSON so that reading it needs the standard library only::

    {
      "service": "catalogue",
      "promotion_order": ["dev", "sit", "prod"],
      "environments": {
        "dev": {"name": "dev", "account_id": "536580886816", "region": "eu-west-1",
                "github_environment": "dev", "required_reviewers": 0,
                "sns_topic_arn": "arn:aws:sns:eu-west-1:536580886816:bbws-deployments-dev", ...},
        ...
      }
    }

Every other key of an environment is kept in :attr:`Environment.raw` for the operations that
need it (``deployments_table``, ``canary_wait_seconds``, ``state_bucket``, ...). Each key the
runtime or the generated repository knows is checked at load (:data:`ENVIRONMENT_FIELDS`: types,
ranges, AWS name rules), so a bad value fails there, naming file and field, never midway through
a deployment. The file is read by :func:`~bbws_scaffold.runtime.jsonfile.read_json` (no ``NaN``,
no duplicate keys, bounded size and nesting). Plain functions rather than pydantic: a generated
repository's CI installs this package with ``--no-deps`` and boto3 alone.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.jsonfile import read_json
from bbws_scaffold.runtime.log import redact_text

ENV_VAR = "BBWS_RUNTIME_CONFIG"
DEFAULT_RELATIVE = Path("deploy") / "environments.json"

_NAME_RE = re.compile(r"^[a-z][a-z0-9]{1,9}$")
_SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
_GH_ENV_RE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
_SNS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
_TABLE_RE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")  # DynamoDB's rule: never a path
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")


@dataclass(frozen=True)
class Environment:
    """One deployment environment (a stage in the promotion order, one AWS account)."""

    name: str
    account_id: str
    region: str
    github_environment: str
    required_reviewers: int
    sns_topic_arn: str | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def setting(self, key: str, default: Any = None) -> Any:
        """Any other configured value of this environment (``raw[key]``), or ``default``."""
        return self.raw.get(key, default)


@dataclass(frozen=True)
class RuntimeConfig:
    """The service's environments in promotion order (DEV -> SIT -> PROD by default)."""

    service: str
    promotion_order: tuple[str, ...]
    environments: dict[str, Environment] = field(hash=False)
    source: Path

    def env(self, name: str) -> Environment:
        """The environment called ``name``; :class:`RuntimeOpError` listing the known ones if none is."""
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(self.promotion_order)
            raise RuntimeOpError(f"unknown environment {name!r} (known: {known}; from {self.source})") from None

    def previous(self, name: str) -> Environment | None:
        """The environment a build must pass before ``name`` (``None`` for the first)."""
        index = self.promotion_order.index(self.env(name).name)
        return self.environments[self.promotion_order[index - 1]] if index else None

    @property
    def first(self) -> Environment:
        """The environment builds are deployed to directly (DEV)."""
        return self.environments[self.promotion_order[0]]

    @property
    def last(self) -> Environment:
        """The production environment: the last in the promotion order."""
        return self.environments[self.promotion_order[-1]]


def find_config(start: Path | None = None) -> Path:
    """``$BBWS_RUNTIME_CONFIG`` if set, else ``deploy/environments.json`` in the cwd or a parent."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_RELATIVE
        if candidate.is_file():
            return candidate
    raise RuntimeOpError(
        f"no {DEFAULT_RELATIVE} in {here} or any parent; run from the service repository or set {ENV_VAR}"
    )


def load_config(path: str | Path | None = None) -> RuntimeConfig:
    """Read and validate the runtime configuration (default: :func:`find_config`) and the
    environment variables the runtime acts on (:func:`check_environment_variables`)."""
    src = Path(path) if path is not None else find_config()
    check_environment_variables(os.environ)
    return parse_config(read_json(src, "the runtime configuration"), src)


# -- field checks: each returns what is wrong with a value, or "" -------------------------------
Check = Callable[[Any], str]


def _text(pattern: re.Pattern[str], what: str) -> Check:
    def check(value: Any) -> str:
        if isinstance(value, str) and pattern.fullmatch(value):
            return ""
        return f"must be {what}, not {_show(value)}"

    return check


def _integer(low: int, high: int) -> Check:
    def check(value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return ""
        return f"must be an integer in [{low}, {high}], not {_show(value)}"

    return check


def _number(low: float, high: float) -> Check:
    def check(value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high:
            return ""  # NaN and the infinities never get here: read_json refuses them
        return f"must be a number in [{low:g}, {high:g}], not {_show(value)}"

    return check


def _flag(value: Any) -> str:
    return "" if isinstance(value, bool) else f"must be true or false, not {_show(value)}"


def _optional(check: Check) -> Check:
    return lambda value: "" if value is None else check(value)


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


_NAME = _text(_NAME_RE, "2-10 lower-case letters/digits")
_REGION = _text(_REGION_RE, "an AWS region")
_GH_ENV = _text(_GH_ENV_RE, "a GitHub environment name")
_TABLE = _text(_TABLE_RE, "a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)")
_ROLE_ARN = _text(_ROLE_ARN_RE, "an IAM role ARN")

# Every setting of an environment that some part of the runtime or the generated repository reads
# (bbws_scaffold/config/environments.py writes them). Keys not listed are kept as they are.
ENVIRONMENT_FIELDS: dict[str, Check] = {
    "name": _NAME,
    "account_id": _text(_ACCOUNT_RE, "a 12-digit AWS account id (a string)"),
    "region": _REGION,
    "dr_region": _optional(_REGION),
    "github_environment": _optional(_GH_ENV),
    "hotfix_github_environment": _optional(_GH_ENV),
    "state_bucket": _optional(_text(_BUCKET_RE, "an S3 bucket name")),
    "lock_table": _optional(_TABLE),
    "state_region": _optional(_REGION),
    "encrypt_state": _optional(_flag),
    "deploy_role_arn": _optional(_ROLE_ARN),
    "previous": _optional(_NAME),
    "deployments_table": _optional(_TABLE),
    "records_reader_role_arn": _optional(_ROLE_ARN),
    "sns_topic_arn": _optional(_text(_SNS_ARN_RE, "an SNS topic ARN")),
    "required_reviewers": _integer(0, 6),
    "wait_timer_minutes": _integer(0, 43200),
    "log_retention_days": _integer(1, 3653),
    "reserved_concurrency": _integer(1, 10000),
    "api_throttle_rate_limit": _integer(1, 100000),
    "api_throttle_burst_limit": _integer(1, 100000),
    "canary_percent": _integer(1, 100),
    "canary_wait_seconds": _number(0, 3600),
    "deletion_protection": _flag,
    "lock_ttl_seconds": _integer(1, 86400),
}
REQUIRED_FIELDS = ("account_id", "region")


def parse_config(data: Any, source: Path) -> RuntimeConfig:
    """Validate an already-parsed configuration document (see the module docstring)."""

    def fail(msg: str) -> RuntimeOpError:
        return RuntimeOpError(f"{source}: {msg}")

    if not isinstance(data, dict):
        raise fail("top level must be an object")
    service = data.get("service")
    if not isinstance(service, str) or not _SERVICE_RE.fullmatch(service):
        raise fail(f"`service` must be the service's kebab-case name, not {_show(service)}")
    envs = data.get("environments")
    if not isinstance(envs, dict) or not envs:
        raise fail("`environments` must map environment names to their settings")
    order = data.get("promotion_order")
    if (
        not isinstance(order, list)
        or not all(isinstance(name, str) for name in order)
        or sorted(order) != sorted(envs)
        or len(set(order)) != len(order)
    ):
        raise fail("`promotion_order` must list every environment exactly once")

    environments: dict[str, Environment] = {}
    for name in order:
        if not _NAME_RE.fullmatch(name):
            raise fail(f"environment name {name!r} must be 2-10 lower-case letters/digits")
        cfg = envs[name]
        if not isinstance(cfg, dict):
            raise fail(f"environments.{name} must be an object")
        for key in REQUIRED_FIELDS:
            if key not in cfg:
                raise fail(f"environments.{name}.{key} is missing")
        for key, check in ENVIRONMENT_FIELDS.items():
            problem = check(cfg[key]) if key in cfg else ""
            if problem:
                raise fail(f"environments.{name}.{key} {problem}")
        if cfg.get("name", name) != name:
            raise fail(f"environments.{name}.name must be {name!r} (the key), not {_show(cfg['name'])}")
        environments[name] = Environment(
            name=name,
            account_id=cfg["account_id"],
            region=cfg["region"],
            github_environment=cfg.get("github_environment") or name,
            required_reviewers=cfg.get("required_reviewers", 0),
            sns_topic_arn=cfg.get("sns_topic_arn"),
            raw=dict(cfg),
        )
    return RuntimeConfig(service=service, promotion_order=tuple(order), environments=environments, source=Path(source))


# -- environment variables ------------------------------------------------------------------
ENDPOINT_VARS = re.compile(r"^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$")


def check_environment_variables(environ: Mapping[str, str]) -> None:
    """``AWS_ENDPOINT_URL`` (and the per-service ``AWS_ENDPOINT_URL_<SERVICE>``, both honoured by
    botocore) must be http(s) URLs with a host; the message never shows a password in one."""
    for key in sorted(environ):
        if ENDPOINT_VARS.fullmatch(key):
            problem = endpoint_problem(environ[key])
            if problem:
                raise RuntimeOpError(f"environment variable {key}={redact_text(environ[key])!r}: {problem}")


def endpoint_problem(url: str) -> str:
    """What is wrong with ``url`` as an AWS endpoint, or ``""``."""
    if not url or any(ch.isspace() or not ch.isprintable() for ch in url):
        return "must be a URL without spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"not a URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "has no host"
    return ""
