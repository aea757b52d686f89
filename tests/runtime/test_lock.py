"""One operation at a time per service and environment, proven with real concurrent processes.

Each run is a real ``bbws-runtime deploy`` subprocess against moto's server. A run holds the lock
while Terraform (the real binary) applies a ``terraform_data`` whose provisioner waits for a gate
file the test creates, so the test decides how long the winner stays inside: the others must have
been refused before the gate opens, whatever the scheduling.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bbws_scaffold.runtime import log as runtime_log
from bbws_scaffold.runtime.artifact import digest
from bbws_scaffold.runtime.canary import canary
from bbws_scaffold.runtime.context import RunContext
from bbws_scaffold.runtime.deploy import deploy, promote
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.lock import DeploymentLock, Locked
from bbws_scaffold.runtime.records import FAILED, IN_PROGRESS, SUCCEEDED, DeploymentRecord, RecordStore
from bbws_scaffold.runtime.rollback import rollback
from tests.runtime.conftest import DEV, package, process_env

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="needs the terraform binary")

LOCK_KEY = {"pk": {"S": "lock#catalogue#dev"}, "sk": {"S": "lock"}}
GATED_TF = """
terraform {
  backend "local" {}
}

variable "gate" {
  type = string
}

resource "terraform_data" "gate" {
  input = var.gate
  provisioner "local-exec" {
    command     = "for i in $(seq 1 1200); do [ -e \\"$GATE\\" ] && exit 0; sleep 0.1; done; exit 1"
    environment = { GATE = var.gate }
  }
}
"""


@pytest.fixture
def dev_repo(aws, repo, accounts, monkeypatch):
    """A service repository with DEV's functions in moto and the package that matches them."""
    code = package("v1")
    dev = accounts("dev")
    dev.create_functions(code)
    (repo / "dist").mkdir()
    (repo / "dist" / "lambda.zip").write_bytes(code)
    aws.set_account(monkeypatch, DEV)  # the server answers every caller as DEV's account
    # the table exists, as after any first deploy (moto's CreateTable, unlike DynamoDB's, is not
    # atomic: racing creators would each get a fresh table)
    RecordStore(dev.session).ensure_table()
    return repo, dev


def _terraform_dir(repo: Path, name: str, gate: Path) -> Path:
    tf = repo / f"tf-{name}"
    (tf / "backend").mkdir(parents=True)
    (tf / "environments").mkdir()
    (tf / "main.tf").write_text(GATED_TF)
    (tf / "backend" / "dev.hcl").write_text(f'path = "{repo}/state-{name}.tfstate"\n')
    (tf / "environments" / "dev.tfvars").write_text(f'gate = "{gate}"\n')
    return tf


