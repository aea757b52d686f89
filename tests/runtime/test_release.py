"""guard, deploy and promote against moto: wrong accounts refused, every release recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bbws_scaffold.runtime.artifact import digest
from bbws_scaffold.runtime.deploy import deploy, promote
from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.guard import require_account
from bbws_scaffold.runtime.records import FAILED, PUBLISHED, SUCCEEDED, RecordStore
from tests.runtime.conftest import DEV, SIT, package


def test_guard_passes_the_right_account_and_refuses_a_wrong_one(cfg, accounts):
    assert require_account(cfg.env("dev"), accounts("dev").session) == DEV
    with pytest.raises(Refused) as err:
        require_account(cfg.env("sit"), accounts("dev").session)
    assert DEV in str(err.value) and SIT in str(err.value)


def _artifact(tmp_path: Path, code: bytes) -> Path:
    path = tmp_path / "lambda.zip"
    path.write_bytes(code)
    return path


def test_deploy_publishes_moves_live_and_records(cfg, manifest, accounts, run, tmp_path):
    dev = accounts("dev")
    v1 = package("v1")
    before = dev.create_functions(v1)
    v2 = package("v2")
    dev.update_code(v2)
    art = _artifact(tmp_path, v2)

    record = deploy(cfg, manifest, "dev", artifact=art, version="abc123", run=run, session=dev.session)

    assert record.outcome == SUCCEEDED
    for name in dev.function_names():
        version, weights = dev.alias(name)
        assert version == record.functions[name]["version"] != before[name]
        assert record.functions[name]["previous"] == before[name]
        assert weights == {}
    stored = list(RecordStore(dev.session).history("catalogue", "dev"))
    assert [(r.action, r.version, r.outcome) for r in stored] == [("deploy", "abc123", SUCCEEDED)]
    assert stored[0].artifact_digest == digest(art)
    assert (stored[0].git_sha, stored[0].actor, stored[0].run_url) == (run.git_sha, run.actor, run.run_url)
    assert stored[0].finished_at >= stored[0].started_at


def test_deploy_refuses_a_package_lambda_does_not_run(cfg, manifest, accounts, run, tmp_path):
    """Lambda checks the published code is this run's package; the failure is recorded."""
    dev = accounts("dev")
    dev.create_functions(package("v1"))
    with pytest.raises(RuntimeOpError, match="cannot publish"):
        deploy(
            cfg,
            manifest,
            "dev",
            artifact=_artifact(tmp_path, package("other")),
            version="x1",
            run=run,
            session=dev.session,
        )
    (record,) = RecordStore(dev.session).history("catalogue", "dev")
    assert record.outcome == FAILED and "cannot publish" in record.detail


def test_deploy_with_the_wrong_account_touches_nothing(cfg, manifest, accounts, run, tmp_path):
    sit = accounts("sit")
    with pytest.raises(Refused, match="536580886816"):
        deploy(
            cfg,
            manifest,
            "dev",
            artifact=_artifact(tmp_path, package("v1")),
            version="v1",
            run=run,
            session=sit.session,
        )
    assert sit.session.client("dynamodb").list_tables()["TableNames"] == []


@pytest.mark.parametrize("env", ["sit", "prod"])
def test_direct_deploys_to_later_environments_are_refused(cfg, manifest, accounts, run, tmp_path, env):
    with pytest.raises(Refused, match="direct deploys"):
        deploy(
            cfg,
            manifest,
            env,
            artifact=_artifact(tmp_path, package("v1")),
            version="v1",
            run=run,
            session=accounts(env).session,
        )


def test_promote_requires_the_same_artifact_in_the_lower_environment(cfg, manifest, accounts, run, tmp_path):
    dev, sit = accounts("dev"), accounts("sit")
    code = package("v1")
    art = _artifact(tmp_path, code)
    dev.create_functions(code)
    sit.create_functions(code)

    def go(version: str = "rel-1"):
        return promote(
            cfg,
            manifest,
            "dev",
            "sit",
            artifact=art,
            version=version,
            run=run,
            session=sit.session,
            source_session=dev.session,
        )

    with pytest.raises(Refused, match="no successful deployment in dev"):
        go()
    assert list(RecordStore(sit.session).history("catalogue", "sit")) == []

    deploy(cfg, manifest, "dev", artifact=art, version="rel-1", run=run, session=dev.session)
    record = go()
    assert (record.env, record.action, record.source_env, record.outcome) == ("sit", "promote", "dev", SUCCEEDED)
    assert record.artifact_digest == digest(art)

    # another package under the same version label: refused, naming both digests
    other = tmp_path / "other.zip"
    other.write_bytes(package("v2"))
    with pytest.raises(Refused) as err:
        promote(
            cfg,
            manifest,
            "dev",
            "sit",
            artifact=other,
            version="rel-1",
            run=run,
            session=sit.session,
            source_session=dev.session,
        )
    assert digest(other) in str(err.value) and digest(art) in str(err.value)


def test_promote_refuses_to_skip_an_environment_and_checks_both_accounts(cfg, manifest, accounts, run, tmp_path):
    art = _artifact(tmp_path, package("v1"))
    with pytest.raises(Refused, match="not a step of the promotion order"):
        promote(
            cfg,
            manifest,
            "dev",
            "prod",
            artifact=art,
            version="v1",
            run=run,
            session=accounts("prod").session,
            source_session=accounts("dev").session,
        )
    with pytest.raises(Refused, match=DEV):
        promote(
            cfg,
            manifest,
            "dev",
            "sit",
            artifact=art,
            version="v1",
            run=run,
            session=accounts("sit").session,
            source_session=accounts("prod").session,
        )


def test_promote_without_shift_publishes_but_keeps_traffic(cfg, manifest, accounts, run, tmp_path):
    sit, prod = accounts("sit"), accounts("prod")
    v1, v2 = package("v1"), package("v2")
    art = _artifact(tmp_path, v2)
    sit.create_functions(v1)
    sit.update_code(v2)
    before = prod.create_functions(v1)
    prod.update_code(v2)
    from bbws_scaffold.runtime.records import DeploymentRecord

    RecordStore(sit.session).ensure_table()
    RecordStore(sit.session).put(
        DeploymentRecord("catalogue", "sit", "promote", "rel-2", digest(art), run.git_sha, "ci").finished(SUCCEEDED)
    )
    record = promote(
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
    assert record.outcome == PUBLISHED
    for name in prod.function_names():
        assert prod.alias(name) == (before[name], {})
        assert record.functions[name]["version"] != before[name]
