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
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from bbws_scaffold.runtime.config import Environment
from bbws_scaffold.runtime.log import log

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
        data = asdict(self)
        data.update(pk=self.pk, sk=self.sk)
        return {k: _SERIALIZER.serialize(v) for k, v in data.items() if v != "" or k in ("pk", "sk")}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> DeploymentRecord:
        data = {k: _DESERIALIZER.deserialize(v) for k, v in item.items()}
        names = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in names}
        values["functions"] = {
            str(k): {str(a): str(b) for a, b in v.items()} for k, v in values.get("functions", {}).items()
        }
        return cls(**values)


class RecordStore:
    """Read and write records in one account's deployments table."""

    def __init__(self, session: boto3.session.Session, table: str = DEFAULT_TABLE) -> None:
        self.table = table
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
                    yield DeploymentRecord.from_item(item)
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

    def latest_success(self, service: str, env: str, version: str | None = None) -> DeploymentRecord | None:
        """The newest record that left ``env`` serving a version (optionally: that ``version``)."""
        for record in self.history(service, env):
            if record.outcome == SUCCEEDED and record.action != "rollback" and version in (None, record.version):
                return record
        return None

    def current(self, service: str, env: str) -> DeploymentRecord | None:
        """The newest record that moved traffic (a success or a rollback): what ``env`` serves now."""
        for record in self.history(service, env):
            if record.outcome == SUCCEEDED:
                return record
        return None


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
                self.finish(FAILED, detail=" ".join(str(exc).split())[:500])
            except ClientError as rec_exc:  # the original error matters more; say both
                log("records.put_failed", error=str(rec_exc))
