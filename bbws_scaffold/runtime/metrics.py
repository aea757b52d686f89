"""DORA delivery metrics of one service in one environment, from its deployment records.

Definitions (records newer than ``now - since``, oldest first):

- a **deployment** is a ``deploy``, ``promote`` or ``canary`` record that moved live traffic:
  outcome ``succeeded``, or ``rolled_back`` (a canary that reached some traffic and was withdrawn).
  ``published`` (traffic not moved yet; the canary that follows is the deployment) and ``failed``
  (stopped before traffic moved) are not deployments.
- **deployment frequency**: successful deployments per day (and per week) over the window.
- **lead time for changes**: ``finished_at`` of a successful deployment minus the commit time of
  the deployed commit (``commit_time``, recorded at deploy; a canary takes it from the record that
  published the same version); the median, over the deployments that have one.
- **change failure rate**: failed changes / deployments, where a change failed when it was rolled
  back or hotfixed: its canary ended ``rolled_back``, or the next record that moved traffic after
  it is a ``rollback`` or a deployment from a hotfix branch (``git_ref`` ``refs/heads/hotfix/...``,
  what hotfix.yml runs on).
- **time to restore**: per failed change, from when it went live (``finished_at``; a canary's
  ``started_at``) to the ``finished_at`` of the next record that moved traffic (the rollback or
  the hotfix); the median.
- **rollback rate**: successful ``rollback`` records (manual or a canary's automatic one) /
  deployments.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.records import ROLLED_BACK, SUCCEEDED, DeploymentRecord

DEPLOY_ACTIONS = ("deploy", "promote", "canary")
HOTFIX_REF = "refs/heads/hotfix/"
_SINCE_RE = re.compile(r"^([1-9][0-9]{0,4})([hdw])$")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def _hotfix(record: DeploymentRecord) -> bool:
    """A deployment from a hotfix branch: it repairs the change before it."""
    return record.action in DEPLOY_ACTIONS and record.git_ref.startswith(HOTFIX_REF)


def parse_since(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w`` -> a timedelta."""
    m = _SINCE_RE.fullmatch(text.strip())
    if not m:
        raise RuntimeOpError(f"--since {text!r} must be a number followed by h, d or w (e.g. 30d)")
    return int(m.group(1)) * _UNIT[m.group(2)]


def _time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Metrics:
    env: str
    since: str  # ISO start of the window
    until: str
    days: float
    deployments: int  # moved traffic (succeeded + rolled-back canaries)
    successful_deployments: int
    deployments_per_day: float
    deployments_per_week: float
    lead_time_seconds: float | None  # median
    lead_time_samples: int
    failed_changes: int
    change_failure_rate: float | None
    time_to_restore_seconds: float | None  # median
    restore_samples: int
    rollbacks: int
    rollback_rate: float | None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _moved_traffic(r: DeploymentRecord) -> bool:
    return r.outcome == SUCCEEDED or (r.action == "canary" and r.outcome == ROLLED_BACK)


def compute(records: list[DeploymentRecord], env: str, *, since: timedelta, now: datetime) -> Metrics:
    start = now - since
    window = sorted(
        (r for r in records if (t := _time(r.started_at)) is not None and start <= t <= now),
        key=lambda r: r.sk,
    )
    commit_times = {r.version: r.commit_time for r in records if r.commit_time}
    deployments = [r for r in window if r.action in DEPLOY_ACTIONS and _moved_traffic(r)]
    succeeded = [r for r in deployments if r.outcome == SUCCEEDED]
    rollbacks = [r for r in window if r.action == "rollback" and r.outcome == SUCCEEDED]
    movers = [r for r in window if _moved_traffic(r)]

    leads = []
    for r in succeeded:
        done, committed = _time(r.finished_at), _time(r.commit_time or commit_times.get(r.version, ""))
        if done and committed and done >= committed:
            leads.append((done - committed).total_seconds())

    failed, restores = 0, []
    for r in deployments:
        after = movers[movers.index(r) + 1 :]
        nxt = after[0] if after else None
        if not (r.outcome == ROLLED_BACK or (nxt is not None and (nxt.action == "rollback" or _hotfix(nxt)))):
            continue
        failed += 1
        went_live = _time(r.started_at if r.outcome == ROLLED_BACK else r.finished_at)
        restored = _time(nxt.finished_at) if nxt is not None else None
        if went_live and restored:
            restores.append((restored - went_live).total_seconds())

    days = since.total_seconds() / 86400
    n = len(deployments)
    return Metrics(
        env=env,
        since=start.isoformat(),
        until=now.isoformat(),
        days=round(days, 4),
        deployments=n,
        successful_deployments=len(succeeded),
        deployments_per_day=round(len(succeeded) / days, 4),
        deployments_per_week=round(len(succeeded) / days * 7, 4),
        lead_time_seconds=statistics.median(leads) if leads else None,
        lead_time_samples=len(leads),
        failed_changes=failed,
        change_failure_rate=round(failed / n, 4) if n else None,
        time_to_restore_seconds=statistics.median(restores) if restores else None,
        restore_samples=len(restores),
        rollbacks=len(rollbacks),
        rollback_rate=round(len(rollbacks) / n, 4) if n else None,
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = int(round(seconds / 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return " ".join(p for p in (f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m") if p)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render(service: str, m: Metrics) -> str:
    """Markdown (also fine as plain text): the job summary of the weekly workflow."""
    rows = [
        (
            "Deployment frequency",
            f"{m.deployments_per_day:.2f}/day, {m.deployments_per_week:.2f}/week "
            f"({m.successful_deployments} successful)",
        ),
        ("Lead time for changes (median)", f"{_duration(m.lead_time_seconds)} (n={m.lead_time_samples})"),
        ("Change failure rate", f"{_rate(m.change_failure_rate)} ({m.failed_changes} of {m.deployments})"),
        ("Time to restore (median)", f"{_duration(m.time_to_restore_seconds)} (n={m.restore_samples})"),
        ("Rollback rate", f"{_rate(m.rollback_rate)} ({m.rollbacks} rollbacks)"),
    ]
    lines = [
        f"## DORA metrics: {service} in {m.env}",
        "",
        f"{m.since[:10]} to {m.until[:10]} ({m.days:g} days)",
        "",
        "| Metric | Value |",
        "| --- | --- |",
        *(f"| {k} | {v} |" for k, v in rows),
    ]
    return "\n".join(lines) + "\n"
