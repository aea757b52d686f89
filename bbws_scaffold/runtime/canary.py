"""canary: shift the ``live`` alias onto a published version in steps, watching the alarms.

The version comes from the release that published it without moving traffic (``promote
--no-shift``). At each step the new version gets that share of traffic (the rest stays on the
version live before), the step bakes for ``wait_seconds``, then the service's alarms are read.
Any alarm in ALARM rolls every function back to the version live before and records the rollback;
the canary then ends ``rolled_back`` (CLI exit 1). An alarm already firing before the canary starts
makes it refuse, unless named with ``ignore_alarms`` (e.g. the error alarm a hotfix is fixing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import boto3

from bbws_scaffold.runtime.alarms import firing
from bbws_scaffold.runtime.aws import session_for
from bbws_scaffold.runtime.config import Environment, RuntimeConfig
from bbws_scaffold.runtime.context import RunContext, check_version
from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.guard import require_account
from bbws_scaffold.runtime.lambdas import LiveAlias
from bbws_scaffold.runtime.lock import lock_for
from bbws_scaffold.runtime.log import log
from bbws_scaffold.runtime.manifest import ServiceManifest
from bbws_scaffold.runtime.records import (
    PUBLISHED,
    ROLLED_BACK,
    SUCCEEDED,
    DeploymentRecord,
    Recorder,
    RecordStore,
    pick,
    skipped_note,
)

DEFAULT_STEPS = (10, 25, 50, 100)


@dataclass
class CanaryResult:
    outcome: str  # succeeded | rolled_back | unchanged
    steps: list[int] = field(default_factory=list)  # the percentages actually applied
    alarms: list[str] = field(default_factory=list)
    record: DeploymentRecord | None = None
    rollback: DeploymentRecord | None = None


def check_steps(steps: Sequence[int]) -> tuple[int, ...]:
    out = tuple(int(s) for s in steps)
    if not out or out[-1] != 100 or any(not 0 < s <= 100 for s in out) or list(out) != sorted(set(out)):
        raise RuntimeOpError(f"canary steps {list(out)} must be increasing percentages ending at 100")
    return out


def canary(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    env_name: str,
    *,
    version: str,
    run: RunContext,
    steps: Sequence[int] = DEFAULT_STEPS,
    wait_seconds: float = 0,
    ignore_alarms: Sequence[str] = (),
    session: boto3.session.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CanaryResult:
    env = cfg.env(env_name)
    version = check_version(version)
    plan = check_steps(steps)
    if wait_seconds < 0:
        raise RuntimeOpError("the wait between canary steps cannot be negative")
    session = session or session_for(env)
    require_account(env, session)
    store = RecordStore.for_env(env, session)
    with lock_for(store, cfg.service, env, "canary", run):
        return _walk(cfg, manifest, env, store, version, run, plan, wait_seconds, ignore_alarms, sleep)


def _walk(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    env: Environment,
    store: RecordStore,
    version: str,
    run: RunContext,
    plan: tuple[int, ...],
    wait_seconds: float,
    ignore_alarms: Sequence[str],
    sleep: Callable[[float], None],
) -> CanaryResult:
    """The canary itself, under the environment's lock."""
    session = store.session
    functions = manifest.function_names(env.name)

    def lacks(record: DeploymentRecord) -> str:
        missing = [f for f in functions if "version" not in record.functions.get(f, {})]
        return f"it has no published version of {', '.join(missing)}" if missing else ""

    published = (
        r
        for r in store.history(cfg.service, env.name)
        if r.version == version and r.outcome in (PUBLISHED, SUCCEEDED) and r.action != "rollback"
    )
    release, skipped = pick(published, lacks, "canary")
    if release is None:
        raise RuntimeOpError(
            f"{cfg.service} version {version} was not published in {env.name}{skipped_note(skipped)}: "
            "promote it (without shifting) first"
        )
    alias = LiveAlias(session)
    targets = {f: release.functions[f]["version"] for f in functions}
    states = {f: alias.state(f) for f in functions}
    if all(states[f].version == targets[f] and not states[f].weights for f in functions):
        log("canary.unchanged", env=env.name, version=version, note="every function already serves it: nothing to do")
        return CanaryResult(outcome="unchanged")
    stable = {f: states[f].version for f in functions}
    already = firing(session, functions, ignore_alarms)
    if already:
        raise Refused(
            f"alarms already firing in {env.name} before the canary ({', '.join(already)}): a canary cannot be judged; "
            "fix them or name them with --ignore-alarm"
        )
    before = store.current(cfg.service, env.name)
    record = DeploymentRecord(
        service=cfg.service,
        env=env.name,
        action="canary",
        version=version,
        artifact_digest=release.artifact_digest,
        git_sha=run.git_sha or release.git_sha,
        actor=run.actor,
        run_id=run.run_id,
        run_url=run.run_url,
        git_ref=run.git_ref,
        functions={f: {"version": targets[f], "previous": stable[f]} for f in functions},
    )
    result = CanaryResult(outcome="in_progress")
    with Recorder(store, record) as rec:
        for percent in plan:
            for f in functions:
                if percent < 100:
                    alias.split(f, stable[f], targets[f], percent)
                else:
                    alias.point(f, targets[f])
            result.steps.append(percent)
            log("canary.step", env=env.name, version=version, percent=percent, wait_seconds=wait_seconds)
            sleep(wait_seconds)
            result.alarms = firing(session, functions, ignore_alarms)
            log("canary.alarms", env=env.name, version=version, percent=percent, firing=result.alarms)
            if result.alarms:
                break
        if not result.alarms:
            result.outcome = SUCCEEDED
            result.record = rec.finish(SUCCEEDED, detail=f"steps {'/'.join(map(str, plan))}% without alarms")
            return result
        log("canary.alarm", env=env.name, version=version, percent=result.steps[-1], alarms=result.alarms)
        for f in functions:
            alias.point(f, stable[f])
        detail = f"alarm at {result.steps[-1]}%: {', '.join(result.alarms)}; rolled back"
        result.outcome = ROLLED_BACK
        result.record = rec.finish(ROLLED_BACK, detail=detail)
    result.rollback = store.put(
        DeploymentRecord(
            service=cfg.service,
            env=env.name,
            action="rollback",
            version=before.version if before else "",  # no release of a label was live before
            artifact_digest=before.artifact_digest if before else "",
            git_sha=before.git_sha if before else "",
            actor=run.actor,
            run_id=run.run_id,
            run_url=run.run_url,
            detail=f"automatic: canary of {version} {detail}",
            functions={f: {"version": stable[f], "previous": targets[f]} for f in functions},
        ).finished(SUCCEEDED)
    )
    return result
