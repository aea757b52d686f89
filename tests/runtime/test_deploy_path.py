"""The deploy path, end to end: the generated deploy-dev.yml's own steps, run against moto.

One example repo is rendered; its ``.github/workflows/deploy-dev.yml`` is read and the deploy
job's steps are run in order, as a runner would run them (``bash -e -o pipefail``, the step's
``env:``, GitHub's default variables, the working directory at the repository root). Nothing is
re-typed: a ``run:`` step runs its own text, so when the workflow and the runtime drift apart
(a renamed command, a flag the runtime no longer takes, a script that is gone) this test fails.
Every ``${{ ... }}`` expression is substituted from an explicit table, and an unknown one fails.

What the runner gives that this machine lacks stands in, each for one documented job:
- ``actions/checkout``: the repository is already there (a ``ref:`` must name a commit of it).
- ``actions/setup-python``: a fresh virtualenv per Runner (``python -m venv`` of this test's
  interpreter, whatever ``python-version`` asks for), its ``bin`` put first on the job's PATH from
  that step on. ``scripts/install-runtime.sh`` then runs as written, pip with the package index off
  (``PIP_NO_INDEX``, boto3's wheels from ``.tools/runtime-wheels``, see tests/runtime_wheels.py),
  and after it the venv imports the runtime from the repo's ``vendor/`` (through the .pth the
  script wrote) and boto3 at the locked version; no PYTHONPATH, so a step needing anything else
  fails. ``python`` is a thin shim over the venv's for one reason: a ``python -m pip`` call without
  ``--require-hashes`` (the Lambda package build's, ``scripts/package.sh`` installing
  requirements.txt for the Lambda platform, which needs an index) is a logged no-op, so the
  package holds ``src/`` alone (nothing here runs the Lambda). Every hash-locked pip call runs.
- ``aws-actions/configure-aws-credentials``: ``sts:AssumeRole`` of ``role-to-assume`` (the
  ``AWS_ROLE_ARN`` secret, i.e. the rendered repo's deploy role ARN) against moto.
- ``hashicorp/setup-terraform``: a ``terraform`` on PATH that plans nothing and, on apply, does
  what this service's Terraform does to code: ``update-function-code`` with ``dist/lambda.zip``.
- API Gateway: a local HTTP server that answers like an empty service (404 reads, 400 writes).
- ``gh release download`` (promote-sit.yml's scripts/release-asset.sh): the release's assets, as
  the Release job of deploy-dev.yml leaves them (the DEV package and its ``sha256sum`` line), from
  a folder; the tag is a real git tag on the rendered repo's commit.

AWS resources Terraform would have created exist first (functions with ``live`` on version 1,
the service's tables; the account's deployment-records table and SNS topic). Assertions read
AWS back with plain boto3: a new version of every function holds the package, ``live`` moved to
it, the deployment record carries the package digest, and the SNS topic got the outcome.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from bbws_scaffold.render.new import render
from tests import yamlio
from tests.gitrepo import commit_all, git
from tests.paths import CATALOGUE_LLD, corpus_llds, example_llds
from tests.render.specs import load_spec
from tests.runtime_wheels import assert_runtime_installed, make_venv, offline_pip

pytestmark = pytest.mark.e2e

SHA = "0123456789abcdef0123456789abcdef01234567"
ENV = "dev"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# `if:` conditions of the deploy job, and what they are on a run where every step succeeds
CONDITIONS = {"always() && steps.validate-account.outcome == 'success'": True}
# the actions a step may use, and the stand-in for each (see the module docstring)
ACTIONS = {
    "actions/checkout",
    "actions/setup-python",
    "hashicorp/setup-terraform",
    "aws-actions/configure-aws-credentials",
    "actions/upload-artifact",
}
# the runner's own tools: the `terraform` and `gh` stand-ins (see _tools); `python` comes with
# actions/setup-python (see _setup_python)
PYTHON_SHIM = """#!/bin/sh
# actions/setup-python stand-in: the venv's python; a pip call without --require-hashes is a no-op
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  case " $* " in
    *" --require-hashes "*) ;;
    *) printf '%s\\n' "$*" >>"LOG"; echo "test runner: pip stand-in, not run ($*)" >&2; exit 0 ;;
  esac
fi
exec "VENV/bin/python" "$@"
"""

FAKE_TERRAFORM = r"""
import json, os, pathlib, sys
import boto3

