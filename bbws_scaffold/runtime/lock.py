"""One operation at a time per service and environment: a lock item in the deployments table.

``deploy``, ``promote``, ``canary`` and ``rollback`` hold the lock of the environment they change
from before they read its records until they have written their outcome. The lock is the item
``pk = lock#<service>#<env>``, ``sk = lock`` of the account's deployments table (no record query
ever reads that partition), written with a DynamoDB conditional put that succeeds only when no
lock is there or the one there has expired. It names its holder (operation, GitHub run id and
URL, actor, host, pid) and an expiry; while the operation runs a heartbeat pushes the expiry
forward, so a long canary keeps its lock and a holder killed outright (``kill -9``, a lost
runner) frees it at most ``lock_ttl_seconds`` later. A run that finds a live lock is refused with
the holder and the expiry; one that finds an expired lock takes it over and says whose it was.
The lock is released on the way out of the ``with`` block, error or not (``bbws-runtime`` turns
SIGTERM, which GitHub sends a cancelled job, into an error so this still runs), and only by the
holder: the delete is conditional on the holder's random token.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError

from bbws_scaffold.runtime.config import Environment
from bbws_scaffold.runtime.context import RunContext
from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.log import log
from bbws_scaffold.runtime.records import RecordStore

LOCK_SK = "lock"
DEFAULT_TTL_SECONDS = 900
_ATTEMPTS = 3  # a lock released between our put and our read of it: try again, a few times


class Locked(Refused):
    """Another run holds the environment's lock."""


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class LockHolder:
    operation: str
    run_id: str
    run_url: str
    actor: str
    host: str
    pid: int
    token: str
    acquired_at: float
    expires_at: float

    def describe(self) -> str:
        run = f"run {self.run_id}" if self.run_id else "a run outside GitHub Actions"
        url = f" ({self.run_url})" if self.run_url else ""
        return (
            f"{self.operation} by {run}{url} of {self.actor or 'unknown'} on host {self.host} pid {self.pid}, "
            f"since {_when(self.acquired_at)}, expiring {_when(self.expires_at)}"
        )

    def to_item(self, pk: str) -> dict[str, Any]:
        return {
            "pk": {"S": pk},
            "sk": {"S": LOCK_SK},
            "operation": {"S": self.operation},
            "run_id": {"S": self.run_id},
            "run_url": {"S": self.run_url},
            "actor": {"S": self.actor},
            "host": {"S": self.host},
            "pid": {"N": str(self.pid)},
            "lock_token": {"S": self.token},
            "acquired_at": {"N": repr(self.acquired_at)},
            "expires_at": {"N": repr(self.expires_at)},
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> LockHolder:
        def text(key: str) -> str:
            return str(item.get(key, {}).get("S", ""))

        def number(key: str) -> float:
            try:
                return float(item.get(key, {}).get("N", "0"))
            except ValueError:
                return 0.0

        return cls(
            operation=text("operation") or "an operation",
            run_id=text("run_id"),
            run_url=text("run_url"),
            actor=text("actor"),
            host=text("host") or "?",
            pid=int(number("pid")),
            token=text("lock_token"),
            acquired_at=number("acquired_at"),
            expires_at=number("expires_at"),
        )


class DeploymentLock:
    """``with DeploymentLock(store, service, env, "deploy", run):`` holds the environment's lock."""

    def __init__(
        self,
        store: RecordStore,
        service: str,
        env: str,
        operation: str,
        run: RunContext,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not ttl_seconds > 0:
            raise RuntimeOpError(f"the lock's time to live must be positive, not {ttl_seconds!r}")
        self.store = store
        self.pk = f"lock#{service}#{env}"
        self.label = f"{service} in {env}"
        self.operation = operation
        self.run = run
        self.ttl = float(ttl_seconds)
        self.clock = clock
        self.token = secrets.token_hex(16)
        self.holder: LockHolder | None = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    # -- the item --------------------------------------------------------------------------
    def _key(self) -> dict[str, Any]:
        return {"pk": {"S": self.pk}, "sk": {"S": LOCK_SK}}

    def _read(self) -> LockHolder | None:
        item = self.store.client.get_item(TableName=self.store.table, Key=self._key(), ConsistentRead=True).get("Item")
        return LockHolder.from_item(item) if item else None

    def acquire(self) -> LockHolder:
        self.store.ensure_table()
        for _ in range(_ATTEMPTS):
            now = self.clock()
            mine = LockHolder(
                operation=self.operation,
                run_id=self.run.run_id,
                run_url=self.run.run_url,
                actor=self.run.actor,
                host=socket.gethostname(),
                pid=os.getpid(),
                token=self.token,
                acquired_at=now,
                expires_at=now + self.ttl,
            )
            try:
                old = self.store.client.put_item(
                    TableName=self.store.table,
                    Item=mine.to_item(self.pk),
                    ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                    ExpressionAttributeValues={":now": {"N": repr(now)}},
                    ReturnValues="ALL_OLD",
                ).get("Attributes")
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                holder = self._read()
                if holder is None:
                    continue  # released meanwhile: try again
                log("lock.refused", lock=self.pk, operation=self.operation, holder=holder.describe())
                raise Locked(
                    f"{self.label} is locked by {holder.describe()}: one operation at a time; "
                    f"retry when it has finished (a holder that died loses the lock when it expires)"
                ) from None
            if old:
                stale = LockHolder.from_item(old)
                log("lock.taken_over", lock=self.pk, operation=self.operation, stale_holder=stale.describe())
            log("lock.acquired", lock=self.pk, operation=self.operation, expires=_when(mine.expires_at))
            self.holder = mine
            return mine
        raise RuntimeOpError(f"cannot take the lock of {self.label}: it keeps changing hands; retry")

    def extend(self) -> bool:
        """Push the expiry forward; ``False`` when the lock is no longer ours (it expired and was taken)."""
        expires = self.clock() + self.ttl
        try:
            self.store.client.update_item(
                TableName=self.store.table,
                Key=self._key(),
                UpdateExpression="SET expires_at = :expires",
                ConditionExpression="lock_token = :token",
                ExpressionAttributeValues={":expires": {"N": repr(expires)}, ":token": {"S": self.token}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                log("lock.extend_failed", lock=self.pk, error=str(exc))
                return True  # a transient error: the next beat tries again
            log("lock.lost", lock=self.pk, operation=self.operation, note="expired and taken by another run")
            return False
        return True

    def release(self) -> None:
        try:
            self.store.client.delete_item(
                TableName=self.store.table,
                Key=self._key(),
                ConditionExpression="lock_token = :token",
                ExpressionAttributeValues={":token": {"S": self.token}},
            )
            log("lock.released", lock=self.pk, operation=self.operation)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            log("lock.lost", lock=self.pk, operation=self.operation, note="not ours any more at release")

    # -- the heartbeat ---------------------------------------------------------------------
    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            if not self.extend():
                return

    def __enter__(self) -> DeploymentLock:
        self.acquire()
        self._beat = threading.Thread(target=self._heartbeat, name=f"lock-{self.pk}", daemon=True)
        self._beat.start()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=10)
        try:
            self.release()
        except ClientError as rel_exc:
            if exc is None:
                raise
            log("lock.release_failed", lock=self.pk, error=str(rel_exc))  # the original error matters more


def lock_for(store: RecordStore, service: str, env: Environment, operation: str, run: RunContext) -> DeploymentLock:
    """The lock of ``service`` in ``env``, with the environment's ``lock_ttl_seconds``."""
    ttl = env.setting("lock_ttl_seconds", DEFAULT_TTL_SECONDS)
    return DeploymentLock(store, service, env.name, operation, run, ttl_seconds=float(ttl))
