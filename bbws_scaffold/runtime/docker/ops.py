"""The docker operations: build, validate, push (DEV only), promote (one step up), cleanup.

Each takes the parsed configuration, the image configuration and a :class:`~.runner.Runner`; the
AWS operations also take an optional boto3 session (default: :func:`session_for` the environment)
and call :func:`require_account` with it before their first ECR call.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.config import RuntimeConfig
from bbws_scaffold.runtime.docker import ecr
from bbws_scaffold.runtime.docker.image import ImageConfig, check_tag
from bbws_scaffold.runtime.docker.runner import Docker, Runner
from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.log import log

_SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


# -- build and validate (no AWS) -------------------------------------------------------------------
def build(
    image: ImageConfig,
    runner: Runner,
    *,
    vcs_ref: str = "",
    clock: Callable[[], datetime] = _utc_now,
) -> str:
    """``docker build`` the image as ``<image_name>:<wp>-wpcli-<version>``; returns that reference."""
    if vcs_ref and not _SHA_RE.fullmatch(vcs_ref):
        raise RuntimeOpError(f"--vcs-ref {vcs_ref!r} is not a git commit sha")
    ref = image.local_ref()
    build_args = {
        "IMAGE_VERSION": image.image_version,
        "VCS_REF": vcs_ref or "unknown",
        "BUILD_DATE": clock().astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    Docker(runner).build(
        dockerfile=image.dockerfile, tag=ref, context=image.context, build_args=build_args, cwd=image.root
    )
    log("docker.build", image=ref, vcs_ref=build_args["VCS_REF"])
    return ref


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def validate(image: ImageConfig, runner: Runner, *, tag: str | None = None) -> list[Check]:
    """Run the image's tools once each (no shell, no network) and check the mu-plugin and labels."""
    docker = Docker(runner)
    ref = image.local_ref(tag)

    def first_line(text: str) -> str:
        return (text.strip().splitlines() or [""])[0][:200]

    checks: list[Check] = []
    for name, entrypoint, args, marker in (
        ("wp-cli", "wp", ("--version",), "WP-CLI"),
        ("curl", "curl", ("--version",), "curl"),
        ("unzip", "unzip", ("-v",), "UnZip"),
        ("mysql client", "mysql", ("--version",), ""),
    ):
        res = docker.run_in(ref, entrypoint, *args)
        out = first_line(res.stdout) or first_line(res.stderr)
        checks.append(Check(name, res.returncode == 0 and marker in res.stdout, out or f"exit {res.returncode}"))
    res = docker.run_in(ref, "stat", "-c", "%U:%a", image.mu_plugin)
    owner = res.stdout.strip()
    checks.append(
        Check("mu-plugin", res.returncode == 0 and owner == "www-data:644", f"{image.mu_plugin} {owner or 'missing'}")
    )
    version = docker.labels(ref).get("org.opencontainers.image.version", "")
    checks.append(Check("version label", version == image.image_version, f"org.opencontainers.image.version={version}"))
    log("docker.validate", image=ref, failed=[c.name for c in checks if not c.ok])
    return checks


# -- ECR ------------------------------------------------------------------------------------------
def _guarded_ecr(cfg: RuntimeConfig, env_name: str, session: Any) -> tuple[Any, Any]:
    """(environment, ECR client) after the account guard."""
    from bbws_scaffold.runtime.aws import session_for
    from bbws_scaffold.runtime.guard import require_account

    env = cfg.env(env_name)
    session = session or session_for(env)
    require_account(env, session)
    return env, session.client("ecr", region_name=env.region)


def _digest_in(digests: list[str], registry: str, repository: str) -> str | None:
    prefix = f"{registry}/{repository}@"
    return next((d[len(prefix) :] for d in digests if d.startswith(prefix)), None)


@dataclass(frozen=True)
class PushResult:
    ref: str
    digest: str


def push(
    cfg: RuntimeConfig,
    image: ImageConfig,
    env_name: str,
    runner: Runner,
    *,
    tag: str | None = None,
    session: Any = None,
) -> PushResult:
    """Push the local build to the first environment's repository (ECR login through the API)."""
    if cfg.env(env_name).name != cfg.first.name:
        lower = cfg.previous(env_name)
        raise Refused(
            f"images are pushed to {cfg.first.name} only; {env_name} receives them through "
            f"`docker promote --from {lower.name if lower else cfg.first.name} --to {env_name}`"
        )
    tag = check_tag(tag or image.tag)
    env, client = _guarded_ecr(cfg, env_name, session)
    existing = ecr.digest_of(client, image.repository_name, tag, env.account_id)
    if existing:
        raise Refused(
            f"{image.repository_name}:{tag} already exists in {env.name} ({existing}); tags are immutable: "
            "bump image_version to publish a change"
        )
    login = ecr.login_token(client, env.account_id)
    remote = f"{login.registry}/{image.repository_name}:{tag}"
    with tempfile.TemporaryDirectory(prefix="bbws-docker-") as config_dir:
        docker = Docker(runner, config_dir=Path(config_dir))
        docker.login(login.registry, login.password)
        docker.tag(image.local_ref(tag), remote)
        docker.push(remote)
        local = _digest_in(docker.repo_digests(remote), login.registry, image.repository_name)
    pushed = ecr.digest_of(client, image.repository_name, tag, env.account_id)
    if not pushed or (local and pushed != local):
        raise RuntimeOpError(f"{remote} is not in ECR with the pushed digest (ECR: {pushed}, local: {local})")
    log("docker.push", env=env.name, image=remote, digest=pushed)
    return PushResult(remote, pushed)


