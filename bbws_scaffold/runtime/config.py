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
need it (``deployments_table``, ``canary_wait_seconds``, ``state_bucket``, ...).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.errors import RuntimeOpError

ENV_VAR = "BBWS_RUNTIME_CONFIG"
DEFAULT_RELATIVE = Path("deploy") / "environments.json"

_NAME_RE = re.compile(r"^[a-z][a-z0-9]{1,9}$")
_SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
_GH_ENV_RE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
_SNS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")


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
    """Read and validate the runtime configuration (default: :func:`find_config`)."""
    src = Path(path) if path is not None else find_config()
    try:
        data = json.loads(src.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuntimeOpError(f"{src}: cannot read the runtime configuration: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RuntimeOpError(f"{src}: not valid JSON: {exc}") from exc
    return parse_config(data, src)


def parse_config(data: Any, source: Path) -> RuntimeConfig:
    """Validate an already-parsed configuration document (see the module docstring)."""

    def fail(msg: str) -> RuntimeOpError:
        return RuntimeOpError(f"{source}: {msg}")

    if not isinstance(data, dict):
        raise fail("top level must be an object")
    service = data.get("service")
    if not isinstance(service, str) or not _SERVICE_RE.fullmatch(service):
        raise fail("`service` must be the service's kebab-case name")
    envs = data.get("environments")
    if not isinstance(envs, dict) or not envs:
        raise fail("`environments` must map environment names to their settings")
    order = data.get("promotion_order")
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(envs) or len(set(order)) != len(order):
        raise fail("`promotion_order` must list every environment exactly once")

    environments: dict[str, Environment] = {}
    for name in order:
        if not _NAME_RE.fullmatch(name):
            raise fail(f"environment name {name!r} must be 2-10 lower-case letters/digits")
        cfg = envs[name]
        if not isinstance(cfg, dict):
            raise fail(f"environments.{name} must be an object")
        account = str(cfg.get("account_id", ""))
        if not _ACCOUNT_RE.fullmatch(account):
            raise fail(f"environments.{name}.account_id must be a 12-digit AWS account id")
        region = str(cfg.get("region", ""))
        if not _REGION_RE.fullmatch(region):
            raise fail(f"environments.{name}.region {region!r} is not an AWS region")
        gh_env = str(cfg.get("github_environment") or name)
        if not _GH_ENV_RE.fullmatch(gh_env):
            raise fail(f"environments.{name}.github_environment {gh_env!r} is not a valid name")
        reviewers = cfg.get("required_reviewers", 0)
        if isinstance(reviewers, bool) or not isinstance(reviewers, int) or not 0 <= reviewers <= 6:
            raise fail(f"environments.{name}.required_reviewers must be an integer in [0, 6]")
        topic = cfg.get("sns_topic_arn")
        if topic is not None and (not isinstance(topic, str) or not _SNS_ARN_RE.fullmatch(topic)):
            raise fail(f"environments.{name}.sns_topic_arn {topic!r} is not an SNS topic ARN")
        environments[name] = Environment(
            name=name,
            account_id=account,
            region=region,
            github_environment=gh_env,
            required_reviewers=reviewers,
            sns_topic_arn=topic,
            raw=dict(cfg),
        )
    return RuntimeConfig(service=service, promotion_order=tuple(order), environments=environments, source=Path(source))
