"""The deployment record store: an audit trail of every deploy, promotion, canary and rollback.

One DynamoDB table per AWS account (default ``bbws-deployments``, ``deployments_table`` in the
environment's configuration), shared by every service deployed there, which is why no service's
Terraform owns it: the runtime creates it on first use (on-demand billing, encryption, point-in-time
recovery, deletion protection) and never deletes it. Items are keyed by ``pk = <service>#<env>`` and
a time-ordered ``sk = <UTC timestamp>#<random id>``, so a query returns a service's history in an
environment newest first. A record is written ``in_progress`` before an operation touches anything
and updated with its outcome at the end: a run that dies midway stays visible.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from bbws_scaffold.runtime.config import Environment
from bbws_scaffold.runtime.log import log, redact_text

DEFAULT_TABLE = "bbws-deployments"

IN_PROGRESS = "in_progress"
PUBLISHED = "published"  # new versions published, traffic not moved yet (a canary follows)
SUCCEEDED = "succeeded"
FAILED = "failed"
ROLLED_BACK = "rolled_back"
OUTCOMES = (IN_PROGRESS, PUBLISHED, SUCCEEDED, FAILED, ROLLED_BACK)

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class DeploymentRecord:
    service: str
    env: str
    action: str  # deploy | promote | canary | rollback
    version: str
    artifact_digest: str
    git_sha: str
    actor: str
    run_id: str = ""
    run_url: str = ""
    outcome: str = IN_PROGRESS
    started_at: str = field(default_factory=utc_now)
    finished_at: str = ""
    source_env: str = ""
    detail: str = ""
    commit_time: str = ""  # ISO 8601 commit time of the deployed commit (DORA lead time; optional)
    git_ref: str = ""  # the run's GITHUB_REF: refs/heads/hotfix/... is a hotfix (DORA change failure rate)
    # function name -> {"version": published/target version, "previous": alias version before}
    functions: dict[str, dict[str, str]] = field(default_factory=dict)
    record_id: str = field(default_factory=lambda: secrets.token_hex(4))

    @property
    def pk(self) -> str:
        return f"{self.service}#{self.env}"

    @property
    def sk(self) -> str:
        return f"{self.started_at}#{self.record_id}"

    def finished(self, outcome: str, detail: str = "", **changes: Any) -> DeploymentRecord:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        return replace(self, outcome=outcome, finished_at=utc_now(), detail=detail or self.detail, **changes)

    def to_item(self) -> dict[str, Any]:
        """The DynamoDB item: every field, empty strings included (DynamoDB stores them in non-key
        attributes), so any runtime version reads it back, even one that requires a field."""
        data = asdict(self)
        data.update(pk=self.pk, sk=self.sk)
        return {k: _SERIALIZER.serialize(v) for k, v in data.items()}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> DeploymentRecord:
        """The record ``item`` holds; a field it lacks gets its empty value (earlier releases did not
        store empty strings), so no operation fails on a record another one wrote. An item that
        is not a record at all raises :class:`UnreadableRecord` naming the field."""
        data = {k: _DESERIALIZER.deserialize(v) for k, v in item.items()}
        keys = _split_key(data.get("pk"), data.get("sk"))
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in data and data[f.name] is not None:
                values[f.name] = _coerce(f.name, _FIELD_TYPES[f.name], data[f.name])
            elif f.name in keys:
                values[f.name] = keys[f.name]
            elif f.default is not MISSING or f.default_factory is not MISSING:
                continue  # the dataclass default (record_id/started_at come from the sort key)
            else:
                values[f.name] = ""
        return cls(**values)


class UnreadableRecord(ValueError):
    """An item of the deployments table that is not a deployment record (hand-edited, foreign)."""


def _split_key(pk: Any, sk: Any) -> dict[str, str]:
    """Fields recoverable from the item's key: ``service#env`` and ``started_at#record_id``."""
    out: dict[str, str] = {}
    for key, (left, right) in ((pk, ("service", "env")), (sk, ("started_at", "record_id"))):
        if isinstance(key, str) and "#" in key:
            out[left], _, out[right] = key.rpartition("#")
    return out


def _coerce(name: str, kind: str, value: Any) -> Any:
    if kind == "str":
        if isinstance(value, (str, Decimal)):
            return str(value)
    elif kind.startswith("dict["):
        if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
            return {str(k): {str(a): str(b) for a, b in v.items()} for k, v in value.items()}
    elif kind == "int | None":
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
    else:  # a field type this reader does not know: as stored
        return value
    raise UnreadableRecord(f"field {name!r} holds {type(value).__name__} {str(value)[:60]!r}, not {kind}")


# field name -> its annotation as written (``from __future__ import annotations`` keeps them text)
_FIELD_TYPES: dict[str, str] = {f.name: str(f.type) for f in fields(DeploymentRecord)}