@dataclass(frozen=True)
class PromoteResult:
    source: str
    target: str
    digest: str
    already_there: bool = False


def promote(
    cfg: RuntimeConfig,
    image: ImageConfig,
    from_env: str,
    to_env: str,
    runner: Runner,
    *,
    tag: str | None = None,
    session: Any = None,
    source_session: Any = None,
) -> PromoteResult:
    """Copy ``tag`` from ``from_env``'s repository to ``to_env``'s: pull by digest, retag, push, and
    refuse unless the target then holds exactly the source digest.

    ``session`` holds the target environment's credentials (guarded); the source repository is read
    with ``source_session`` (default: the same credentials, through the source repository's policy)."""
    previous = cfg.previous(to_env)
    if previous is None or previous.name != cfg.env(from_env).name:
        expected = previous.name if previous else "nothing (it is the first environment)"
        raise Refused(f"{to_env} is promoted from {expected}, not from {from_env}")
    tag = check_tag(tag or image.tag)
    from bbws_scaffold.runtime.aws import session_for

    session = session or session_for(cfg.env(to_env))
    dst, dst_ecr = _guarded_ecr(cfg, to_env, session)
    src = cfg.env(from_env)
    src_ecr = (source_session or session).client("ecr", region_name=src.region)
    repo = image.repository_name

    source_digest = ecr.digest_of(src_ecr, repo, tag, src.account_id)
    if not source_digest:
        raise Refused(f"{repo}:{tag} is not in {src.name}: an image reaches {dst.name} only through {src.name}")
    src_login = ecr.login_token(src_ecr, src.account_id)
    dst_login = ecr.login_token(dst_ecr, dst.account_id)
    source_ref = f"{src_login.registry}/{repo}@{source_digest}"
    target_ref = f"{dst_login.registry}/{repo}:{tag}"
    existing = ecr.digest_of(dst_ecr, repo, tag, dst.account_id)
    if existing == source_digest:
        log("docker.promote", source=source_ref, target=target_ref, digest=source_digest, already_there=True)
        return PromoteResult(source_ref, target_ref, source_digest, already_there=True)
    if existing:
        raise Refused(f"{target_ref} already exists with digest {existing}, not {src.name}'s {source_digest}")

    with tempfile.TemporaryDirectory(prefix="bbws-docker-") as config_dir:
        docker = Docker(runner, config_dir=Path(config_dir))
        docker.login(src_login.registry, src_login.password)
        if dst_login.registry != src_login.registry:
            docker.login(dst_login.registry, dst_login.password)
        docker.pull(source_ref)
        docker.tag(source_ref, target_ref)
        docker.push(target_ref)
    pushed = ecr.digest_of(dst_ecr, repo, tag, dst.account_id)
    if pushed != source_digest:
        if pushed:  # never leave a tag in the higher environment that is not what the lower one tested
            ecr.delete_images(dst_ecr, repo, dst.account_id, [pushed])
        log("docker.promote.refused", source=source_ref, target=target_ref, source_digest=source_digest, pushed=pushed)
        raise Refused(
            f"{target_ref} got digest {pushed}, not {src.name}'s {source_digest}; the pushed image was deleted "
            "(a multi-platform source cannot be promoted by pull and push)"
        )
    log("docker.promote", source=source_ref, target=target_ref, digest=pushed, already_there=False)
    return PromoteResult(source_ref, target_ref, pushed)


@dataclass(frozen=True)
class CleanupResult:
    env: str
    keep: int
    plan: ecr.CleanupPlan
    deleted: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lifecycle: ecr.LifecycleStatus | None = None
    dry_run: bool = False


def cleanup(
    cfg: RuntimeConfig,
    image: ImageConfig,
    env_name: str,
    *,
    keep: int | None = None,
    dry_run: bool = False,
    session: Any = None,
) -> CleanupResult:
    """Delete all but the ``keep`` newest images by push date; never an image tagged as deployed."""
    env, client = _guarded_ecr(cfg, env_name, session)
    if keep is None:
        if env.name not in image.keep_images:
            raise RuntimeOpError(f"no --keep given and no keep_images for {env.name} in the image configuration")
        keep = image.keep_images[env.name]
    repo = image.repository_name
    plan = ecr.plan_cleanup(ecr.list_images(client, repo, env.account_id), keep, image.is_deployed)
    lifecycle = ecr.lifecycle_status(
        client,
        repo,
        env.account_id,
        deployed_prefix=image.deployed_tag_prefix,
        keep=image.keep_images.get(env.name, keep),
    )
    deleted: list[str] = []
    failures: list[str] = []
    if not dry_run and plan.delete:
        deleted, failures = ecr.delete_images(client, repo, env.account_id, [i.digest for i in plan.delete])
    log(
        "docker.cleanup",
        env=env.name,
        repository=repo,
        keep=keep,
        dry_run=dry_run,
        deleted=deleted,
        would_delete=[i.digest for i in plan.delete] if dry_run else [],
        protected=[i.digest for i in plan.protected],
        failures=failures,
    )
    return CleanupResult(env.name, keep, plan, deleted, failures, lifecycle, dry_run)