args = sys.argv[1:]
log = pathlib.Path(os.environ["FAKE_TF_LOG"])
with log.open("a") as fh:
    fh.write(json.dumps(args) + "\n")
if args and args[0].startswith("-chdir="):
    os.chdir(args.pop(0)[len("-chdir="):])
cmd = args[0]
if cmd == "init":
    sys.exit(0)
if cmd == "plan":
    out = next(a[len("-out="):] for a in args if a.startswith("-out="))
    var_file = next(a[len("-var-file="):] for a in args if a.startswith("-var-file="))
    env = pathlib.Path(var_file).stem
    pathlib.Path(out).write_text(json.dumps({"env": env}))
    sys.exit(0)
if cmd == "show":
    plan = json.loads(pathlib.Path(args[-1]).read_text())
    change = {"actions": ["update"]}
    changes = [{"address": "aws_lambda_function.this", "type": "aws_lambda_function", "change": change}]
    print(json.dumps({"plan": plan, "resource_changes": changes}))
    sys.exit(0)
if cmd == "apply":
    env = json.loads(pathlib.Path(args[-1]).read_text())["env"]
    service = json.loads(pathlib.Path("../deploy/service.json").read_text())
    code = pathlib.Path(os.environ["FAKE_TF_PACKAGE"]).read_bytes()
    lam = boto3.client("lambda")
    for f in service["functions"]:
        lam.update_function_code(FunctionName=f["name"].replace("{env}", env), ZipFile=code)
    sys.exit(0)
if cmd == "output":
    print(json.dumps({"api_url": {"value": os.environ["FAKE_API_URL"], "type": "string", "sensitive": False}}))
    sys.exit(0)
sys.exit(f"fake terraform: unexpected command {args}")
"""


FAKE_GH = r"""
import pathlib, shutil, sys

args = sys.argv[1:]
assert args[:2] == ["release", "download"], args
tag, rest = args[2], args[3:]
patterns = [rest[i + 1] for i, a in enumerate(rest) if a == "--pattern"]
target = pathlib.Path(rest[rest.index("--dir") + 1])
target.mkdir(parents=True, exist_ok=True)
for name in patterns:
    shutil.copy(pathlib.Path(RELEASES) / tag / name, target / name)
