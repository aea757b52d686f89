"""Deployment records read back as they were written, whatever a runtime path put in them.

The sequence of issue 16: a deploy with ``GITHUB_SHA`` unset, and PROD's automatic canary rollback
when PROD had no earlier success, write records with empty ``git_sha`` / ``artifact_digest``. Every
later operation on that environment (``rollback``, ``rollback --list``, ``canary``, ``report``, a
promotion out of it) must still work, and skip what such a record cannot give it with a reason.
"""

from __future__ import annotations

import dataclasses
import json
import typing

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbws_scaffold.runtime.artifact import digest
from bbws_scaffold.runtime.canary import canary
from bbws_scaffold.runtime.cli import main
from bbws_scaffold.runtime.deploy import promote
from bbws_scaffold.runtime.errors import Refused
from bbws_scaffold.runtime.records import OUTCOMES, ROLLED_BACK, SUCCEEDED, DeploymentRecord, RecordStore
from tests.runtime.conftest import DEV, PROD, package

_GITHUB_VARS = ("GITHUB_SHA", "GITHUB_RUN_ID", "GITHUB_REPOSITORY", "GITHUB_ACTOR", "GITHUB_SERVER_URL")


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _no_github(monkeypatch) -> None:
    for name in _GITHUB_VARS:
        monkeypatch.delenv(name, raising=False)


