"""``bootstrap``: the account resources and the least-privilege deploy role of a generated repo.

Expectations come from AWS's and GitHub's documented rules: GitHub's OIDC token has
``aud = sts.amazonaws.com`` and ``sub = repo:OWNER/REPO:environment:NAME`` for a job in an
environment; IAM caps a role's inline policies at 10,240 characters; wildcard actions are
what least privilege forbids.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bbws_scaffold.bootstrap import (
    GITHUB_OIDC_HOST,
    MANAGED_POLICIES_PER_ROLE,
    _permissions,
    build_plan,
    deploy_statements,
    terraform_resource_types,
)
from bbws_scaffold.errors import ConfigError
from bbws_scaffold.plan.answers import answers_data
from bbws_scaffold.render.new import render
from tests.paths import CATALOGUE_LLD, corpus_llds, example_llds
from tests.render.specs import load_spec

# actions with no resource-level permission in IAM (the Service Authorization Reference lists no
# resource type for them), each allowed on "*" only for this reason
UNSCOPABLE = {
    "logs:DescribeLogGroups",
    "kms:ListAliases",
    "dynamodb:ListBackups",
    "sns:Unsubscribe",
    "sns:GetSubscriptionAttributes",
    "sns:SetSubscriptionAttributes",
}
ALL_TYPES = set(_permissions()["resources"])


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("out"))


def test_every_resource_type_the_blueprint_manages_has_scoped_permissions(repo: Path) -> None:
    types = terraform_resource_types(repo / "terraform")
    assert {"aws_lambda_function", "aws_dynamodb_table", "aws_api_gateway_rest_api"} <= types
    assert types <= ALL_TYPES


def test_an_unknown_resource_type_is_refused_not_granted(repo: Path) -> None:
    answers = answers_data(load_spec(CATALOGUE_LLD), "BigBeardWebSolutions")
    env = answers["environments"]["envs"]["dev"]
    with pytest.raises(ConfigError, match="aws_rds_cluster"):
        deploy_statements({"aws_rds_cluster"}, answers["infra"], env, answers["environments"], "catalogue")


@pytest.mark.parametrize("lld", example_llds() + corpus_llds(), ids=lambda p: p.stem)
def test_deploy_role_is_least_privilege_and_fits_iam(lld: Path) -> None:
    answers = answers_data(load_spec(lld), "BigBeardWebSolutions")
    for env in answers["environments"]["order"]:
        plan = build_plan(answers, env, ALL_TYPES)  # every type the blueprint can manage: the upper bound
        envs = answers["environments"]["envs"]
        accounts = {envs[env]["account_id"]} | {envs[p]["account_id"] for p in [envs[env]["previous"]] if p}
        for s in plan.deploy_role.statements:
            for action in s.actions:
                assert "*" not in action, (s.sid, action)
            for resource in s.resources:
                assert resource != "*" or set(s.actions) <= UNSCOPABLE or s.condition, (s.sid, s.actions)
                own = any(a in resource for a in accounts) or ":apigateway:" in resource or ":s3:::" in resource
                assert resource == "*" or own, (s.sid, resource)
        docs = plan.deploy_role.policy_documents()
        assert 1 <= len(docs) <= MANAGED_POLICIES_PER_ROLE, f"{lld.name} {env}: {len(docs)} policies"
        for doc in docs:
            text = json.dumps(doc, separators=(",", ":"))
            assert len(text) <= 6144, f"{lld.name} {env}: {len(text)} characters"
            assert '"Action":"*"' not in text and "AdministratorAccess" not in text
        packed = [s for d in docs for s in d["Statement"]]
        granted = {(a, r) for s in packed for a in s["Action"] for r in s["Resource"]}
        assert granted == {(a, r) for s in plan.deploy_role.statements for a in s.actions for r in s.resources}


def test_the_role_trusts_only_this_repo_in_this_environment() -> None:
    answers = answers_data(load_spec(CATALOGUE_LLD), "BigBeardWebSolutions")
    plan = build_plan(answers, "prod", ALL_TYPES)
    (statement,) = plan.deploy_role.trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    account = answers["environments"]["envs"]["prod"]["account_id"]
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"}
    cond = statement["Condition"]["StringEquals"]
    assert cond[f"{GITHUB_OIDC_HOST}:aud"] == "sts.amazonaws.com"
    repo = f"BigBeardWebSolutions/{answers['spec']['repo']}"
    assert cond[f"{GITHUB_OIDC_HOST}:sub"] == [f"repo:{repo}:environment:prod", f"repo:{repo}:environment:prod-hotfix"]
    assert "StringLike" not in statement["Condition"]  # no wildcard subject (branch, pull_request, another env)


def test_a_promotion_target_may_read_the_lower_environment_records_and_nothing_else() -> None:
    answers = answers_data(load_spec(CATALOGUE_LLD), "BigBeardWebSolutions")
    envs = answers["environments"]["envs"]
    sit = {s.sid: s for s in build_plan(answers, "sit", ALL_TYPES).deploy_role.statements}
    dev = {s.sid: s for s in build_plan(answers, "dev", ALL_TYPES).deploy_role.statements}
    assert sit["ReadPreviousEnvironmentRecords"].resources == [envs["dev"]["records_reader_role_arn"]]
    assert "ReadPreviousEnvironmentRecords" not in dev  # DEV is first: nothing to read


def test_dry_run_lists_every_account_resource(repo: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "bbws_scaffold.cli", "bootstrap", str(repo), "--env", "dev", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for needle in [
        "s3-bucket          bbws-terraform-state-dev",
        "dynamodb-table     bbws-terraform-locks-dev",
        f"iam-oidc-provider  https://{GITHUB_OIDC_HOST}",
        "dynamodb-table     bbws-deployments",
        "role/bbws-deployments-reader",
        "sns-topic          arn:aws:sns:",
        "role/bbws-apigateway-cloudwatch",
        "deploy role arn:aws:iam::",
        "aws:SecureTransport = false",
    ]:
        assert needle in out, needle
    assert re.search(r"trusted only by: repo:\S+:environment:dev\b", out)
    # the stage logs only through this role: the plan says the switch needs it, and where it stands
    role = out[out.index("role/bbws-apigateway-cloudwatch") :].split("\n  iam-role", 1)[0]
    assert "required_by: api_gateway_account_logging: true" in role
    assert "path=/cloudwatchRoleArn" in role
    assert "api_gateway_account_logging: false for dev" in role


def test_without_a_mode_nothing_happens_and_it_says_so(repo: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "bbws_scaffold.cli", "bootstrap", str(repo), "--env", "dev"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "pass --dry-run" in res.stderr and "--terraform DIR" in res.stderr


def test_the_role_may_read_exactly_the_ssm_parameters_terraform_reads() -> None:
    """Terraform's aws_ssm_parameter data source calls ssm:GetParameter; a parameter's ARN is
    ``arn:aws:ssm:REGION:ACCOUNT:parameter`` followed by its name (which starts with '/')."""
    answers = answers_data(load_spec(CATALOGUE_LLD), "BigBeardWebSolutions")
    prod = answers["environments"]["envs"]["prod"]
    pool_arn = "arn:aws:ssm:af-south-1:093646564004:parameter/kimmy-ai/prod/cognito/user-pool-arn"
    layer_arn = "arn:aws:ssm:af-south-1:093646564004:parameter/kimmy-ai/prod/bbws-auth/layer-arn"
    got = {s.sid: s for s in build_plan(answers, "prod", ALL_TYPES).deploy_role.statements}
    assert got["CognitoUserPoolParameter"].actions == ["ssm:GetParameter"]
    assert got["CognitoUserPoolParameter"].resources == [pool_arn]
    assert "AuthLayerParameter" not in got  # attach_auth_layer is off by default

    prod["cognito_user_pool_arn"] = "arn:aws:cognito-idp:af-south-1:093646564004:userpool/af-south-1_AbC123"
    prod["attach_auth_layer"] = True
    got = {s.sid: s for s in build_plan(answers, "prod", ALL_TYPES).deploy_role.statements}
    assert "CognitoUserPoolParameter" not in got  # the ARN is configured: no parameter is read
    assert got["AuthLayerParameter"].resources == [layer_arn]
    assert got["AuthLayerVersion"].actions == ["lambda:GetLayerVersion"]
