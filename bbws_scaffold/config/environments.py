"""Deployment environments (account, region, approvals, state backend) from configuration.

The defaults live in ``bbws_scaffold/data/environments.yaml``; a user points at another file
with ``BBWS_ENVIRONMENTS=FILE`` (or passes a path). :func:`load_environments` returns the plain,
JSON-serialisable dict the renderer hands to copier as the ``environments`` answer::

    {
      "order": ["dev", "sit", "prod"],          # promotion order, DEV -> SIT -> PROD
      "state_key": "{service}/terraform.tfstate",
      "envs": {
        "dev": {
          "name": "dev", "account_id": "536580886816", "region": "eu-west-1", "dr_region": None,
          "github_environment": "dev", "hotfix_github_environment": "dev-hotfix",
          "required_reviewers": 0, "wait_timer_minutes": 0,
          "state_bucket": "bbws-terraform-state-dev", "lock_table": "bbws-terraform-locks-dev",
          "state_region": "eu-west-1", "encrypt_state": True,
          "deploy_role_arn": "arn:aws:iam::536580886816:role/github-actions-deploy",
          "previous": None,                        # environment that must succeed first
          "deployments_table": "bbws-deployments", # runtime's deployment records (per account)
          "records_reader_role_arn": "arn:aws:iam::536580886816:role/bbws-deployments-reader",
          "sns_topic_arn": "arn:aws:sns:eu-west-1:536580886816:bbws-deployments-dev",
          "log_retention_days": 365, "reserved_concurrency": 10, ...
        },
        ...
      },
    }

Templates read these values; they never compute account ids or bucket names themselves.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bbws_scaffold.errors import EnvironmentsError
from bbws_scaffold.yamlfile import read_yaml

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "environments.yaml"
ENV_VAR = "BBWS_ENVIRONMENTS"

_ENV_NAME_RE = re.compile(r"^[a-z][a-z0-9]{1,9}$")
_ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
_REGION_RE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_TABLE_RE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_ROLE_RE = re.compile(r"^[A-Za-z0-9+=,.@_/-]{1,64}$")
_SNS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")

_INT_FIELDS = {
    "required_reviewers": (0, 6),
    "wait_timer_minutes": (0, 43200),
    "log_retention_days": (1, 3653),
    "reserved_concurrency": (1, 10000),
    "api_throttle_rate_limit": (1, 100000),
    "api_throttle_burst_limit": (1, 100000),
    "canary_percent": (1, 100),
    "canary_wait_seconds": (0, 3600),
}
_BOOL_FIELDS = ("deletion_protection",)


def default_path() -> Path:
    """The configuration file in force: ``$BBWS_ENVIRONMENTS`` if set, else the packaged default."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else DEFAULT_PATH


def load_environments(path: str | Path | None = None) -> dict[str, Any]:
    """Read, validate and resolve an environments file (default: :func:`default_path`)."""
    src = Path(path) if path is not None else default_path()
    raw = read_yaml(src, "environments configuration", EnvironmentsError)
    return resolve_environments(raw, source=str(src))


