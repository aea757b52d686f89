"""Fixtures of the runtime tests: a service repository's deploy/ files and AWS accounts in moto.

Accounts: moto maps credentials from ``sts:AssumeRole`` to the role's account, so each test
gets sessions *in* DEV, SIT and PROD of the default configuration and the runtime's account
guard sees real, different account ids.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from bbws_scaffold.config.environments import environments_answer
from bbws_scaffold.runtime.config import RuntimeConfig, load_config
from bbws_scaffold.runtime.context import RunContext
from bbws_scaffold.runtime.manifest import ServiceManifest, load_manifest
from tests.paths import ROOT

SERVICE = "catalogue"
FUNCTIONS = ["get_product", "create_product"]
DEV, SIT, PROD = "536580886816", "815856636111", "093646564004"
ROUTES = [
    {"method": "GET", "path": "/products", "public": True},
    {"method": "GET", "path": "/products/{productId}", "public": False},
    {"method": "POST", "path": "/products", "public": False},
    {"method": "DELETE", "path": "/products/{productId}", "public": False},
]


def write_repo(root: Path) -> Path:
    """deploy/environments.json and deploy/service.json as a generated repository carries them."""
    answer = environments_answer()
    deploy = root / "deploy"
    deploy.mkdir(parents=True)
    (deploy / "environments.json").write_text(
        json.dumps({"service": SERVICE, "promotion_order": answer["order"], "environments": answer["envs"]}, indent=2)
    )
    (deploy / "service.json").write_text(
        json.dumps(
            {
                "service": SERVICE,
                "functions": [{"ident": f, "name": f"bbws-{SERVICE}-{f.replace('_', '-')}-{{env}}"} for f in FUNCTIONS],
                "tables": [{"ident": "products", "name": "bbws-catalogue-products-{env}"}],
                "routes": ROUTES,
            },
            indent=2,
        )
    )
    return deploy / "environments.json"


def process_env(drop: tuple[str, ...] = ("GITHUB_",), **values: str) -> dict[str, str]:
    """The environment of a ``bbws-runtime`` subprocess: this one's without ``drop`` prefixes, this
    worktree's code first on the path, then ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(PYTHONPATH=str(ROOT), **values)
    return env


def package(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("src/handler.py", f"def handler(event, context):\n    return {text!r}\n")
    return buf.getvalue()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_repo(tmp_path)
    return tmp_path


@pytest.fixture
def cfg(repo: Path) -> RuntimeConfig:
    return load_config(repo / "deploy" / "environments.json")


@pytest.fixture
def manifest(cfg: RuntimeConfig) -> ServiceManifest:
    return load_manifest(cfg)


@pytest.fixture
def run() -> RunContext:
    return RunContext(git_sha="a" * 40, actor="octocat", run_id="4242", run_url="https://github.example/runs/4242")


@dataclass
class Account:
    """One AWS account in moto, with a session and helpers to create what Terraform would."""

    account_id: str
    session: boto3.session.Session
    env: str

    def create_functions(self, code: bytes) -> dict[str, str]:
        """Each function with a `live` alias on version 1 of ``code`` (what Terraform leaves)."""
        iam = self.session.client("iam")
        role = iam.create_role(RoleName=f"lambda-{self.env}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = self.session.client("lambda")
        out = {}
        for f in FUNCTIONS:
            name = f"bbws-{SERVICE}-{f.replace('_', '-')}-{self.env}"
            lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role,
                Handler="src.handler.handler",
                Code={"ZipFile": code},
            )
            version = lam.publish_version(FunctionName=name)["Version"]
            lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
            out[name] = version
        return out

    def update_code(self, code: bytes) -> None:
        """What `terraform apply` does with a new package."""
        lam = self.session.client("lambda")
        for name in self.function_names():
            lam.update_function_code(FunctionName=name, ZipFile=code)

    def function_names(self) -> list[str]:
        return [f"bbws-{SERVICE}-{f.replace('_', '-')}-{self.env}" for f in FUNCTIONS]

    def alias(self, name: str) -> tuple[str, dict[str, float]]:
        a = self.session.client("lambda").get_alias(FunctionName=name, Name="live")
        return a["FunctionVersion"], (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}

    def create_alarms(self) -> None:
        cw = self.session.client("cloudwatch")
        for name in self.function_names():
            cw.put_metric_alarm(
                AlarmName=f"{name}-errors",
                Namespace="AWS/Lambda",
                MetricName="Errors",
                Dimensions=[{"Name": "FunctionName", "Value": name}],
                Statistic="Sum",
                Period=60,
                EvaluationPeriods=1,
                Threshold=0,
                ComparisonOperator="GreaterThanThreshold",
                TreatMissingData="notBreaching",
            )
            cw.set_alarm_state(AlarmName=f"{name}-errors", StateValue="OK", StateReason="test: healthy")


@pytest.fixture
def accounts(aws) -> Callable[[str], Account]:  # noqa: ANN001 - the tests.aws_server fixture
    """``accounts("dev")`` -> an :class:`Account` in DEV's account id and region."""
    answer = environments_answer()["envs"]
    base = boto3.session.Session(region_name="eu-west-1")
    made: dict[str, Account] = {}

    def get(env: str) -> Account:
        if env not in made:
            acct, region = answer[env]["account_id"], answer[env]["region"]
            creds = base.client("sts").assume_role(
                RoleArn=f"arn:aws:iam::{acct}:role/github-actions-deploy", RoleSessionName=f"test-{env}"
            )["Credentials"]
            session = boto3.session.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=region,
            )
            made[env] = Account(acct, session, env)
        return made[env]

    return get