"""


def substitute(text: str, values: dict[str, str], where: str) -> str:
    """``text`` with every ``${{ expr }}`` replaced from ``values``; an unknown one fails the test."""

    def one(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            pytest.fail(f"{where}: unknown expression ${{{{ {m.group(1)} }}}} (add it to the test's table)")
        return values[m.group(1)]

    return EXPRESSION.sub(one, text)


class _Api(BaseHTTPRequestHandler):
    calls: list[tuple[str, str]] = []

    def _answer(self) -> None:
        self.calls.append((self.command, self.path))
        status = 400 if self.command in ("POST", "PUT", "PATCH") else 404
        body = json.dumps({"message": "not found" if status == 404 else "bad request"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    _Api.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{ENV}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("deploy-path"))


def _zip(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("src/handler.py", f"def handler(event, context):\n    return {text!r}\n")
    return buf.getvalue()


def _what_bootstrap_and_terraform_made(
    session: boto3.session.Session, env_name: str, env: dict[str, Any], service: dict[str, Any]
) -> str:
    """The account's resources (records table, topic) and the service's (functions with `live` on
    version 1, tables); returns the URL of an SQS queue subscribed to the topic."""
    iam, lam, ddb = session.client("iam"), session.client("lambda"), session.client("dynamodb")
    role_name = f"bbws-{service['service']}-lambda-{env_name}"
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for f in service["functions"]:
        name = f["name"].replace("{env}", env_name)
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="src.handler.handler",
            Code={"ZipFile": _zip("v1")},
        )
        lam.create_alias(
            FunctionName=name, Name="live", FunctionVersion=lam.publish_version(FunctionName=name)["Version"]
        )
    for t in service["tables"]:
        ddb.create_table(
            TableName=t["name"].replace("{env}", env_name),
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    ddb.create_table(
        TableName=env["deployments_table"],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    topic_name = env["sns_topic_arn"].rsplit(":", 1)[-1]
    topic = session.client("sns").create_topic(Name=topic_name)["TopicArn"]
    assert topic == env["sns_topic_arn"]
    sqs = session.client("sqs")
    queue = sqs.create_queue(QueueName="deployment-outcomes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    session.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return queue


def _tools(bin_dir: Path, releases: Path) -> None:
    """``terraform`` and ``gh`` (``release download TAG --pattern P... --dir D``: the release's
    assets from ``releases``)."""
    bin_dir.mkdir()
    tf = bin_dir / "terraform"
    tf.write_text(f"#!{sys.executable}\n{FAKE_TERRAFORM}")
    gh = bin_dir / "gh"
    gh.write_text(f"#!{sys.executable}\n{FAKE_GH.replace('RELEASES', repr(str(releases)))}")
    for tool in (tf, gh):
        tool.chmod(0o755)


class Runner:
    """Runs one job of a generated workflow the way a GitHub runner does (see the module docstring)."""

    def __init__(self, repo: Path, tmp_path: Path, api: str, values: dict[str, str]) -> None:
        self.repo, self.values = repo, dict(values)
        self.root = boto3.session.Session(region_name="eu-west-1")
        bin_dir = tmp_path / "bin"
        if not bin_dir.exists():
            _tools(bin_dir, tmp_path / "releases")
        self.tmp_path = tmp_path
        self.venv = tmp_path / "setup-python" / "venv"
        self.pip_standins = tmp_path / "setup-python" / "pip-standins.log"
        self.tf_log = tmp_path / "terraform.log"
        drop = ("GITHUB_", "AWS_", "PYTHON", "BBWS_", "GH_", "PIP_", "VIRTUAL_ENV")
        self.base_env = (
            {k: v for k, v in os.environ.items() if not k.startswith(drop)}
            | offline_pip()
            | {
                "PATH": f"{bin_dir}:{os.environ['PATH']}",
                "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
                "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                "CI": "true",
                "FAKE_TF_LOG": str(self.tf_log),
                "FAKE_TF_PACKAGE": str(repo / "dist" / "lambda.zip"),
                "FAKE_API_URL": api,
            }
        )

    def run_job(self, workflow: str, job_name: str, github: dict[str, str]) -> list[str]:
        """Run ``job_name`` of ``.github/workflows/<workflow>``; returns the scripts it ran."""
        doc = yamlio.load((self.repo / ".github" / "workflows" / workflow).read_text(encoding="utf-8"))
        job = doc["jobs"][job_name]
        values = dict(self.values)
        run_env = self.base_env | github
        ran: list[str] = []
        for i, step in enumerate(job["steps"]):
            where = f"{workflow} step {i} ({step.get('name') or step.get('uses')})"
            if "if" in step:
                assert step["if"] in CONDITIONS, f"{where}: unknown condition {step['if']!r}"
                if not CONDITIONS[step["if"]]:
                    continue
            if "uses" in step:
                self._action(step, values, run_env, where)
                continue
            script = substitute(step["run"], values, where)
            step_env = {k: substitute(str(v), values, where) for k, v in (step.get("env") or {}).items()}
            outputs = self.repo.parent / f"github-output-{job_name}-{i}"
            outputs.write_text("")
            res = subprocess.run(
                ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
                cwd=self.repo,
                env=run_env | step_env | {"GITHUB_OUTPUT": str(outputs)},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert res.returncode == 0, f"{where}: {script!r} exited {res.returncode}\n{res.stdout}\n{res.stderr}"
            if "id" in step:  # what later steps read as steps.<id>.outputs.<name>
                for line in outputs.read_text().splitlines():
                    key, _, value = line.partition("=")
                    values[f"steps.{step['id']}.outputs.{key}"] = value
            if script.strip() == "scripts/install-runtime.sh":
                assert_runtime_installed(self.repo, self.venv, run_env, cwd=self.tmp_path)
            ran.append(script.strip())
        return ran

    def _setup_python(self, run_env: dict[str, str]) -> None:
        """actions/setup-python: this Runner's virtualenv (made on first use), first on PATH."""
        shim_dir = self.venv.parent / "bin"
        if not self.venv.exists():
            make_venv(self.venv)
            shim_dir.mkdir()
            shim = PYTHON_SHIM.replace("LOG", str(self.pip_standins)).replace("VENV", str(self.venv))
            (shim_dir / "python").write_text(shim)
            (shim_dir / "python").chmod(0o755)
            self.pip_standins.write_text("")
        run_env["PATH"] = f"{shim_dir}{os.pathsep}{self.venv / 'bin'}{os.pathsep}{run_env['PATH']}"

    def _action(self, step: dict[str, Any], values: dict[str, str], run_env: dict[str, str], where: str) -> None:
        action = step["uses"].split("@", 1)[0]
        assert action in ACTIONS, f"{where}: no stand-in for {action}"
        with_ = {k: substitute(str(v), values, where) for k, v in (step.get("with") or {}).items()}
        if action == "aws-actions/configure-aws-credentials":
            c = self.root.client("sts").assume_role(
                RoleArn=with_["role-to-assume"], RoleSessionName=with_["role-session-name"]
            )["Credentials"]
            run_env.update(
                AWS_ACCESS_KEY_ID=c["AccessKeyId"],
                AWS_SECRET_ACCESS_KEY=c["SecretAccessKey"],
                AWS_SESSION_TOKEN=c["SessionToken"],
                AWS_REGION=with_["aws-region"],
                AWS_DEFAULT_REGION=with_["aws-region"],
            )
        elif action == "actions/setup-python":
            self._setup_python(run_env)
        elif action == "actions/upload-artifact":
            assert (self.repo / with_["path"]).is_file(), f"{where}: nothing to upload at {with_['path']}"
        elif action == "actions/checkout" and "ref" in with_:
            assert git(self.repo, "rev-parse", with_["ref"] + "^{commit}").strip(), where


