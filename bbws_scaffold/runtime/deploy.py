"""deploy (first environment only) and promote (one step along the promotion order).

Both end in the same release: the account guard, an ``in_progress`` record, Terraform (init
with the environment's backend file, plan to a file, apply exactly that plan), a version
published per function (Lambda checks its code is this run's package), the ``live`` alias moved
to it (or left for ``canary`` in production), and the record's outcome.

``promote`` additionally refuses unless the lower environment holds a successful record of the
same version *and* the same package digest. That record lives in the lower account, so it is read
through a read-only role there (``records_reader_role_arn``), assumed with the target's credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import boto3

from bbws_scaffold.runtime.artifact import digest, lambda_code_sha256
from bbws_scaffold.runtime.aws import assume_role_session, session_for
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
    SUCCEEDED,
    DeploymentRecord,
    Recorder,
    RecordStore,
    pick,
    skipped_note,
)
from bbws_scaffold.runtime.terraform import Terraform


@dataclass(frozen=True)
class TerraformStep:
    """Where and how to run Terraform for a release (paths relative to ``workdir``)."""

    workdir: Path
    backend_config: str | None = None  # default: backend/<env>.hcl
    var_file: str | None = None  # default: environments/<env>.tfvars
    plan_file: str = "deploy.tfplan"
    outputs_file: Path | None = None  # where to save `terraform output -json` (smoke reads api_url)

    def run(self, env: Environment, production: bool) -> list[str]:
        tf = Terraform(self.workdir, env.name, production=production)
        tf.init(self.backend_config or f"backend/{env.name}.hcl")
        plan = tf.plan(self.plan_file, var_file=self.var_file or f"environments/{env.name}.tfvars")
        changed = tf.check_plan(plan)
        tf.apply(plan)
        if self.outputs_file is not None:
            self.outputs_file.parent.mkdir(parents=True, exist_ok=True)
            self.outputs_file.write_text(json.dumps(tf.output(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return changed


def is_production(cfg: RuntimeConfig, env: Environment) -> bool:
    """The last environment of the promotion order, or any with deletion protection, is production."""
    return env.name == cfg.promotion_order[-1] or bool(env.setting("deletion_protection", False))


def deploy(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    env_name: str,
    *,
    artifact: Path,
    version: str,
    run: RunContext,
    session: boto3.session.Session | None = None,
    terraform: TerraformStep | None = None,
) -> DeploymentRecord:
    """Deploy a build to the first environment (DEV); every other environment takes promotions only."""
    env = cfg.env(env_name)
    if env.name != cfg.promotion_order[0]:
        previous = cfg.previous(env.name)
        lower = previous.name if previous else cfg.promotion_order[0]
        raise Refused(
            f"direct deploys to {env.name} are refused: {env.name} takes only builds that succeeded in "
            f"{lower} (use `promote --from {lower} --to {env.name} --version V`)"
        )
    return _release(cfg, manifest, env, "deploy", artifact, version, run, session, terraform, shift=True)


def promote(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    source_name: str,
    target_name: str,
    *,
    artifact: Path,
    version: str,
    run: RunContext,
    session: boto3.session.Session | None = None,
    source_session: boto3.session.Session | None = None,
    terraform: TerraformStep | None = None,
    shift: bool = True,
) -> DeploymentRecord:
    """Release to ``target`` a version that succeeded in ``source``, the environment just before it.

    ``shift=False`` publishes without moving traffic (production: ``canary`` moves it)."""
    source, target = cfg.env(source_name), cfg.env(target_name)
    expected = cfg.previous(target.name)
    if expected is None or expected.name != source.name:
        order = " -> ".join(cfg.promotion_order)
        raise Refused(f"{source.name} -> {target.name} is not a step of the promotion order ({order})")
    version = check_version(version)
    session = session or session_for(target)
    require_account(target, session)
    if source_session is None:
        role = source.setting("records_reader_role_arn")
        if not role:
            raise RuntimeOpError(f"{source.name} has no records_reader_role_arn to read its deployment records")
        source_session = assume_role_session(str(role), source.region, session, f"bbws-promote-{target.name}")
    require_account(source, source_session)

    wanted = digest(artifact)
    evidence, skipped = pick(
        RecordStore.for_env(source, source_session).successes(cfg.service, source.name, version),
        lambda r: "" if r.artifact_digest else "it has no package digest to compare",
        "promote",
    )
    if evidence is None:
        raise Refused(
            f"{cfg.service} version {version} has no successful deployment in {source.name}{skipped_note(skipped)}: "
            f"{target.name} takes only what {source.name} accepted"
        )
    if evidence.artifact_digest != wanted:
        raise Refused(
            f"the package to promote ({wanted}) is not the one {source.name} accepted for version {version} "
            f"({evidence.artifact_digest}): promote the same artifact, rebuilt reproducibly from the same commit"
        )
    log("promote.evidence", source=source.name, target=target.name, version=version, record=evidence.sk)
    return _release(
        cfg, manifest, target, "promote", artifact, version, run, session, terraform, shift=shift, source=source.name
    )


def _release(
    cfg: RuntimeConfig,
    manifest: ServiceManifest,
    env: Environment,
    action: str,
    artifact: Path,
    version: str,
    run: RunContext,
    session: boto3.session.Session | None,
    terraform: TerraformStep | None,
    *,
    shift: bool,
    source: str = "",
) -> DeploymentRecord:
    version = check_version(version)
    session = session or session_for(env)
    require_account(env, session)
    package = digest(artifact)
    record = DeploymentRecord(
        service=cfg.service,
        env=env.name,
        action=action,
        version=version,
        artifact_digest=package,
        git_sha=run.git_sha,
        actor=run.actor,
        run_id=run.run_id,
        run_url=run.run_url,
        source_env=source,
        commit_time=run.commit_time,
        git_ref=run.git_ref,
    )
    store = RecordStore.for_env(env, session)
    with lock_for(store, cfg.service, env, action, run), Recorder(store, record) as rec:
        if terraform is not None:
            terraform.run(env, production=is_production(cfg, env))
        alias = LiveAlias(session)
        functions: dict[str, dict[str, str]] = {}
        for name in manifest.function_names(env.name):
            previous = alias.state(name).version
            published = alias.publish(name, lambda_code_sha256(package))
            if shift:
                alias.point(name, published)
            functions[name] = {"version": published, "previous": previous}
        outcome = SUCCEEDED if shift else PUBLISHED
        return rec.finish(outcome, functions=functions)
