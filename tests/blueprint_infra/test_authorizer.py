"""The API's Cognito authorizer in every environment, and the optional auth layer.

Expectations come from the task's rules, not from the templates: the LLD's crud spec marks its
GET endpoints public (``auth="public"``) and the rest Cognito; API Gateway applies a
``cognito_user_pools`` authorizer to a method whose OpenAPI ``security`` names that scheme, and
none to a method with ``security = []``; the pool ARN is the configured one, else the value of
the environment's SSM parameter (default ``/kimmy-ai/<env>/cognito/user-pool-arn``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from bbws_scaffold.config.environments import resolve_environments
from tests import yamlio
from tests.blueprint_infra.render import render_infra
from tests.blueprint_infra.specs import crud_spec
from tests.paths import ROOT

ENVS = ("dev", "sit", "prod")
PROD_POOL = "arn:aws:cognito-idp:af-south-1:093646564004:userpool/af-south-1_AbC123"


def _environments(**prod: Any) -> dict[str, Any]:
    src = yamlio.load((ROOT / "bbws_scaffold" / "data" / "environments.yaml").read_text(encoding="utf-8"))
    src["environments"]["prod"].update(prod)
    return resolve_environments(src)


@pytest.fixture(scope="module")
def default_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_infra(crud_spec(), tmp_path_factory.mktemp("auth-default") / "repo")


@pytest.fixture(scope="module")
def configured_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    envs = _environments(cognito_user_pool_arn=PROD_POOL, attach_auth_layer=True)
    return render_infra(crud_spec(), tmp_path_factory.mktemp("auth-configured") / "repo", environments=envs)


def unquote(value: Any) -> Any:
    """python-hcl2 keeps a string literal's quotes; drop them (null and booleans stay as they are)."""
    return value[1:-1] if isinstance(value, str) and len(value) > 1 and value[0] == value[-1] == '"' else value


def tfvars(repo: Path, env: str) -> dict[str, Any]:
    return {k: unquote(v) for k, v in _tfvars(repo, env).items()}


def _tfvars(repo: Path, env: str) -> dict[str, Any]:
    return hcl2.loads((repo / "terraform" / "environments" / f"{env}.tfvars").read_text(encoding="utf-8"))


def tf(repo: Path, name: str) -> dict[str, Any]:
    return hcl2.loads((repo / "terraform" / name).read_text(encoding="utf-8"))


def block(doc: dict[str, Any], section: str, kind: str, name: str) -> dict[str, Any]:
    for entry in doc.get(section, []):
        if kind in entry and name in entry[kind]:
            return entry[kind][name]
        if f'"{kind}"' in entry and f'"{name}"' in entry[f'"{kind}"']:
            return entry[f'"{kind}"'][f'"{name}"']
    raise AssertionError(f"no {section} {kind}.{name}")


def locals_of(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in doc.get("locals", []):
        out.update(entry)
    return out


def _flat(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value))


def test_no_environment_is_without_an_authorizer(default_repo: Path) -> None:
    api = tf(default_repo, "api_gateway.tf")
    loc = locals_of(api)
    routes = loc["api_routes"]
    # the crud spec: GET endpoints public, every other method behind Cognito
    assert routes and all(r["public"] is (r["method"].strip('"').upper() == "GET") for r in routes.values())
    assert any(not r["public"] for r in routes.values())
    # the scheme depends on the routes only, never on an environment's variables
    schemes = _flat(loc["api_security_schemes"])
    assert "var." not in schemes and '"cognito"' in schemes
    body = _flat(loc["openapi"])
    assert re.search(r"security\W+r\.public \? \[\] : \[for name in local\.api_security_schemes", body), body
    assert "local.cognito_user_pool_arn" in body
    # no environment may switch the authorizer off
    text = "\n".join(p.read_text(encoding="utf-8") for p in (default_repo / "terraform").rglob("*.tf*"))
    assert "require_authorizer" not in text
    rest = block(api, "resource", "aws_api_gateway_rest_api", "this")
    assert "precondition" not in _flat(rest.get("lifecycle"))
    for env in ENVS:
        assert "require_authorizer" not in tfvars(default_repo, env)


def test_pool_comes_from_ssm_unless_configured(default_repo: Path, configured_repo: Path) -> None:
    for env in ENVS:
        got = tfvars(default_repo, env)
        assert got["cognito_user_pool_arn"] is None
        assert got["cognito_user_pool_ssm_parameter"] == f"/kimmy-ai/{env}/cognito/user-pool-arn"
    assert tfvars(configured_repo, "prod")["cognito_user_pool_arn"] == PROD_POOL
    assert tfvars(configured_repo, "sit")["cognito_user_pool_arn"] is None

    api = tf(default_repo, "api_gateway.tf")
    data = block(api, "data", "aws_ssm_parameter", "cognito_user_pool_arn")
    assert _flat(data["name"]).strip("${}") == "var.cognito_user_pool_ssm_parameter"
    assert "var.cognito_user_pool_arn == null" in _flat(data["count"])
    arn = _flat(locals_of(api)["cognito_user_pool_arn"])
    assert "var.cognito_user_pool_arn" in arn and "data.aws_ssm_parameter.cognito_user_pool_arn" in arn


def test_a_configured_pool_arn_is_validated(default_repo: Path) -> None:
    doc = tf(default_repo, "variables.tf")
    var = next(v for entry in doc["variable"] for k, v in entry.items() if unquote(k) == "cognito_user_pool_arn")
    assert var["default"] is None
    cond = _flat(var["validation"][0]["condition"])
    pattern = re.search(r'regex\("(.+?)", var', cond)
    assert pattern, cond
    rx = pattern.group(1).replace("\\\\", "\\")
    assert re.fullmatch(rx, PROD_POOL)
    assert not re.fullmatch(rx, "arn:aws:sns:af-south-1:093646564004:topic")
    assert not re.fullmatch(rx, "af-south-1_AbC123")


def test_auth_layer_only_where_configured(default_repo: Path, configured_repo: Path) -> None:
    for env in ENVS:
        got = tfvars(default_repo, env)
        assert got["attach_auth_layer"] is False
        assert got["auth_layer_ssm_parameter"] == f"/kimmy-ai/{env}/bbws-auth/layer-arn"
    assert tfvars(configured_repo, "prod")["attach_auth_layer"] is True
    assert tfvars(configured_repo, "dev")["attach_auth_layer"] is False
    lam = tf(configured_repo, "lambda.tf")
    data = block(lam, "data", "aws_ssm_parameter", "auth_layer_arn")
    assert "var.attach_auth_layer" in _flat(data["count"])
    assert _flat(data["name"]).strip("${}") == "var.auth_layer_ssm_parameter"
    fn = block(lam, "resource", "aws_lambda_function", "this")
    assert "data.aws_ssm_parameter.auth_layer_arn" in _flat(fn["layers"])
