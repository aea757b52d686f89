"""rollback: list an environment's deployments, or move ``live`` back to an earlier one, and record it.

Without ``--to`` the target is the newest successful release older than what the environment
serves now (a release with another version label); with ``--to V`` it is the newest successful
release of V. The Lambda versions come from that release's record, so a rollback restores exactly
what ran, and a canary in progress is withdrawn with it. Nothing is rebuilt and Terraform is not run.
"""

from __future__ import annotations

import boto3

from bbws_scaffold.runtime.aws import session_for
from bbws_scaffold.runtime.config import Environment, RuntimeConfig
from bbws_scaffold.runtime.context import RunContext, check_version
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.guard import require_account
from bbws_scaffold.runtime.lambdas import LiveAlias
from bbws_scaffold.runtime.lock import lock_for
from bbws_scaffold.runtime.log import log
from bbws_scaffold.runtime.manifest import ServiceManifest
from bbws_scaffold.runtime.records import SUCCEEDED, DeploymentRecord, Recorder, RecordStore, pick, skipped_note


def history(
    cfg: RuntimeConfig, env_name: str, *, limit: int = 20, session: boto3.session.Session | None = None
) -> list[DeploymentRecord]:
    """The environment's records, newest first."""
    env = cfg.env(env_name)
    session = session or session_for(env)
    require_account(env, session)
    return list(RecordStore.for_env(env, session).history(cfg.service, env.name, limit=limit))


def format_history(records: list[DeploymentRecord]) -> str:
    """A plain-text table for the job log."""
    rows: list[tuple[str, ...]] = [("started (UTC)", "action", "version", "outcome", "actor", "functions")]
    for r in records:
        fns = " ".join(f"{name}:{v.get('version', '?')}" for name, v in sorted(r.functions.items()))
        row = (r.started_at[:19], r.action, r.version, r.outcome, r.actor, fns)
        rows.append(tuple(cell or "-" for cell in row))  # an empty cell would shift the columns
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) if records else "no deployments recorded"


def rollback(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    env_name: str,
    *,
    run: RunContext,
    to_version: str | None = None,
    session: boto3.session.Session | None = None,
) -> DeploymentRecord:
    env = cfg.env(env_name)
    session = session or session_for(env)
    require_account(env, session)
    store = RecordStore.for_env(env, session)
    with lock_for(store, cfg.service, env, "rollback", run):
        return _roll_back(cfg, manifest, env, store, run, to_version)


def _roll_back(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    env: Environment,
    store: RecordStore,
    run: RunContext,
    to_version: str | None,
) -> DeploymentRecord:
    """The rollback itself, under the environment's lock."""
    session = store.session
    records = list(store.history(cfg.service, env.name))
    successes = [r for r in records if r.outcome == SUCCEEDED]
    functions = manifest.function_names(env.name)

    def lacks(record: DeploymentRecord) -> str:
        if any(name in record.functions for name in functions):
            return ""
        return "it recorded no Lambda version of this service's functions"

    releases = [r for r in successes if r.action != "rollback"]
    if to_version is not None:
        wanted = check_version(to_version)
        target, skipped = pick((r for r in releases if r.version == wanted), lacks, "rollback")
        if target is None:
            known = sorted({r.version for r in releases if r.version})
            raise RuntimeOpError(
                f"{env.name} has no successful deployment of version {wanted} "
                f"(successful versions: {', '.join(known) or 'none'}){skipped_note(skipped)}"
            )
    else:
        if not successes:
            raise RuntimeOpError(f"{env.name} has no recorded deployment of {cfg.service} to roll back")
        serving = successes[0].version
        target, skipped = pick((r for r in releases if r.version != serving), lacks, "rollback")
        if target is None:
            raise RuntimeOpError(
                f"{env.name} has no successful deployment older than {serving or 'what it serves'} "
                f"to roll back to{skipped_note(skipped)}"
            )

    alias = LiveAlias(session)
    record = DeploymentRecord(
        service=cfg.service,
        env=env.name,
        action="rollback",
        version=target.version,
        artifact_digest=target.artifact_digest,
        git_sha=target.git_sha,
        actor=run.actor,
        run_id=run.run_id,
        run_url=run.run_url,
    )
    with Recorder(store, record) as rec:
        moved: dict[str, dict[str, str]] = {}
        unchanged = 0
        for name in functions:
            entry = target.functions.get(name)
            if entry is None:
                log("rollback.skipped", function=name, reason=f"not deployed by {target.version}")
                continue
            previous = alias.state(name).version
            if not alias.point(name, entry["version"]):
                unchanged += 1
            moved[name] = {"version": entry["version"], "previous": previous}
        if not moved:
            raise RuntimeOpError(f"version {target.version} deployed none of this service's functions")
        detail = "already live; nothing changed" if unchanged == len(moved) else f"rolled back to {target.version}"
        return rec.finish(SUCCEEDED, detail=detail, functions=moved)
