"""Progress of a canary: plain lines in CI, one rewritten status line on a terminal (moto)."""

from __future__ import annotations

import io

from bbws_scaffold.runtime import log as runtime_log
from bbws_scaffold.runtime.canary import canary
from bbws_scaffold.runtime.progress import Progress
from tests.runtime import test_canary_rollback as _canary

published = _canary.published  # the fixture: PROD serving rel-1, rel-2 published without traffic


def _run_canary(cfg, manifest, run, prod, progress, on_step=None):  # noqa: ANN001
    runtime_log.set_stream(progress)
    try:
        return canary(
            cfg,
            manifest,
            "prod",
            version="rel-2",
            run=run,
            session=prod.session,
            steps=(10, 50, 100),
            sleep=on_step or (lambda s: None),
        )
    finally:
        runtime_log.set_stream(None)
        progress.close()


def test_ci_gets_a_plain_line_per_step_with_weight_and_alarm_states(cfg, manifest, run, published):
    prod, _, _ = published
    out, inner = io.StringIO(), io.StringIO()
    assert _run_canary(cfg, manifest, run, prod, Progress(out, inner, live=False)).outcome == "succeeded"
    lines = out.getvalue().splitlines()
    steps = [ln for ln in lines if ln.startswith("canary prod rel-2:")]
    assert steps == [
        "canary prod rel-2: 10% of traffic, baking 0s",
        "canary prod rel-2: 10% checked, alarms all OK",
        "canary prod rel-2: 50% of traffic, baking 0s",
        "canary prod rel-2: 50% checked, alarms all OK",
        "canary prod rel-2: 100% of traffic, baking 0s",
        "canary prod rel-2: 100% checked, alarms all OK",
        "canary prod rel-2: succeeded",  # the record's outcome
    ]
    assert lines[-1] == "canary prod rel-2: succeeded"
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()
    # the JSON log is still complete underneath
    assert inner.getvalue().count('"event": "canary.step"') == 3


def test_a_terminal_sees_the_status_rewritten_and_the_alarm_that_stopped_it(cfg, manifest, run, published):
    prod, _, _ = published
    name = prod.function_names()[0]

    def fire_at_50(_seconds: float) -> None:
        a = prod.alias(name)
        if a[1] and abs(list(a[1].values())[0] - 0.5) < 1e-9:
            prod.session.client("cloudwatch").set_alarm_state(
                AlarmName=f"{name}-errors", StateValue="ALARM", StateReason="test"
            )

    out = io.StringIO()
    result = _run_canary(cfg, manifest, run, prod, Progress(out, None, live=True), on_step=fire_at_50)
    assert result.outcome == "rolled_back"
    text = out.getvalue()
    # a status line (step, alias weights) is replaced in place: erased, never followed by a newline
    assert f"\r\x1b[K{name}: live 1 + 2 at 10%\r\x1b[K" in text
    assert f"\r\x1b[Kcanary prod rel-2: 50% checked, alarms ALARM: {name}-errors\n" in text
    assert "\r\x1b[Kcanary prod rel-2: rolling back at 50%\n" in text
    assert "canary prod rel-2: rolled_back\n" in text
    assert text.endswith("rollback prod rel-1: succeeded\n")  # the automatic rollback's record
    assert "100% of traffic" not in text
