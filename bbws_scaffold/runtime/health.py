"""health: is the service in an environment serving, right now?

Read-only. Healthy when every function is ``Active`` with its last update ``Successful``, has a
``live`` alias, none of the service's alarms (``<function name>-*``, as terraform/alarms.tf names
them) is in ALARM, and, when a stage URL is given, no smoke route answers 5xx or times out.
``INSUFFICIENT_DATA`` alarms are reported but are not unhealthy (a quiet service has no data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import boto3
from botocore.exceptions import ClientError

from bbws_scaffold.runtime.lambdas import LiveAlias
from bbws_scaffold.runtime.manifest import ServiceManifest
from bbws_scaffold.runtime.smoke import Check, run_checks


@dataclass
class FunctionHealth:
    name: str
    state: str  # Lambda State: Active | Pending | Inactive | Failed | missing
    last_update: str  # LastUpdateStatus: Successful | InProgress | Failed
    alias_version: str = ""
    weights: dict[str, float] = field(default_factory=dict)
    alarms: dict[str, str] = field(default_factory=dict)  # alarm name -> state
    problems: list[str] = field(default_factory=list)


@dataclass
class HealthReport:
    env: str
    functions: list[FunctionHealth]
    smoke: list[Check] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        out = [p for f in self.functions for p in f.problems]
        out += [f"smoke {c.method} {c.path} -> {c.status or c.error}" for c in self.smoke if not c.passed]
        return out

    @property
    def healthy(self) -> bool:
        return not self.problems


def _alarms(session: boto3.session.Session, function: str) -> dict[str, str]:
    paginator = session.client("cloudwatch").get_paginator("describe_alarms")
    out: dict[str, str] = {}
    for page in paginator.paginate(AlarmNamePrefix=f"{function}-", AlarmTypes=["MetricAlarm", "CompositeAlarm"]):
        for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
            out[str(alarm["AlarmName"])] = str(alarm.get("StateValue", ""))
    return dict(sorted(out.items()))


def _function(session: boto3.session.Session, alias: LiveAlias, name: str) -> FunctionHealth:
    try:
        conf = session.client("lambda").get_function_configuration(FunctionName=name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return FunctionHealth(name, "missing", "", problems=[f"{name} does not exist"])
    f = FunctionHealth(name, str(conf.get("State", "")), str(conf.get("LastUpdateStatus", "")))
    if f.state != "Active":
        f.problems.append(f"{name} is {f.state or 'in an unknown state'}, not Active")
    if f.last_update not in ("", "Successful"):
        f.problems.append(f"{name}'s last update is {f.last_update}")
    try:
        state = alias.state(name)
        f.alias_version, f.weights = state.version, state.weights
    except Exception as exc:  # noqa: BLE001 - RuntimeOpError (no alias) or an AWS error: a problem, reported
        f.problems.append(str(exc))
    f.alarms = _alarms(session, name)
    f.problems += [f"alarm {a} is in ALARM" for a, s in f.alarms.items() if s == "ALARM"]
    return f


def check(
    manifest: ServiceManifest,
    env: str,
    session: boto3.session.Session,
    *,
    base_url: str | None = None,
    timeout: float = 10.0,
) -> HealthReport:
    alias = LiveAlias(session)
    report = HealthReport(env, [_function(session, alias, name) for name in manifest.function_names(env)])
    if base_url:
        report.smoke = run_checks(manifest, base_url, timeout=timeout)
    return report


def render(report: HealthReport) -> str:
    lines = [f"{report.env}: {'healthy' if report.healthy else 'UNHEALTHY'}"]
    for f in report.functions:
        split = ", ".join(f"v{v} {w * 100:g}%" for v, w in sorted(f.weights.items()))
        live = f"live -> v{f.alias_version}" + (f" (canary {split})" if split else "") if f.alias_version else "no live"
        lines.append(f"  {f.name}: {f.state or '-'}/{f.last_update or '-'}, {live}")
        lines += [f"    alarm {a}: {s}" for a, s in f.alarms.items()]
    for c in report.smoke:
        verdict = "skip" if c.skipped else ("ok" if c.passed else "FAIL")
        lines.append(f"  smoke {verdict:4} {c.method:6} {c.path} -> {c.status if c.status is not None else c.error}")
    lines += [f"  problem: {p}" for p in report.problems]
    return "\n".join(lines) + "\n"