def _spawn(repo: Path, name: str, gate: Path | None) -> subprocess.Popen:
    """``bbws-runtime deploy --env dev`` as GitHub run ``name``; gated Terraform unless ``gate`` is None."""
    env = process_env(
        GITHUB_RUN_ID=name,
        GITHUB_REPOSITORY="org/catalogue",
        GITHUB_ACTOR="octocat",
        GITHUB_SERVER_URL="https://github.example",
    )
    args = [sys.executable, "-m", "bbws_scaffold.runtime", "deploy", "--env", "dev", "--version", "rel-1"]
    if gate is None:
        args.append("--no-terraform")
    else:
        args += ["--terraform-dir", str(_terraform_dir(repo, name, gate)), "--outputs", f"build/{name}.json"]
    return subprocess.Popen(
        args, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def _finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def _kill(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the runtime and its terraform
            proc.communicate(timeout=30)


def _lock_item(dev) -> dict | None:
    client = dev.session.client("dynamodb")
    try:
        return client.get_item(TableName="bbws-deployments", Key=LOCK_KEY, ConsistentRead=True).get("Item")
    except client.exceptions.ResourceNotFoundException:
        return None


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def _last_line(err: str) -> str:
    return err.strip().splitlines()[-1] if err.strip() else ""


def test_of_three_parallel_deploys_exactly_one_runs(dev_repo):
    repo, dev = dev_repo
    gate = repo / "gate"
    procs = [_spawn(repo, f"run-{i}", gate) for i in range(3)]
    try:
        try:
            _wait_for(lambda: sum(p.poll() is not None for p in procs) >= 2, 90, "two of the runs to be refused")
        except AssertionError as exc:
            gate.touch()
            raise AssertionError(f"{exc}; stderr: {[_finish(p)[1][-2000:] for p in procs]}") from None
        losers = [p for p in procs if p.poll() is not None]
        (winner,) = [p for p in procs if p.poll() is None]
        gate.touch()
        rc, err = _finish(winner)
        assert rc == 0, err
        winner_run = procs.index(winner)
        for loser in losers:
            rc, err = _finish(loser)
            line = _last_line(err)
            assert rc == 2 and line.startswith("bbws-runtime: refused: catalogue in dev is locked by deploy"), err
            assert f"run run-{winner_run} (https://github.example/org/catalogue/actions/runs/run-{winner_run})" in line
            assert f"pid {winner.pid}" in line and "expiring 20" in line
    finally:
        gate.touch()
        _kill(procs)
    records = list(RecordStore(dev.session).history("catalogue", "dev"))
    assert [(r.run_id, r.outcome) for r in records] == [(f"run-{winner_run}", SUCCEEDED)]
    assert _lock_item(dev) is None, "the winner released the lock"


def _set_lock_ttl(repo: Path, seconds: int) -> None:
    path = repo / "deploy" / "environments.json"
    data = json.loads(path.read_text())
    data["environments"]["dev"]["lock_ttl_seconds"] = seconds
    path.write_text(json.dumps(data, indent=2))


def test_a_dead_holders_lock_is_taken_over_only_after_it_expires(dev_repo):
    repo, dev = dev_repo
    _set_lock_ttl(repo, 20)  # room for a slow machine to start the early run
    gate = repo / "gate"
    holder = _spawn(repo, "run-dead", gate)
    try:
        _wait_for(lambda: _lock_item(dev) is not None, 60, "the first run to take the lock")
        store = RecordStore(dev.session)
        _wait_for(lambda: any(store.history("catalogue", "dev")), 60, "the first run to record its start")
        os.killpg(holder.pid, signal.SIGKILL)  # a lost runner: no cleanup runs
        holder.communicate(timeout=30)
    finally:
        gate.touch()
        _kill([holder])
    expires = float(_lock_item(dev)["expires_at"]["N"])
    assert expires > time.time(), "the test is too slow to see the lock before it expires"

    rc, err = _finish(_spawn(repo, "run-early", None))
    assert rc == 2 and "locked by deploy by run run-dead" in _last_line(err) and f"pid {holder.pid}" in err

    time.sleep(max(0.0, expires - time.time()) + 0.5)
    rc, err = _finish(_spawn(repo, "run-late", None))
    assert rc == 0, err
    taken = [json.loads(line) for line in err.splitlines() if '"lock.taken_over"' in line]
    assert len(taken) == 1 and f"pid {holder.pid}" in taken[0]["stale_holder"]
    records = list(RecordStore(dev.session).history("catalogue", "dev"))
    assert [(r.run_id, r.outcome) for r in records] == [("run-late", SUCCEEDED), ("run-dead", IN_PROGRESS)]
    assert _lock_item(dev) is None


def test_the_lock_is_released_after_a_failure(dev_repo, cfg, manifest, run, tmp_path):
    repo, dev = dev_repo
    wrong = tmp_path / "other.zip"
    wrong.write_bytes(package("not what lambda runs"))
    logs = io.StringIO()
    runtime_log.set_stream(logs)
    try:
        with pytest.raises(RuntimeOpError, match="cannot publish"):
            deploy(cfg, manifest, "dev", artifact=wrong, version="rel-0", run=run, session=dev.session)
    finally:
        runtime_log.set_stream(None)
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    events = [(e["event"], e.get("outcome")) for e in lines if e["event"].startswith(("lock.", "records.put"))]
    assert events == [
        ("lock.acquired", None),
        ("records.put", IN_PROGRESS),
        ("records.put", FAILED),  # the failure is recorded while the lock is still held
        ("lock.released", None),
    ]
    assert _lock_item(dev) is None
    record = deploy(
        cfg, manifest, "dev", artifact=repo / "dist" / "lambda.zip", version="rel-1", run=run, session=dev.session
    )
    assert record.outcome == SUCCEEDED


def test_a_cancelled_run_releases_the_lock_and_records_why(dev_repo):
    """GitHub cancels a job with SIGTERM: the run unwinds, records the failure and frees the lock."""
    repo, dev = dev_repo
    gate = repo / "gate"
    proc = _spawn(repo, "run-cancelled", gate)
    try:
        _wait_for(lambda: _lock_item(dev) is not None, 60, "the run to take the lock")
        _wait_for(lambda: (repo / "tf-run-cancelled" / ".terraform").exists(), 60, "terraform to start")
        proc.send_signal(signal.SIGTERM)
        rc, err = _finish(proc, timeout=60)
    finally:
        gate.touch()
        _kill([proc])
    assert rc == 2 and _last_line(err) == "bbws-runtime: error: terminated by SIGTERM", err
    assert _lock_item(dev) is None
    (record,) = RecordStore(dev.session).history("catalogue", "dev")
    assert (record.outcome, record.detail) == (FAILED, "terminated by SIGTERM")


def _held_by_another_run(store: RecordStore, env: str, ttl: float = 60) -> DeploymentLock:
    other = RunContext(git_sha="", actor="someone-else", run_id="777", run_url="https://github.example/runs/777")
    return DeploymentLock(store, "catalogue", env, "deploy", other, ttl_seconds=ttl)


def test_promote_canary_and_rollback_take_the_same_lock(cfg, manifest, accounts, run, tmp_path):
    """Each operation that changes an environment is refused while another run holds its lock."""
    sit, prod = accounts("sit"), accounts("prod")
    art = tmp_path / "lambda.zip"
    art.write_bytes(package("v1"))
    prod.create_functions(package("v1"))
    RecordStore(sit.session).ensure_table()
    RecordStore(sit.session).put(
        DeploymentRecord("catalogue", "sit", "promote", "rel-1", digest(art), "", "ci").finished(SUCCEEDED)
    )
    store = RecordStore(prod.session)
    operations = {
        "promote": lambda: promote(
            cfg,
            manifest,
            "sit",
            "prod",
            artifact=art,
            version="rel-1",
            run=run,
            session=prod.session,
            source_session=sit.session,
            shift=False,
        ),
        "canary": lambda: canary(cfg, manifest, "prod", version="rel-1", run=run, session=prod.session),
        "rollback": lambda: rollback(cfg, manifest, "prod", run=run, session=prod.session),
    }
    with _held_by_another_run(store, "prod"):
        for name, operation in operations.items():
            with pytest.raises(Locked, match=r"catalogue in prod is locked by deploy by run 777 \(https://"):
                operation()
    assert list(store.history("catalogue", "prod")) == [], "a refused operation touches nothing"
    assert operations["promote"]().outcome == "published"  # the lock is free again


def test_the_heartbeat_keeps_a_long_operation_locked(accounts, run):
    """An operation that outlasts the time to live keeps its lock; a dead one's expires."""
    store = RecordStore(accounts("dev").session)
    with _held_by_another_run(store, "dev", ttl=1.5):
        time.sleep(4)  # well past the first expiry: the heartbeat extended it
        with pytest.raises(Locked):
            DeploymentLock(store, "catalogue", "dev", "rollback", run, ttl_seconds=60).acquire()
    with DeploymentLock(store, "catalogue", "dev", "rollback", run, ttl_seconds=60) as mine:
        assert mine.holder is not None and mine.holder.run_id == run.run_id