def resolve_environments(raw: Any, source: str = "<environments>") -> dict[str, Any]:
    """Validate a parsed environments document and resolve its ``{env}`` patterns."""

    def fail(msg: str) -> EnvironmentsError:
        return EnvironmentsError(f"{source}: {msg}")

    if not isinstance(raw, Mapping):
        raise fail("top level must be a mapping")
    envs = raw.get("environments")
    if not isinstance(envs, Mapping) or not envs:
        raise fail("`environments` must map environment names to their settings")
    order = raw.get("promotion_order") or list(envs)
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(map(str, envs)):
        raise fail("`promotion_order` must list every environment exactly once")
    state = raw.get("state") or {}
    if not isinstance(state, Mapping):
        raise fail("`state` must be a mapping")
    bucket_pat = str(state.get("bucket", "bbws-terraform-state-{env}"))
    lock_pat = str(state.get("lock_table", "bbws-terraform-locks-{env}"))
    state_key = str(state.get("key", "{service}/terraform.tfstate"))
    if "{service}" not in state_key or not re.fullmatch(r"[A-Za-z0-9_.{}/-]+", state_key):
        raise fail("`state.key` must be a path containing {service}")
    encrypt = state.get("encrypt", True)
    if encrypt is not True:
        raise fail("`state.encrypt` must be true: state holds resource attributes and must be encrypted")
    role_name = str(raw.get("deploy_role_name", "github-actions-deploy"))
    if not _ROLE_RE.fullmatch(role_name):
        raise fail(f"`deploy_role_name` {role_name!r} is not a valid IAM role name")
    runtime = raw.get("runtime") or {}
    if not isinstance(runtime, Mapping):
        raise fail("`runtime` must be a mapping")
    records_table = str(runtime.get("deployments_table", "bbws-deployments"))
    if not _TABLE_RE.fullmatch(records_table):
        raise fail(f"`runtime.deployments_table` {records_table!r} is not a valid DynamoDB table name")
    reader_role = str(runtime.get("records_reader_role_name", "bbws-deployments-reader"))
    if not _ROLE_RE.fullmatch(reader_role):
        raise fail(f"`runtime.records_reader_role_name` {reader_role!r} is not a valid IAM role name")
    topic_pat = str(runtime.get("sns_topic", "bbws-deployments-{env}"))

    out_envs: dict[str, dict[str, Any]] = {}
    previous: str | None = None
    for name in order:
        name = str(name)
        if not _ENV_NAME_RE.fullmatch(name):
            raise fail(f"environment name {name!r} must be 2-10 lower-case letters/digits")
        cfg = envs[name]
        if not isinstance(cfg, Mapping):
            raise fail(f"environments.{name} must be a mapping")
        acct = cfg.get("account_id")
        acct = f"{acct:012d}" if isinstance(acct, int) else str(acct or "")
        if not _ACCOUNT_RE.fullmatch(acct):
            raise fail(f"environments.{name}.account_id must be a 12-digit AWS account id")
        region = str(cfg.get("region") or "")
        if not _REGION_RE.fullmatch(region):
            raise fail(f"environments.{name}.region {region!r} is not an AWS region")
        dr = cfg.get("dr_region")
        if dr is not None and not _REGION_RE.fullmatch(str(dr)):
            raise fail(f"environments.{name}.dr_region {dr!r} is not an AWS region")
        bucket = bucket_pat.replace("{env}", name)
        lock = lock_pat.replace("{env}", name)
        if not _BUCKET_RE.fullmatch(bucket):
            raise fail(f"state bucket {bucket!r} for {name} is not a valid S3 bucket name")
        if not _TABLE_RE.fullmatch(lock):
            raise fail(f"lock table {lock!r} for {name} is not a valid DynamoDB table name")
        gh_env = str(cfg.get("github_environment") or name)
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,255}", gh_env):
            raise fail(f"environments.{name}.github_environment {gh_env!r} is not a valid name")
        hotfix_env = str(cfg.get("hotfix_github_environment") or f"{gh_env}-hotfix")
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,255}", hotfix_env) or hotfix_env == gh_env:
            raise fail(f"environments.{name}.hotfix_github_environment {hotfix_env!r} is not a valid, separate name")
        resolved: dict[str, Any] = {
            "name": name,
            "account_id": acct,
            "region": region,
            "dr_region": str(dr) if dr is not None else None,
            "github_environment": gh_env,
            "hotfix_github_environment": hotfix_env,
            "state_bucket": bucket,
            "lock_table": lock,
            "state_region": str(cfg.get("state_region") or region),
            "encrypt_state": True,
            "deploy_role_arn": f"arn:aws:iam::{acct}:role/{role_name}",
            "previous": previous,
            "deployments_table": records_table,
            "records_reader_role_arn": f"arn:aws:iam::{acct}:role/{reader_role}",
        }
        topic = cfg.get("sns_topic_arn") or f"arn:aws:sns:{region}:{acct}:{topic_pat.replace('{env}', name)}"
        if not _SNS_ARN_RE.fullmatch(str(topic)):
            raise fail(f"SNS topic {topic!r} for {name} is not a valid topic ARN")
        resolved["sns_topic_arn"] = str(topic)
        if not _REGION_RE.fullmatch(resolved["state_region"]):
            raise fail(f"environments.{name}.state_region is not an AWS region")
        defaults = _FIELD_DEFAULTS[name] if name in _FIELD_DEFAULTS else _FIELD_DEFAULTS["sit"]
        for field, (lo, hi) in _INT_FIELDS.items():
            value = cfg.get(field, defaults[field])
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise fail(f"environments.{name}.{field} must be an integer in [{lo}, {hi}]")
            resolved[field] = value
        for field in _BOOL_FIELDS:
            value = cfg.get(field, defaults[field])
            if not isinstance(value, bool):
                raise fail(f"environments.{name}.{field} must be true or false")
            resolved[field] = value
        out_envs[name] = resolved
        previous = name
    return {"order": [str(n) for n in order], "state_key": state_key, "envs": out_envs}


_FIELD_DEFAULTS: dict[str, dict[str, Any]] = {
    "dev": {
        "required_reviewers": 0,
        "wait_timer_minutes": 0,
        "log_retention_days": 365,
        "reserved_concurrency": 10,
        "api_throttle_rate_limit": 50,
        "api_throttle_burst_limit": 100,
        "deletion_protection": False,
        "canary_percent": 100,
        "canary_wait_seconds": 0,
    },
    "sit": {
        "required_reviewers": 1,
        "wait_timer_minutes": 0,
        "log_retention_days": 365,
        "reserved_concurrency": 20,
        "api_throttle_rate_limit": 100,
        "api_throttle_burst_limit": 200,
        "deletion_protection": False,
        "canary_percent": 10,
        "canary_wait_seconds": 300,
    },
    "prod": {
        "required_reviewers": 2,
        "wait_timer_minutes": 30,
        "log_retention_days": 365,
        "reserved_concurrency": 100,
        "api_throttle_rate_limit": 500,
        "api_throttle_burst_limit": 1000,
        "deletion_protection": True,
        "canary_percent": 10,
        "canary_wait_seconds": 600,
    },
}


def environments_answer(path: str | Path | None = None) -> dict[str, Any]:
    """The value of the copier answer ``environments`` (a deep copy, safe to mutate)."""
    return copy.deepcopy(load_environments(path))
