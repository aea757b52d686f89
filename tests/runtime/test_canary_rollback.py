"""canary walks 10 -> 25 -> 50 -> 100 on the alias and rolls back on ALARM; rollback and its history."""

from __future__ import annotations

import pytest

from bbws_scaffold.runtime.artifact import digest
from bbws_scaffold.runtime.canary import canary
from bbws_scaffold.runtime.deploy import promote
from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.records import ROLLED_BACK, SUCCEEDED, DeploymentRecord, RecordStore
from bbws_scaffold.runtime.rollback import format_history, history, rollback
from tests.runtime.conftest import package


@pytest.fixture
def published(cfg, manifest, accounts, run, tmp_path):
    """PROD serving rel-1, with rel-2 published by `promote --no-shift` (SIT accepted rel-2)."""
    sit, prod = accounts("sit"), accounts("prod")
    v1, v2 = package("v1"), package("v2")
    art = tmp_path / "lambda.zip"
    art.write_bytes(v2)
    stable = prod.create_functions(v1)
    prod.create_alarms()
    store = RecordStore(prod.session)
    store.ensure_table()
    store.put(
        DeploymentRecord(
            "catalogue",
            "prod",
            "canary",
            "rel-1",
            "sha256:11",
            "1" * 40,
            "ci",
            functions={n: {"version": v, "previous": "0"} for n, v in stable.items()},
        ).finished(SUCCEEDED)
    )
    RecordStore(sit.session).ensure_table()
    RecordStore(sit.session).put(
        DeploymentRecord("catalogue", "sit", "promote", "rel-2", digest(art), "2" * 40, "ci").finished(SUCCEEDED)
    )
    prod.update_code(v2)
    release = promote(
        cfg,
        manifest,
        "sit",
        "prod",
        artifact=art,
        version="rel-2",
        run=run,
        session=prod.session,
        source_session=sit.session,
        shift=False,
    )
    new = {n: v["version"] for n, v in release.functions.items()}
    return prod, stable, new


def _observer(prod, trace, on_call=None):
    """A `sleep` that, instead of waiting, records where each alias stands at that step."""

    def sleep(seconds: float) -> None:
        assert seconds == 0
        trace.append({n: prod.alias(n) for n in prod.function_names()})
        if on_call:
            on_call(len(trace))

    return sleep


def test_canary_walks_the_steps_on_the_alias(cfg, manifest, run, published):
    prod, stable, new = published
    trace: list = []
    result = canary(cfg, manifest, "prod", version="rel-2", run=run, session=prod.session, sleep=_observer(prod, trace))
    assert result.outcome == SUCCEEDED and result.steps == [10, 25, 50, 100]
    for name in prod.function_names():
        seen = [step[name] for step in trace]
        assert seen == [
            (stable[name], {new[name]: 0.1}),
            (stable[name], {new[name]: 0.25}),
            (stable[name], {new[name]: 0.5}),
            (new[name], {}),
        ]
    latest = next(RecordStore(prod.session).history("catalogue", "prod"))
    assert (latest.action, latest.version, latest.outcome) == ("canary", "rel-2", SUCCEEDED)
    # idempotent: a second run finds every alias already there
    assert (
        canary(cfg, manifest, "prod", version="rel-2", run=run, session=prod.session, sleep=_observer(prod, [])).outcome
        == "unchanged"
    )


def test_canary_rolls_back_on_alarm_and_records_it(cfg, manifest, run, published):
    prod, stable, new = published
    victim = prod.function_names()[0]

    def fire(step: int) -> None:
        if step == 2:  # while 25% of traffic is on the new version
            prod.session.client("cloudwatch").set_alarm_state(
                AlarmName=f"{victim}-errors", StateValue="ALARM", StateReason="test: errors on the canary"
            )

    trace: list = []
    result = canary(
        cfg, manifest, "prod", version="rel-2", run=run, session=prod.session, sleep=_observer(prod, trace, fire)
    )
    assert result.outcome == ROLLED_BACK
    assert result.steps == [10, 25] and result.alarms == [f"{victim}-errors"]
    for name in prod.function_names():
        assert prod.alias(name) == (stable[name], {})
    recent = list(RecordStore(prod.session).history("catalogue", "prod", limit=2))
    assert [(r.action, r.version, r.outcome) for r in recent] == [
        ("rollback", "rel-1", SUCCEEDED),
        ("canary", "rel-2", ROLLED_BACK),
    ]
    assert "25%" in recent[1].detail and victim in recent[1].detail
    # with the alarm still firing, a new canary refuses to start
    with pytest.raises(Refused, match="already firing"):
        canary(cfg, manifest, "prod", version="rel-2", run=run, session=prod.session, sleep=_observer(prod, []))


def test_canary_needs_a_published_release(cfg, manifest, run, accounts):
    prod = accounts("prod")
    prod.create_functions(package("v1"))
    with pytest.raises(RuntimeOpError, match="was not published in prod"):
        canary(cfg, manifest, "prod", version="rel-9", run=run, session=prod.session, sleep=lambda s: None)


def test_rollback_lists_history_and_moves_the_alias(cfg, manifest, run, published):
    prod, stable, new = published
    canary(cfg, manifest, "prod", version="rel-2", run=run, session=prod.session, sleep=lambda s: None)
    listed = history(cfg, "prod", session=prod.session)
    assert [(r.action, r.version, r.outcome) for r in listed] == [
        ("canary", "rel-2", SUCCEEDED),
        ("promote", "rel-2", "published"),
        ("canary", "rel-1", SUCCEEDED),
    ]
    table = format_history(listed)
    assert table.splitlines()[0].split()[:4] == ["started", "(UTC)", "action", "version"]
    assert "rel-1" in table and "rel-2" in table

    record = rollback(cfg, manifest, "prod", run=run, session=prod.session)
    assert (record.action, record.version, record.outcome) == ("rollback", "rel-1", SUCCEEDED)
    for name in prod.function_names():
        assert prod.alias(name) == (stable[name], {})
        assert record.functions[name] == {"version": stable[name], "previous": new[name]}

    forward = rollback(cfg, manifest, "prod", run=run, to_version="rel-2", session=prod.session)
    assert all(prod.alias(n) == (new[n], {}) for n in prod.function_names())
    again = rollback(cfg, manifest, "prod", run=run, to_version="rel-2", session=prod.session)
    assert forward.detail == "rolled back to rel-2" and again.detail == "already live; nothing changed"
    with pytest.raises(RuntimeOpError, match="no successful deployment of version rel-7"):
        rollback(cfg, manifest, "prod", run=run, to_version="rel-7", session=prod.session)