def test_a_deploy_without_github_sha_leaves_dev_operable(aws, repo, cfg, manifest, accounts, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    _no_github(monkeypatch)
    dev, sit = accounts("dev"), accounts("sit")
    code = package("v1")
    dev.create_functions(code)
    sit.create_functions(code)
    (repo / "dist").mkdir()
    (repo / "dist" / "lambda.zip").write_bytes(code)
    aws.set_account(monkeypatch, DEV)

    rc, out, err = _cli(capsys, "deploy", "--env", "dev", "--version", "rel-1", "--no-terraform")
    assert rc == 0, err
    (stored,) = RecordStore(dev.session).history("catalogue", "dev")
    assert (stored.git_sha, stored.run_id, stored.run_url, stored.outcome) == ("", "", "", SUCCEEDED)

    rc, out, err = _cli(capsys, "rollback", "--env", "dev", "--list")
    assert rc == 0 and "unexpected" not in err
    assert out.splitlines()[1].split()[1:4] == ["deploy", "rel-1", "succeeded"]

    rc, out, err = _cli(capsys, "report", "--env", "dev", "--output", "build/report.md")
    assert rc == 0 and "unexpected" not in err

    rc, _, err = _cli(capsys, "rollback", "--env", "dev")
    assert rc == 2 and err.strip().endswith("no successful deployment older than rel-1 to roll back to")

    # the record is evidence enough for SIT: the package digest is what a promotion needs
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    record = promote(
        cfg,
        manifest,
        "dev",
        "sit",
        artifact=repo / "dist" / "lambda.zip",
        version="rel-1",
        run=_run_without_github(),
        session=sit.session,
        source_session=dev.session,
    )
    assert (record.action, record.outcome, record.git_sha) == ("promote", SUCCEEDED, "")


def _run_without_github():
    from bbws_scaffold.runtime.context import RunContext

    return RunContext(git_sha="", actor="someone", run_id="", run_url="")


def test_prod_automatic_rollback_without_an_earlier_success_leaves_prod_operable(
    aws, repo, cfg, manifest, accounts, run, tmp_path, monkeypatch, capsys
):
    """PROD's first canary fires an alarm: the automatic rollback has no earlier record to copy."""
    sit, prod = accounts("sit"), accounts("prod")
    v1, v2 = package("v1"), package("v2")
    art = tmp_path / "lambda.zip"
    art.write_bytes(v2)
    stable = prod.create_functions(v1)  # Terraform's first apply: live on version 1, no record
    prod.create_alarms()
    RecordStore(sit.session).ensure_table()
    RecordStore(sit.session).put(
        DeploymentRecord("catalogue", "sit", "promote", "rel-2", digest(art), "2" * 40, "ci").finished(SUCCEEDED)
    )
    prod.update_code(v2)
    kw = dict(artifact=art, version="rel-2", run=run, session=prod.session, source_session=sit.session)
    promote(cfg, manifest, "sit", "prod", shift=False, **kw)
    victim = prod.function_names()[0]

    def alarm(_seconds: float) -> None:
        prod.session.client("cloudwatch").set_alarm_state(
            AlarmName=f"{victim}-errors", StateValue="ALARM", StateReason="test: errors on the canary"
        )

    result = canary(cfg, manifest, "prod", version="rel-2", run=run, session=prod.session, sleep=alarm)
    assert result.outcome == ROLLED_BACK
    assert result.rollback is not None and result.rollback.artifact_digest == ""
    for name in prod.function_names():
        assert prod.alias(name) == (stable[name], {})

    monkeypatch.chdir(repo)
    aws.set_account(monkeypatch, PROD)
    monkeypatch.setenv("GITHUB_RUN_ID", run.run_id)
    rc, out, err = _cli(capsys, "rollback", "--env", "prod", "--list")
    assert rc == 0, err
    assert [line.split()[1:4] for line in out.splitlines()[1:]] == [
        ["rollback", "-", "succeeded"],
        ["canary", "rel-2", "rolled_back"],
        ["promote", "rel-2", "published"],
    ]
    rc, _, err = _cli(capsys, "report", "--env", "prod", "--output", "build/report.md")
    assert rc == 0, err
    assert "| outcome | **rolled back** |" in (repo / "build" / "report.md").read_text()
    # nothing older than the automatic rollback was ever released: a clear refusal, not a crash
    rc, _, err = _cli(capsys, "rollback", "--env", "prod")
    assert rc == 2 and "no successful deployment" in err and "unexpected" not in err
    # the alarm cleared: the canary can be tried again and reads the same history
    prod.session.client("cloudwatch").set_alarm_state(
        AlarmName=f"{victim}-errors", StateValue="OK", StateReason="test: fixed"
    )
    again = canary(cfg, manifest, "prod", version="rel-2", run=run, session=prod.session, sleep=lambda s: None)
    assert again.outcome == SUCCEEDED
    # and rolling back now restores exactly what the automatic rollback left live
    rc, out, err = _cli(capsys, "rollback", "--env", "prod")
    assert rc == 2 and err.strip().endswith("no successful deployment older than rel-2 to roll back to")


def test_promotion_skips_a_record_without_a_package_digest_and_says_so(cfg, manifest, accounts, run, tmp_path):
    sit, prod = accounts("sit"), accounts("prod")
    art = tmp_path / "lambda.zip"
    art.write_bytes(package("v1"))
    prod.create_functions(package("v1"))
    store = RecordStore(sit.session)
    store.ensure_table()
    store.put(DeploymentRecord("catalogue", "sit", "promote", "rel-3", "", "", "ci").finished(SUCCEEDED))
    with pytest.raises(Refused) as err:
        promote(
            cfg,
            manifest,
            "sit",
            "prod",
            artifact=art,
            version="rel-3",
            run=run,
            session=prod.session,
            source_session=sit.session,
        )
    assert "rel-3" in str(err.value) and "no package digest" in str(err.value)


# -- the property: every record a runtime path can write reads back equal -------------------------

_TEXT = st.one_of(
    st.just(""),
    st.text(max_size=40),  # unicode, control characters, astral planes
    st.integers(min_value=-(10**40), max_value=10**40).map(str),  # "large numbers" in text fields
    st.sampled_from(["0", "00", "1e400", "NaN", "-0", "null", "#", "sha256:" + "0" * 64]),
)
_FUNCTIONS = st.dictionaries(
    st.text(min_size=1, max_size=20),
    st.fixed_dictionaries({"version": _TEXT, "previous": _TEXT}),
    max_size=4,
)


def _strategy_for(f: dataclasses.Field, hint: object) -> st.SearchStrategy:
    if f.name == "outcome":
        return st.sampled_from(OUTCOMES)
    if hint is str:
        return _TEXT
    if typing.get_origin(hint) is dict:
        return _FUNCTIONS
    if hint is int or hint == int | None:
        return st.one_of(st.none(), st.integers(min_value=-(10**30), max_value=10**30))
    raise AssertionError(f"no strategy for DeploymentRecord.{f.name}: {hint!r}; add one")


def _records() -> st.SearchStrategy[DeploymentRecord]:
    """Driven by the dataclass: a field added to the record is generated without editing this test."""
    hints = typing.get_type_hints(DeploymentRecord)
    fields = {f.name: _strategy_for(f, hints[f.name]) for f in dataclasses.fields(DeploymentRecord)}
    return st.builds(DeploymentRecord, **fields)


@settings(max_examples=300, deadline=None)
@given(_records())
def test_every_record_round_trips_through_an_item(record):
    item = record.to_item()
    json.dumps(item)  # what botocore sends: JSON-serialisable
    assert DeploymentRecord.from_item(item) == record


_STORES: dict[str, RecordStore] = {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=_records())
def test_every_record_round_trips_through_dynamodb(aws, record):
    """The same against DynamoDB (moto, server mode): what the table stores is what history yields."""
    if aws.endpoint not in _STORES:  # one client for all examples (a client costs ~0.3 s to make)
        _STORES[aws.endpoint] = RecordStore(boto3.session.Session(region_name="eu-west-1"), table="roundtrip")
    store = _STORES[aws.endpoint]
    store.ensure_table()
    store.put(record)
    back = [r for r in store.history(record.service, record.env) if r.sk == record.sk]
    assert back == [record]


def test_records_written_by_earlier_releases_without_empty_fields_still_read():
    """Items already in tables (an earlier to_item dropped empty strings) read back with defaults."""
    item = {
        "pk": {"S": "catalogue#prod"},
        "sk": {"S": "2026-01-01T00:00:00.000000Z#abcd1234"},
        "service": {"S": "catalogue"},
        "env": {"S": "prod"},
        "action": {"S": "rollback"},
        "version": {"S": "unknown"},
        "actor": {"S": "ci"},
        "outcome": {"S": "succeeded"},
        "started_at": {"S": "2026-01-01T00:00:00.000000Z"},
        "finished_at": {"S": "2026-01-01T00:00:01.000000Z"},
        "functions": {"M": {"f": {"M": {"version": {"S": "1"}, "previous": {"S": "2"}}}}},
        "record_id": {"S": "abcd1234"},
    }
    record = DeploymentRecord.from_item(item)
    assert (record.artifact_digest, record.git_sha, record.run_id, record.detail) == ("", "", "", "")
    assert record.functions == {"f": {"version": "1", "previous": "2"}}
