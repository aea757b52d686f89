"""backup: an on-demand DynamoDB backup of every table of the service, before a PROD change.

Backups are named ``<table>-<label>`` (label: the version about to be released), so re-running
the same promotion reuses the backup it already made instead of piling up copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError

from bbws_scaffold.runtime.aws import session_for
from bbws_scaffold.runtime.config import RuntimeConfig
from bbws_scaffold.runtime.context import check_version
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.guard import require_account
from bbws_scaffold.runtime.log import log
from bbws_scaffold.runtime.manifest import ServiceManifest

_BACKUP_NAME_BAD = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Backup:
    table: str
    name: str
    arn: str
    created: bool  # False: an existing backup of the same name was reused


def backup_name(table: str, label: str) -> str:
    name = _BACKUP_NAME_BAD.sub("-", f"{table}-{label}")
    return name[:255]


def backup(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    env_name: str,
    *,
    label: str,
    session: boto3.session.Session | None = None,
) -> list[Backup]:
    env = cfg.env(env_name)
    label = check_version(label)
    session = session or session_for(env)
    require_account(env, session)
    client = session.client("dynamodb")
    done: list[Backup] = []
    for table in manifest.table_names(env.name):
        name = backup_name(table, label)
        existing = _existing(client, table, name)
        if existing:
            log("backup.reused", table=table, backup=name, arn=existing)
            done.append(Backup(table, name, existing, created=False))
            continue
        try:
            details = client.create_backup(TableName=table, BackupName=name)["BackupDetails"]
        except ClientError as exc:
            raise RuntimeOpError(f"cannot back up {table} in {env.name}: {exc}") from exc
        log("backup.created", table=table, backup=name, arn=details["BackupArn"], status=details.get("BackupStatus"))
        done.append(Backup(table, name, str(details["BackupArn"]), created=True))
    if not manifest.tables:
        log("backup.nothing", env=env.name, note="the service has no tables")
    return done


def _existing(client: object, table: str, name: str) -> str | None:
    kwargs = {"TableName": table, "BackupType": "USER"}
    while True:
        page = client.list_backups(**kwargs)  # type: ignore[attr-defined]
        for summary in page.get("BackupSummaries", []):
            if summary.get("BackupName") == name and summary.get("BackupStatus") in ("AVAILABLE", "CREATING"):
                return str(summary["BackupArn"])
        if "LastEvaluatedBackupArn" not in page:
            return None
        kwargs["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]
