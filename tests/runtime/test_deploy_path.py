"""The deploy path, end to end: the generated deploy-dev.yml's own steps, run against moto.

One example repo is rendered; its ``.github/workflows/deploy-dev.yml`` is read and the deploy
job's steps are run in order, as a runner would run them (``bash -e -o pipefail``, the step's
``env:``, GitHub's default variables, the working directory at the repository root). Nothing is
re-typed: a ``run:`` step runs its own text, so when the workflow and the runtime drift apart
(a renamed command, a flag the runtime no longer takes, a script that is gone) this test fails.
Every ``${{ ... }}`` expression is substituted from an explicit table, and an unknown one fails.

What the runner gives that this machine lacks stands in, each for one documented job:
- ``actions/*`` setup steps: the repository is already there; ``python`` is this venv's, with the
  repo's vendored runtime first on the path (what ``scripts/install-runtime.sh``'s .pth does) and
  ``pip`` a no-op (no package index is reachable from tests: the Lambda's own dependencies are not
  installed, and nothing here runs them).
- ``aws-actions/configure-aws-credentials``: ``sts:AssumeRole`` of ``role-to-assume`` (the
  ``AWS_ROLE_ARN`` secret, i.e. the rendered repo's deploy role ARN) against moto.
- ``hashicorp/setup-terraform``: a ``terraform`` on PATH that plans nothing and, on apply, does
  what this service's Terraform does to code: ``update-function-code`` with ``dist/lambda.zip``.
- API Gateway: a local HTTP server that answers like an empty service (404 reads, 400 writes).

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
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from bbws_scaffold.render.new import render
from tests import yamlio
from tests.paths import CATALOGUE_LLD
from tests.render.specs import load_spec

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
    session: boto3.session.Session, env: dict[str, Any], service: dict[str, Any]
) -> str:
    """The account's resources (records table, topic) and the service's (functions with `live` on
    version 1, tables); returns the URL of an SQS queue subscribed to the topic."""
    iam, lam, ddb = session.client("iam"), session.client("lambda"), session.client("dynamodb")
    role = iam.create_role(RoleName=f"bbws-catalogue-lambda-{ENV}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for f in service["functions"]:
        name = f["name"].replace("{env}", ENV)
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
            TableName=t["name"].replace("{env}", ENV),
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


def _tools(bin_dir: Path, repo: Path) -> None:
    """``python`` (this venv's, the repo's vendored runtime first, pip a no-op) and ``terraform``."""
    bin_dir.mkdir()
    py = bin_dir / "python"
    py.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "test runner: pip is a no-op ($*)" >&2; exit 0; fi\n'
        f'PYTHONPATH="{repo / "vendor"}" exec "{sys.executable}" "$@"\n'
    )
    tf = bin_dir / "terraform"
    tf.write_text(f"#!{sys.executable}\n{FAKE_TERRAFORM}")
    for tool in (py, tf):
        tool.chmod(0o755)


def test_deploy_dev_workflow_deploys_records_and_notifies(
    aws, rendered: Path, api: str, tmp_path: Path
) -> None:  # noqa: ANN001
    started = time.monotonic()
    repo = tmp_path / "repo"
    shutil.copytree(rendered, repo)
    envs = json.loads((repo / "deploy" / "environments.json").read_text())
    service = json.loads((repo / "deploy" / "service.json").read_text())
    env = envs["environments"][ENV]
    root = boto3.session.Session(region_name=env["region"])
    # the secret `repo secrets` publishes for this environment: the repo's own deploy role
    values = {"github.sha": SHA, "job.status": "success", "secrets.AWS_ROLE_ARN": env["deploy_role_arn"]}
    assert env["deploy_role_arn"] == f"arn:aws:iam::{env['account_id']}:role/bbws-catalogue-deploy"

    creds = root.client("sts").assume_role(RoleArn=env["deploy_role_arn"], RoleSessionName="fixture")["Credentials"]
    account = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=env["region"],
    )
    queue = _what_bootstrap_and_terraform_made(account, env, service)
    names = [f["name"].replace("{env}", ENV) for f in service["functions"]]

    workflow = yamlio.load((repo / ".github" / "workflows" / f"deploy-{ENV}.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["deploy"]
    assert job["environment"] == ENV
    bin_dir = tmp_path / "bin"
    _tools(bin_dir, repo)
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_", "PYTHON", "BBWS_"))} | {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        # GitHub's default variables on a push to main
        "GITHUB_SHA": SHA,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_REPOSITORY": "BigBeardWebSolutions/2_bbws_catalogue_lambda",
        "GITHUB_SERVER_URL": "https://github.com",
        "CI": "true",
        "FAKE_TF_LOG": str(tmp_path / "terraform.log"),
        "FAKE_TF_PACKAGE": str(repo / "dist" / "lambda.zip"),
        "FAKE_API_URL": api,
    }
    ran: list[str] = []
    for i, step in enumerate(job["steps"]):
        where = f"deploy-{ENV}.yml step {i} ({step.get('name') or step.get('uses')})"
        if "if" in step:
            assert step["if"] in CONDITIONS, f"{where}: unknown condition {step['if']!r}"
            if not CONDITIONS[step["if"]]:
                continue
        if "uses" in step:
            action = step["uses"].split("@", 1)[0]
            assert action in ACTIONS, f"{where}: no stand-in for {action}"
            with_ = {k: substitute(str(v), values, where) for k, v in (step.get("with") or {}).items()}
            if action == "aws-actions/configure-aws-credentials":
                c = root.client("sts").assume_role(
                    RoleArn=with_["role-to-assume"], RoleSessionName=with_["role-session-name"]
                )
                run_env.update(
                    AWS_ACCESS_KEY_ID=c["Credentials"]["AccessKeyId"],
                    AWS_SECRET_ACCESS_KEY=c["Credentials"]["SecretAccessKey"],
                    AWS_SESSION_TOKEN=c["Credentials"]["SessionToken"],
                    AWS_REGION=with_["aws-region"],
                    AWS_DEFAULT_REGION=with_["aws-region"],
                )
            elif action == "actions/upload-artifact":
                assert (repo / with_["path"]).is_file(), f"{where}: nothing to upload at {with_['path']}"
            continue
        script = substitute(step["run"], values, where)
        step_env = {k: substitute(str(v), values, where) for k, v in (step.get("env") or {}).items()}
        if script.strip() == "scripts/install-runtime.sh":
            assert (repo / "scripts" / "install-runtime.sh").is_file() and (repo / "vendor" / "bbws_scaffold").is_dir()
            continue  # the `python` stand-in puts vendor/ first on the path, as its .pth does
        res = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
            cwd=repo,
            env=run_env | step_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 0, f"{where}: {script!r} exited {res.returncode}\n{res.stdout}\n{res.stderr}"
        ran.append(script.strip())
    assert any(s.startswith("scripts/deploy.sh") for s in ran) and any("notify" in s for s in ran), ran

    # --- what AWS holds now, read back with plain boto3 ----------------------------------------
    package = (repo / "dist" / "lambda.zip").read_bytes()
    code_sha = base64.b64encode(hashlib.sha256(package).digest()).decode()
    lam = account.client("lambda")
    for name in names:
        alias = lam.get_alias(FunctionName=name, Name="live")
        assert alias["FunctionVersion"] not in ("$LATEST", "1"), (name, alias)
        version = lam.get_function(FunctionName=name, Qualifier=alias["FunctionVersion"])["Configuration"]
        assert version["CodeSha256"] == code_sha, name  # live runs exactly the package built
    tf_calls = [
        next(a for a in json.loads(line) if not a.startswith("-chdir="))
        for line in (tmp_path / "terraform.log").read_text().splitlines()
    ]
    assert tf_calls[:2] == ["init", "plan"] and "apply" in tf_calls

    items = account.client("dynamodb").scan(TableName=env["deployments_table"])["Items"]
    records = [i for i in items if i["pk"]["S"] == f"catalogue#{ENV}"]
    assert records, items
    digest = "sha256:" + hashlib.sha256(package).hexdigest()
    assert any(json.dumps(r).count(digest) and json.dumps(r).count(SHA) for r in records), records
    assert any("succeeded" in json.dumps(r) for r in records), records

    messages = account.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    bodies = [json.loads(m["Body"]) for m in messages.get("Messages", [])]
    assert any(b.get("TopicArn") == env["sns_topic_arn"] and SHA in b.get("Message", "") for b in bodies), bodies

    smoked = {m for m, _ in _Api.calls}
    assert smoked and "DELETE" not in smoked  # smoke called the stage, never a DELETE
    assert (repo / "build" / "deployment-report.md").is_file()
    assert time.monotonic() - started < 60