class RecordStore:
    """Read and write records in one account's deployments table."""

    def __init__(self, session: boto3.session.Session, table: str = DEFAULT_TABLE) -> None:
        self.table = table
        self.session = session
        self.client = session.client("dynamodb")

    @classmethod
    def for_env(cls, env: Environment, session: boto3.session.Session) -> RecordStore:
        return cls(session, str(env.setting("deployments_table") or DEFAULT_TABLE))

    def ensure_table(self) -> None:
        """Create the table if it does not exist yet (idempotent, safe against a concurrent creator)."""
        try:
            self.client.describe_table(TableName=self.table)
            return
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
        try:
            self.client.create_table(
                TableName=self.table,
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                BillingMode="PAY_PER_REQUEST",
                SSESpecification={"Enabled": True},
                DeletionProtectionEnabled=True,
                Tags=[{"Key": "managed-by", "Value": "bbws-runtime"}],
            )
            log("records.table_created", table=self.table)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
        self.client.get_waiter("table_exists").wait(TableName=self.table, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
        self.client.update_continuous_backups(
            TableName=self.table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )

    def put(self, record: DeploymentRecord) -> DeploymentRecord:
        self.client.put_item(TableName=self.table, Item=record.to_item())
        log(
            "records.put",
            table=self.table,
            service=record.service,
            env=record.env,
            action=record.action,
            version=record.version,
            outcome=record.outcome,
        )
        return record

    def history(self, service: str, env: str, limit: int | None = None) -> Iterator[DeploymentRecord]:
        """Records of ``service`` in ``env``, newest first."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"{service}#{env}"}},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        seen = 0
        try:
            while True:
                page = self.client.query(**kwargs)
                for item in page.get("Items", []):
                    try:
                        record = DeploymentRecord.from_item(item)
                    except UnreadableRecord as exc:  # one bad item must not hide the history
                        log("records.skipped", table=self.table, sk=str(item.get("sk", {}).get("S")), reason=str(exc))
                        continue
                    yield record
                    seen += 1
                    if limit is not None and seen >= limit:
                        return
                if "LastEvaluatedKey" not in page:
                    return
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise

    def successes(self, service: str, env: str, version: str | None = None) -> Iterator[DeploymentRecord]:
        """Records that left ``env`` serving a version (optionally: that ``version``), newest first."""
        for record in self.history(service, env):
            if record.outcome == SUCCEEDED and record.action != "rollback" and version in (None, record.version):
                yield record

    def latest_success(self, service: str, env: str, version: str | None = None) -> DeploymentRecord | None:
        """The newest record that left ``env`` serving a version (optionally: that ``version``)."""
        return next(self.successes(service, env, version), None)

    def current(self, service: str, env: str) -> DeploymentRecord | None:
        """The newest record that moved traffic (a success or a rollback): what ``env`` serves now."""
        for record in self.history(service, env):
            if record.outcome == SUCCEEDED:
                return record
        return None


def pick(
    records: Iterable[DeploymentRecord], lacks: Callable[[DeploymentRecord], str], purpose: str
) -> tuple[DeploymentRecord | None, list[str]]:
    """The first of ``records`` that has what ``purpose`` needs (``lacks(record)`` is ``""``).

    The ones before it are skipped, each logged with its reason and returned as a short line, so
    a record written without (say) a package digest costs that one record, not the whole history."""
    skipped: list[str] = []
    for record in records:
        reason = lacks(record)
        if not reason:
            return record, skipped
        log("records.skipped", purpose=purpose, record=record.sk, version=record.version, reason=reason)
        skipped.append(f"{record.action} {record.version or '-'} of {record.started_at[:19] or '?'}: {reason}")
    return None, skipped


def skipped_note(skipped: list[str]) -> str:
    """`` (skipped: ...)`` for an error message, or nothing."""
    return f" (skipped: {'; '.join(skipped)})" if skipped else ""


class Recorder:
    """Writes a record before an operation and its outcome after; a failure is recorded, then raised."""

    def __init__(self, store: RecordStore, record: DeploymentRecord) -> None:
        self.store = store
        self.record = record

    def __enter__(self) -> Recorder:
        self.store.ensure_table()
        self.store.put(self.record)
        return self

    def finish(self, outcome: str, detail: str = "", **changes: Any) -> DeploymentRecord:
        self.record = self.store.put(self.record.finished(outcome, detail, **changes))
        return self.record

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is not None and self.record.outcome == IN_PROGRESS:
            try:
                self.finish(FAILED, detail=" ".join(redact_text(str(exc)).split())[:500])
            except ClientError as rec_exc:  # the original error matters more; say both
                log("records.put_failed", error=str(rec_exc))