def _session_in(root: boto3.session.Session, env: dict[str, Any]) -> boto3.session.Session:
    """A session in ``env``'s account (moto maps an assumed role's credentials to its account)."""
    c = root.client("sts").assume_role(RoleArn=env["deploy_role_arn"], RoleSessionName="fixture")["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
        region_name=env["region"],
    )


def _github(sha: str, repository: str = "BigBeardWebSolutions/2_bbws_catalogue_lambda") -> dict[str, str]:
    """GitHub's default variables of a run on main of ``repository`` at ``sha``."""
    return {
        "GITHUB_SHA": sha,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_REPOSITORY": repository,
        "GITHUB_SERVER_URL": "https://github.com",
    }


def _assert_deployed(
    session: boto3.session.Session,
    env_name: str,
    env: dict[str, Any],
    service: dict[str, Any],
    package: bytes,
    sha: str,
    queue: str,
    action: str,
) -> None:
    """AWS, read back with plain boto3: live on a new version holding ``package``; a succeeded
    record of ``sha`` with the package digest; the outcome on the topic."""
    code_sha = base64.b64encode(hashlib.sha256(package).digest()).decode()
    lam = session.client("lambda")
    for f in service["functions"]:
        name = f["name"].replace("{env}", env_name)
        alias = lam.get_alias(FunctionName=name, Name="live")
        assert alias["FunctionVersion"] not in ("$LATEST", "1"), (name, alias)
        assert not (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights"), alias  # all traffic moved
        version = lam.get_function(FunctionName=name, Qualifier=alias["FunctionVersion"])["Configuration"]
        assert version["CodeSha256"] == code_sha, name  # live runs exactly the package built
    items = session.client("dynamodb").scan(TableName=env["deployments_table"])["Items"]
    pk = f"{service['service']}#{env_name}"
    records = [i for i in items if i["pk"]["S"] == pk and i.get("action", {}).get("S") == action]
    digest = "sha256:" + hashlib.sha256(package).hexdigest()
    done = [r for r in records if "succeeded" in json.dumps(r)]
    assert done and all(digest in json.dumps(r) and sha in json.dumps(r) for r in done), records
    messages = session.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    bodies = [json.loads(m["Body"]) for m in messages.get("Messages", [])]
    assert any(b.get("TopicArn") == env["sns_topic_arn"] and sha in b.get("Message", "") for b in bodies), bodies


def _copy(rendered: Path, tmp_path: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """A fresh copy of the rendered repo, with its environments and service descriptions."""
    repo = tmp_path / "repo"
    shutil.copytree(rendered, repo)
    envs = json.loads((repo / "deploy" / "environments.json").read_text())["environments"]
    return repo, envs, json.loads((repo / "deploy" / "service.json").read_text())


@pytest.mark.parametrize("lld", [*corpus_llds(), *example_llds()], ids=lambda p: p.name.split("_LLD")[0])
def test_deploy_dev_workflow_deploys_records_and_notifies(
    aws, lld: Path, api: str, tmp_path: Path
) -> None:  # noqa: ANN001
    """For every corpus and example LLD: its repo's deploy-dev job deploys, records and notifies."""
    spec = load_spec(lld)
    repo, envs, service = _copy(render(spec, tmp_path / "out"), tmp_path)
    env = envs[ENV]
    # the secret `repo secrets` publishes for this environment: the repo's own deploy role
    assert env["deploy_role_arn"] == f"arn:aws:iam::{env['account_id']}:role/bbws-{service['service']}-deploy"
    values = {"github.sha": SHA, "job.status": "success", "secrets.AWS_ROLE_ARN": env["deploy_role_arn"]}
    runner = Runner(repo, tmp_path, api, values)
    account = _session_in(runner.root, env)
    queue = _what_bootstrap_and_terraform_made(account, ENV, env, service)

    ran = runner.run_job(f"deploy-{ENV}.yml", "deploy", _github(SHA, f"BigBeardWebSolutions/{spec.repo}"))
    assert any(s.startswith("scripts/deploy.sh") for s in ran) and any("notify" in s for s in ran), ran
    assert "scripts/install-runtime.sh" in ran, ran
    # the one pip call left to a stand-in: the Lambda package build (requirements.txt needs an index)
    standins = runner.pip_standins.read_text().splitlines()
    assert len(standins) == 1 and "--target build/package" in standins[0], standins

    package = (repo / "dist" / "lambda.zip").read_bytes()
    _assert_deployed(account, ENV, env, service, package, SHA, queue, "deploy")
    tf_calls = [
        next(a for a in json.loads(line) if not a.startswith("-chdir="))
        for line in runner.tf_log.read_text().splitlines()
    ]
    assert tf_calls[:2] == ["init", "plan"] and "apply" in tf_calls
    smoked = {m for m, _ in _Api.calls}
    # smoke called the stage (when the service has routes: 2.1.14's functions are event-driven),
    # never with a DELETE
    assert bool(smoked) == bool(service["routes"]) and "DELETE" not in smoked
    assert (repo / "build" / "deployment-report.md").is_file()


def test_promote_sit_takes_the_release_dev_recorded(
    aws, rendered: Path, api: str, tmp_path: Path
) -> None:  # noqa: ANN001
    """deploy-dev.yml, then the release (its package as an asset), then promote-sit.yml's steps."""
    repo, envs, service = _copy(rendered, tmp_path)
    sha = commit_all(repo, "feat: initial scaffold from LLD")
    dev, sit = envs["dev"], envs["sit"]
    assert sit["previous"] == "dev"
    base = {"github.sha": sha, "job.status": "success", "github.token": "ghs_test", "inputs.version": "v0.1.0"}
    runner = Runner(repo, tmp_path, api, base | {"secrets.AWS_ROLE_ARN": dev["deploy_role_arn"]})
    dev_account, sit_account = _session_in(runner.root, dev), _session_in(runner.root, sit)
    _what_bootstrap_and_terraform_made(dev_account, "dev", dev, service)
    sit_queue = _what_bootstrap_and_terraform_made(sit_account, "sit", sit, service)
    runner.run_job("deploy-dev.yml", "deploy", _github(sha))

    # the Release job's outcome: tag v0.1.0 on the commit, dist/lambda.zip and its .sha256 as assets
    git(repo, "tag", "v0.1.0")
    released = tmp_path / "releases" / "v0.1.0"
    released.mkdir(parents=True)
    package = (repo / "dist" / "lambda.zip").read_bytes()
    (released / "lambda.zip").write_bytes(package)
    (released / "lambda.zip.sha256").write_text(f"{hashlib.sha256(package).hexdigest()}  lambda.zip\n")
    shutil.rmtree(repo / "dist")  # a fresh runner: only the release asset is there

    runner.values["secrets.AWS_ROLE_ARN"] = sit["deploy_role_arn"]  # the sit environment's secret
    ran = runner.run_job("promote-sit.yml", "deploy", _github(sha))
    assert any(s.startswith("scripts/promote.sh") for s in ran), ran
    # promote-sit.yml builds nothing: its only pip call is install-runtime.sh's, run for real
    assert "scripts/install-runtime.sh" in ran and len(runner.pip_standins.read_text().splitlines()) == 1, ran
    _assert_deployed(sit_account, "sit", sit, service, package, sha, sit_queue, "promote")
