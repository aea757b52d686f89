"""The docker operations: exact docker command lines (no engine here) and every ECR call against
moto's server mode on 127.0.0.1 (the ``aws`` fixture), with each environment in its own account."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bbws_scaffold.runtime.config import RuntimeConfig
from bbws_scaffold.runtime.docker import ecr, ops
from bbws_scaffold.runtime.docker.image import ImageConfig
from bbws_scaffold.runtime.docker.runner import Completed
from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from tests.aws_server import AwsServer
from tests.wordpress.conftest import DEV, PROD, SIT, FakeRunner, account_session

REPO = "bbws-wordpress"
TAG = "6.8-wpcli-1.0.0"
FIXED = datetime(2025, 3, 1, 10, 15, 0, tzinfo=timezone.utc)


def manifest(layer: str) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "digest": "sha256:" + "c" * 64,
                "size": 1,
                "mediaType": "application/vnd.docker.container.image.v1+json",
            },
            "layers": [
                {
                    "digest": "sha256:" + (layer * 64)[:64],
                    "size": 1,
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                }
            ],
        }
    )


def create_repo(session, name: str = REPO) -> None:  # type: ignore[no-untyped-def]
    session.client("ecr").create_repository(
        repositoryName=name,
        imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS"},
    )


def put(session, tag: str, layer: str) -> str:  # type: ignore[no-untyped-def]
    res = session.client("ecr").put_image(repositoryName=REPO, imageManifest=manifest(layer), imageTag=tag)
    return str(res["image"]["imageId"]["imageDigest"])


class Registry:
    """Stands in for the docker engine's side of push/pull: `docker push` lands in moto's ECR."""

    def __init__(self, runner: FakeRunner, sessions: dict[str, object], layer: str = "a") -> None:
        self.sessions = sessions  # registry host -> session of that account
        self.layer = layer
        self.pushed: dict[str, str] = {}
        runner.handlers["push"] = self.push
        runner.handlers["image inspect"] = self.inspect

    def push(self, args: tuple[str, ...], stdin: str | None) -> Completed:
        ref = args[-1]
        host, _, rest = ref.partition("/")
        repo, _, tag = rest.partition(":")
        self.pushed[ref] = put(self.sessions[host], tag, self.layer)
        return Completed(args, 0, f"{tag}: digest: {self.pushed[ref]} size: 1", "")

    def inspect(self, args: tuple[str, ...], stdin: str | None) -> Completed:
        ref = args[-1]
        repo_ref = ref.rsplit(":", 1)[0]
        digests = [f"{repo_ref}@{self.pushed[ref]}"] if ref in self.pushed else []
        return Completed(args, 0, json.dumps(digests) + "\n", "")


def host(account: str, region: str = "eu-west-1") -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


# -- command lines (no AWS) ------------------------------------------------------------------------
def test_build_command_line(image: ImageConfig) -> None:
    runner = FakeRunner()
    ref = ops.build(image, runner, vcs_ref="0123456789abcdef", clock=lambda: FIXED)
    assert ref == "bbws-wordpress:6.8-wpcli-1.0.0"
    assert runner.calls == [
        (
            "docker", "build", "--pull", "--file", "docker/wordpress/Dockerfile",
            "--tag", "bbws-wordpress:6.8-wpcli-1.0.0",
            "--build-arg", "IMAGE_VERSION=1.0.0", "--build-arg", "VCS_REF=0123456789abcdef",
            "--build-arg", "BUILD_DATE=2025-03-01T10:15:00Z", "docker/wordpress",
        )
    ]  # fmt: skip
    assert runner.cwds == [image.root]
    assert (image.root / "docker/wordpress/Dockerfile").is_file()


def test_build_refuses_a_vcs_ref_that_is_not_a_sha(image: ImageConfig) -> None:
    with pytest.raises(RuntimeOpError, match="not a git commit sha"):
        ops.build(image, FakeRunner(), vcs_ref="main; rm -rf /")


def test_build_failure_is_an_error_with_dockers_message(image: ImageConfig) -> None:
    runner = FakeRunner(handlers={"build": lambda a, s: Completed(a, 1, "", "failed to solve: sha512sum: WARNING")})
    with pytest.raises(RuntimeOpError, match="docker build of bbws-wordpress:6.8-wpcli-1.0.0 failed .*sha512sum"):
        ops.build(image, runner)


def _validating_runner(*, wp: str = "WP-CLI 2.12.0", owner: str = "www-data:644", version: str = "1.0.0") -> FakeRunner:
    outputs = {
        "wp": (0, wp),
        "curl": (0, "curl 7.88.1 (x86_64-pc-linux-gnu)"),
        "unzip": (0, "UnZip 6.00 of 20 April 2009"),
        "mysql": (0, "mysql  Ver 15.1 Distrib 10.11.6-MariaDB"),
        "stat": (0 if owner else 1, owner),
    }

    def run(args: tuple[str, ...], stdin: str | None) -> Completed:
        code, out = outputs[args[args.index("--entrypoint") + 1]]
        return Completed(args, code, out + "\n", "" if code == 0 else "No such file or directory")

    def labels(args: tuple[str, ...], stdin: str | None) -> Completed:
        return Completed(args, 0, json.dumps({"org.opencontainers.image.version": version}), "")

    return FakeRunner(handlers={"run": run, "image inspect": labels})


def test_validate_runs_each_tool_once_without_shell_or_network(image: ImageConfig) -> None:
    runner = _validating_runner()
    checks = ops.validate(image, runner)
    assert [(c.name, c.ok) for c in checks] == [
        ("wp-cli", True), ("curl", True), ("unzip", True), ("mysql client", True), ("mu-plugin", True),
        ("version label", True),
    ]  # fmt: skip
    ref = "bbws-wordpress:6.8-wpcli-1.0.0"
    run = ("docker", "run", "--rm", "--network", "none", "--entrypoint")
    assert runner.calls == [
        (*run, "wp", ref, "--version"),
        (*run, "curl", ref, "--version"),
        (*run, "unzip", ref, "-v"),
        (*run, "mysql", ref, "--version"),
        (*run, "stat", ref, "-c", "%U:%a", "/usr/src/wordpress/wp-content/mu-plugins/bbws-https-detection.php"),
        ("docker", "image", "inspect", "--format", "{{json .Config.Labels}}", ref),
    ]


@pytest.mark.parametrize(
    "kwargs, failed",
    [
        ({"wp": "bash: wp: not found"}, "wp-cli"),
        ({"owner": ""}, "mu-plugin"),
        ({"owner": "root:644"}, "mu-plugin"),
        ({"version": "0.9.0"}, "version label"),
    ],
)
def test_validate_reports_what_is_wrong(image: ImageConfig, kwargs: dict[str, str], failed: str) -> None:
    checks = ops.validate(image, _validating_runner(**kwargs))
    assert [c.name for c in checks if not c.ok] == [failed]


# -- ECR against moto ------------------------------------------------------------------------------
def test_login_token_and_login_keep_the_password_out_of_argv(aws: AwsServer) -> None:
    login = ecr.login_token(account_session(DEV).client("ecr"), DEV)
    assert login.registry == host(DEV)
    assert login.username == "AWS" and login.password and login.password not in repr(login)
    runner = FakeRunner()
    from bbws_scaffold.runtime.docker.runner import Docker

    Docker(runner, config_dir=Path("/tmp/cfg")).login(login.registry, login.password)
    assert runner.calls == [
        ("docker", "--config", "/tmp/cfg", "login", "--username", "AWS", "--password-stdin", host(DEV))
    ]
    assert runner.stdins == [login.password]
    assert all(login.password not in " ".join(c) for c in runner.calls)


def test_push_logs_in_tags_pushes_and_checks_the_digest(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    dev = account_session(DEV)
    create_repo(dev)
    runner = FakeRunner()
    registry = Registry(runner, {host(DEV): dev})
    res = ops.push(runtime_config, image, "dev", runner, session=dev)
    remote = f"{host(DEV)}/{REPO}:{TAG}"
    assert res.ref == remote and res.digest == registry.pushed[remote]
    assert ecr.digest_of(dev.client("ecr"), REPO, TAG, DEV) == res.digest
    [login, tag, push, inspect] = runner.calls
    assert login[:2] == ("docker", "--config") and login[3:] == (
        "login",
        "--username",
        "AWS",
        "--password-stdin",
        host(DEV),
    )
    assert tag[3:] == ("tag", "bbws-wordpress:6.8-wpcli-1.0.0", remote)
    assert push[3:] == ("push", remote)
    assert inspect[3:] == ("image", "inspect", "--format", "{{json .RepoDigests}}", remote)
    assert not Path(login[2]).exists(), "the docker client config (holding the ECR login) is removed"


def test_push_refuses_an_existing_tag_and_other_environments(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    dev = account_session(DEV)
    create_repo(dev)
    put(dev, TAG, "e")
    with pytest.raises(Refused, match="already exists in dev .*immutable"):
        ops.push(runtime_config, image, "dev", FakeRunner(), session=dev)
    with pytest.raises(Refused, match="pushed to dev only.*promote --from dev --to sit"):
        ops.push(runtime_config, image, "sit", FakeRunner(), session=account_session(SIT))


def test_push_refuses_the_wrong_account_before_any_ecr_call(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    runner = FakeRunner()
    with pytest.raises(Refused, match=f"account {SIT}, but environment dev is account {DEV}"):
        ops.push(runtime_config, image, "dev", runner, session=account_session(SIT))
    assert runner.calls == []


def _promotion(aws: AwsServer) -> tuple[object, object]:
    dev, sit = account_session(DEV), account_session(SIT)
    create_repo(dev)
    create_repo(sit)
    return dev, sit


def test_promote_pulls_by_digest_retags_pushes_and_compares(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    dev, sit = _promotion(aws)
    source_digest = put(dev, TAG, "a")
    runner = FakeRunner()
    Registry(runner, {host(SIT): sit}, layer="a")  # the same layers: the same digest
    res = ops.promote(runtime_config, image, "dev", "sit", runner, session=sit, source_session=dev)
    source_ref = f"{host(DEV)}/{REPO}@{source_digest}"
    target_ref = f"{host(SIT)}/{REPO}:{TAG}"
    assert (res.source, res.target, res.digest, res.already_there) == (source_ref, target_ref, source_digest, False)
    assert [c[3:] for c in runner.calls] == [
        ("login", "--username", "AWS", "--password-stdin", host(DEV)),
        ("login", "--username", "AWS", "--password-stdin", host(SIT)),
        ("pull", source_ref),
        ("tag", source_ref, target_ref),
        ("push", target_ref),
    ]
    assert ecr.digest_of(sit.client("ecr"), REPO, TAG, SIT) == source_digest
    # a second run finds the image there and does nothing
    again = FakeRunner()
    assert ops.promote(runtime_config, image, "dev", "sit", again, session=sit, source_session=dev).already_there
    assert again.calls == []


def test_promote_refuses_and_removes_a_push_whose_digest_differs(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    dev, sit = _promotion(aws)
    put(dev, TAG, "a")
    runner = FakeRunner()
    Registry(runner, {host(SIT): sit}, layer="b")  # e.g. a multi-platform source re-pushed as one platform
    with pytest.raises(Refused, match="got digest sha256:.*not dev's sha256:.*deleted"):
        ops.promote(runtime_config, image, "dev", "sit", runner, session=sit, source_session=dev)
    assert ecr.digest_of(sit.client("ecr"), REPO, TAG, SIT) is None


def test_promote_refuses_what_the_lower_environment_never_had(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    dev, sit = _promotion(aws)
    runner = FakeRunner()
    with pytest.raises(Refused, match="not in dev: an image reaches sit only through dev"):
        ops.promote(runtime_config, image, "dev", "sit", runner, session=sit, source_session=dev)
    with pytest.raises(Refused, match="prod is promoted from sit, not from dev"):
        ops.promote(runtime_config, image, "dev", "prod", runner, session=account_session(PROD, "af-south-1"))
    assert runner.calls == []


def test_promote_refuses_a_different_image_under_the_same_tag(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    dev, sit = _promotion(aws)
    put(dev, TAG, "a")
    put(sit, TAG, "d")
    with pytest.raises(Refused, match="already exists with digest"):
        ops.promote(runtime_config, image, "dev", "sit", FakeRunner(), session=sit, source_session=dev)


def _backdate(account: str, pushed: dict[str, datetime]) -> None:
    """moto stamps pushes with the current second; give each test image its own push date."""
    from moto.ecr.models import ecr_backends

    for img in ecr_backends[account]["eu-west-1"].repositories[REPO].images:
        img.image_pushed_at = int(pushed[img.image_tags[0]].timestamp())


def _images(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {i.tags[0] if i.tags else "<untagged>": i.digest for i in ecr.list_images(session.client("ecr"), REPO, DEV)}


def test_cleanup_deletes_the_oldest_and_never_a_deployed_image(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig
) -> None:
    dev = account_session(DEV)
    create_repo(dev)
    now = datetime(2025, 6, 1, tzinfo=timezone.utc)
    ages = {
        "6.8-wpcli-1.0.0": 50,
        "deployed-20250401": 40,
        "6.8-wpcli-1.0.2": 30,
        "6.8-wpcli-1.0.3": 20,
        "6.8-wpcli-1.0.4": 10,
    }
    digests = {tag: put(dev, tag, layer) for tag, layer in zip(ages, "12345")}
    _backdate(DEV, {t: now - timedelta(days=d) for t, d in ages.items()})

    dry = ops.cleanup(runtime_config, image, "dev", keep=2, dry_run=True, session=dev)
    assert [i.tags for i in dry.plan.delete] == [("6.8-wpcli-1.0.2",), ("6.8-wpcli-1.0.0",)]
    assert [i.tags for i in dry.plan.protected] == [("deployed-20250401",)]
    assert dry.deleted == [] and len(_images(dev)) == 5

    res = ops.cleanup(runtime_config, image, "dev", keep=2, session=dev)
    assert sorted(res.deleted) == sorted([digests["6.8-wpcli-1.0.2"], digests["6.8-wpcli-1.0.0"]])
    assert res.failures == []
    assert sorted(_images(dev)) == ["6.8-wpcli-1.0.3", "6.8-wpcli-1.0.4", "deployed-20250401"]


def test_cleanup_keeps_the_configured_number_and_checks_the_lifecycle_policy(
    aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig, rendered: Path
) -> None:
    dev = account_session(DEV)
    create_repo(dev)
    ecr_tf = (rendered / "terraform" / "ecr.tf").read_text()
    assert 'tagPatternList = ["${var.deployed_tag_prefix}*"]' in ecr_tf and "countNumber    = var.keep_images" in ecr_tf
    # the policy terraform/ecr.tf renders for DEV (environments/dev.tfvars: keep 10, expire 90 days)
    policy = {
        "rules": [
            {"rulePriority": 1, "description": "deployed", "action": {"type": "expire"},
             "selection": {"tagStatus": "tagged", "tagPatternList": ["deployed*"], "countType": "imageCountMoreThan",
                           "countNumber": 9999}},
            {"rulePriority": 2, "description": "keep", "action": {"type": "expire"},
             "selection": {"tagStatus": "tagged", "tagPatternList": ["*-wpcli-*"], "countType": "imageCountMoreThan",
                           "countNumber": 10}},
            {"rulePriority": 3, "description": "age", "action": {"type": "expire"},
             "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days",
                           "countNumber": 90}},
        ]
    }  # fmt: skip
    client = dev.client("ecr")
    assert ecr.lifecycle_status(client, REPO, DEV, deployed_prefix="deployed", keep=10).problems == (
        "the repository has no lifecycle policy (apply terraform/)",
    )
    client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=json.dumps(policy))
    status = ecr.lifecycle_status(client, REPO, DEV, deployed_prefix="deployed", keep=10)
    assert (status.protects_deployed, status.keep_images, status.expire_days, status.problems) == (True, 10, 90, ())
    for n in range(12):
        put(dev, f"6.8-wpcli-1.0.{n}", "0123456789ab"[n])
    _backdate(DEV, {f"6.8-wpcli-1.0.{n}": datetime(2025, 1, 1 + n, tzinfo=timezone.utc) for n in range(12)})
    res = ops.cleanup(runtime_config, image, "dev", session=dev)  # keep from deploy/image.json: 10 in DEV
    assert res.keep == 10 and res.lifecycle is not None and res.lifecycle.problems == ()
    assert sorted(_images(dev)) == sorted(f"6.8-wpcli-1.0.{n}" for n in range(2, 12))

    policy["rules"] = policy["rules"][1:]
    client.put_lifecycle_policy(repositoryName=REPO, lifecyclePolicyText=json.dumps(policy))
    problems = ecr.lifecycle_status(client, REPO, DEV, deployed_prefix="deployed", keep=10).problems
    assert problems == ("images tagged deployed* are not protected by the first lifecycle rule",)


def test_cleanup_refuses_the_wrong_account(aws: AwsServer, image: ImageConfig, runtime_config: RuntimeConfig) -> None:
    with pytest.raises(Refused, match="refusing to act on the wrong account"):
        ops.cleanup(runtime_config, image, "sit", keep=1, session=account_session(DEV))


def test_delete_images_goes_in_batches_of_100_and_reports_failures(aws: AwsServer) -> None:
    dev = account_session(DEV)
    create_repo(dev)
    digests = [put(dev, f"t{n}", f"{n:064x}") for n in range(101)]
    assert len(set(digests)) == 101
    client = dev.client("ecr")
    calls: list[int] = []
    client.meta.events.register(
        "provide-client-params.ecr.BatchDeleteImage", lambda params, **_: calls.append(len(params["imageIds"]))
    )
    deleted, failures = ecr.delete_images(client, REPO, DEV, digests + ["sha256:" + "9" * 64])
    assert calls == [100, 2]
    assert sorted(deleted) == sorted(digests)
    assert len(failures) == 1 and failures[0].startswith("sha256:" + "9" * 64 + ": ImageNotFound")
    assert ecr.list_images(client, REPO, DEV) == []


def test_runtime_cli_cleanup_in_the_rendered_repo(
    aws: AwsServer, rendered: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bbws-runtime docker cleanup` reads the generated deploy/environments.json and deploy/image.json."""
    import boto3

    from bbws_scaffold.runtime.cli import main

    config = str(rendered / "deploy" / "environments.json")
    aws.set_account(monkeypatch, DEV)
    dev = boto3.session.Session(region_name="eu-west-1")
    create_repo(dev)
    put(dev, "deployed-1", "1")
    put(dev, TAG, "2")
    assert main(["--config", config, "docker", "cleanup", "--env", "dev", "--keep", "1", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dev: kept 1 newest, 1 deployed; would delete 0")
    assert "deployed (never deleted): sha256:" in out and "warning: the repository has no lifecycle policy" in out
    aws.set_account(monkeypatch, SIT)
    assert main(["--config", config, "docker", "cleanup", "--env", "dev", "--dry-run"]) == 2
    assert "refused: credentials are for AWS account 815856636111" in capsys.readouterr().err


def test_the_docker_operations_stay_import_light() -> None:
    """Generated workflows install bbws-scaffold with --no-deps: the docker runtime needs boto3 only."""
    import subprocess
    import sys

    code = (
        "import sys, bbws_scaffold.runtime.cli as c, bbws_scaffold.runtime.docker.ops;"
        "import bbws_scaffold.runtime.docker.cli;"
        "c.build_parser();"
        "print(sorted(m for m in ('copier', 'jinja2', 'pydantic', 'markdown_it', 'yaml') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
