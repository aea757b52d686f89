"""``metrics`` (DORA) on a seeded record history and ``health`` against moto.

The record history of PROD below is a realistic month: four canaries (one rolled back by its
alarms), one manual rollback, one promote that failed before moving traffic, and an older
deployment outside the window. The expected numbers are worked out by hand next to them.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest

from bbws_scaffold.runtime import health, metrics
from bbws_scaffold.runtime.cli import main
from bbws_scaffold.runtime.records import FAILED, PUBLISHED, ROLLED_BACK, SUCCEEDED, DeploymentRecord, RecordStore
from bbws_scaffold.runtime.smoke import Check

NOW = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
BASE = NOW - timedelta(days=40)  # day 0 of the seeded month


def at(day: float, hour: float = 0, minute: float = 0) -> str:
    t = BASE + timedelta(days=day, hours=hour, minutes=minute)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rec(action: str, version: str, outcome: str, start: str, end: str, commit: str = "") -> DeploymentRecord:
    return DeploymentRecord(
        service="catalogue",
        env="prod",
        action=action,
        version=version,
        artifact_digest="sha256:" + "0" * 64,
        git_sha="a" * 40,
        actor="octocat",
        outcome=outcome,
        started_at=start,
        finished_at=end,
        commit_time=commit,
    )


HISTORY = [
    rec("canary", "v0", SUCCEEDED, at(-30, 10), at(-30, 11)),  # outside any window used below
    rec("promote", "v1", PUBLISHED, at(1, 9), at(1, 9, 5), commit=at(1, 8)),
    rec("canary", "v1", SUCCEEDED, at(1, 10), at(1, 10, 30)),  # lead 10:30 - 08:00 = 2h30m = 9000 s
    rec("promote", "v2", PUBLISHED, at(5, 9), at(5, 9, 5), commit=at(4, 9)),
    rec("canary", "v2", SUCCEEDED, at(5, 10), at(5, 11)),  # lead 26h = 93600 s
    rec("rollback", "v1", SUCCEEDED, at(5, 13), at(5, 13, 10)),  # v2 failed; restored 13:10 - 11:00 = 7800 s
    rec("promote", "v3", PUBLISHED, at(10, 9), at(10, 9, 5), commit=at(10, 7)),
    rec("canary", "v3", ROLLED_BACK, at(10, 10), at(10, 10, 20)),  # failed at 10:00 (traffic from the start)
    rec("rollback", "v1", SUCCEEDED, at(10, 10, 20), at(10, 10, 21)),  # automatic; restored 10:21 - 10:00 = 1260 s
    rec("promote", "v4", PUBLISHED, at(20, 9), at(20, 9, 5), commit=at(19, 21)),
    rec("canary", "v4", SUCCEEDED, at(20, 10), at(20, 10, 45)),  # lead 13h45m = 49500 s
    rec("promote", "v5", FAILED, at(25, 9), at(25, 9, 2), commit=at(25, 8)),  # never moved traffic
]
# deployments (moved traffic): canaries v1, v2, v3 (rolled back), v4 = 4; successful: v1, v2, v4 = 3
# failed changes: v2 (next traffic move is a rollback), v3 (rolled back) = 2 -> CFR 2/4 = 0.5
# lead times 9000, 93600, 49500 -> median 49500 s; restores 7800, 1260 -> median 4530 s
# rollbacks 2 -> 2/4 = 0.5; over 30 days: 3/30 = 0.1 per day, 0.7 per week


def test_dora_metrics_match_the_hand_calculation_over_records_read_back_from_dynamodb(accounts):
    prod = accounts("prod")
    store = RecordStore(prod.session)
    store.ensure_table()
    for r in HISTORY:
        store.put(r)
    records = list(store.history("catalogue", "prod"))
    assert len(records) == len(HISTORY)

    m = metrics.compute(records, "prod", since=timedelta(days=30), now=BASE + timedelta(days=30))
    assert (m.deployments, m.successful_deployments) == (4, 3)
    assert (m.deployments_per_day, m.deployments_per_week) == (0.1, 0.7)
    assert (m.lead_time_seconds, m.lead_time_samples) == (49500, 3)
    assert (m.failed_changes, m.change_failure_rate) == (2, 0.5)
    assert (m.time_to_restore_seconds, m.restore_samples) == (4530, 2)
    assert (m.rollbacks, m.rollback_rate) == (2, 0.5)

    text = metrics.render("catalogue", m)
    assert "| Deployment frequency | 0.10/day, 0.70/week (3 successful) |" in text
    assert "| Lead time for changes (median) | 13h 45m (n=3) |" in text
    assert "| Change failure rate | 50.0% (2 of 4) |" in text
    assert "| Time to restore (median) | 1h 16m (n=2) |" in text  # 4530 s = 75.5 min, rounded half-even
    assert "| Rollback rate | 50.0% (2 rollbacks) |" in text

    # a 7-day window at day 12 sees only days 5-12: v2 (failed) and v3 (rolled back)
    week = metrics.compute(records, "prod", since=timedelta(days=7), now=BASE + timedelta(days=12))
    assert (week.deployments, week.successful_deployments, week.failed_changes) == (2, 1, 2)
    assert (week.change_failure_rate, week.lead_time_seconds) == (1.0, 93600)


def test_a_change_followed_by_a_hotfix_deployment_failed(accounts):
    """hotfix.yml runs on refs/heads/hotfix/*: the deployment it makes repairs the one before it."""

    def hotfix(r: DeploymentRecord) -> DeploymentRecord:
        return dataclasses.replace(r, git_ref="refs/heads/hotfix/price-rounding")

    history = [
        rec("canary", "v1", SUCCEEDED, at(1, 10), at(1, 11)),  # went live 11:00, repaired by the hotfix
        hotfix(rec("canary", "v1.0.1", SUCCEEDED, at(1, 14), at(1, 14, 30))),  # restored 14:30: 12600 s
        rec("canary", "v2", SUCCEEDED, at(3, 10), at(3, 11)),  # followed by a main deploy: not failed
        dataclasses.replace(rec("canary", "v3", SUCCEEDED, at(4, 10), at(4, 11)), git_ref="refs/heads/main"),
    ]
    prod = accounts("prod")
    store = RecordStore(prod.session)
    store.ensure_table()
    for r in history:
        store.put(r)
    records = list(store.history("catalogue", "prod"))
    assert {r.version: r.git_ref for r in records}["v1.0.1"] == "refs/heads/hotfix/price-rounding"  # stored
    m = metrics.compute(records, "prod", since=timedelta(days=10), now=BASE + timedelta(days=10))
    # 4 deployments; failed: v1 only (the hotfix itself and v2, v3 were not followed by a repair)
    assert (m.deployments, m.failed_changes, m.change_failure_rate) == (4, 1, 0.25)
    assert (m.time_to_restore_seconds, m.rollbacks, m.rollback_rate) == (12600, 0, 0.0)


def _use_account(monkeypatch: pytest.MonkeyPatch, account) -> None:  # noqa: ANN001 - conftest Account
    creds = account.session.get_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds.token)


def test_metrics_cli_prints_json_for_the_window_up_to_now(cfg, accounts, monkeypatch, capsys):
    prod = accounts("prod")
    store = RecordStore(prod.session)
    store.ensure_table()
    for r in HISTORY:
        store.put(r)
    _use_account(monkeypatch, prod)
    assert main(["--config", str(cfg.source), "metrics", "--env", "prod", "--since", "40d", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # 40 days back from now is day 0: the same records as above, over 40 days
    assert (out["deployments"], out["change_failure_rate"], out["lead_time_seconds"]) == (4, 0.5, 49500)
    assert out["deployments_per_day"] == 0.075  # 3 / 40
    assert main(["--config", str(cfg.source), "metrics", "--env", "prod", "--since", "30 days"]) == 2


def test_metrics_without_records_has_no_rates():
    m = metrics.compute([], "prod", since=timedelta(days=30), now=NOW)
    assert (m.deployments, m.change_failure_rate, m.lead_time_seconds, m.rollback_rate) == (0, None, None, None)
    assert "| Change failure rate | - (0 of 0) |" in metrics.render("catalogue", m)


def test_health_is_unhealthy_while_an_alarm_is_in_alarm(cfg, manifest, accounts, monkeypatch, capsys):
    from tests.runtime.conftest import package

    dev = accounts("dev")
    dev.create_functions(package("v1"))
    dev.create_alarms()
    report = health.check(manifest, "dev", dev.session)
    assert report.healthy, report.problems
    assert [(f.state, f.alias_version) for f in report.functions] == [("Active", "1"), ("Active", "1")]
    assert all(list(f.alarms.values()) == ["OK"] for f in report.functions)

    name = dev.function_names()[0]
    dev.session.client("cloudwatch").set_alarm_state(
        AlarmName=f"{name}-errors", StateValue="ALARM", StateReason="test: errors above threshold"
    )
    report = health.check(manifest, "dev", dev.session)
    assert not report.healthy
    assert report.problems == [f"alarm {name}-errors is in ALARM"]

    _use_account(monkeypatch, dev)
    assert main(["--config", str(cfg.source), "health", "--env", "dev"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("dev: UNHEALTHY\n") and f"alarm {name}-errors: ALARM" in out


def test_health_reports_a_missing_function_and_a_failing_smoke_route(manifest):
    report = health.HealthReport("dev", [health.FunctionHealth("f", "Active", "Successful", "3")])
    assert report.healthy
    report.smoke = [Check("GET", "/products", "https://x/products", 502, passed=False)]
    assert report.problems == ["smoke GET /products -> 502"]
