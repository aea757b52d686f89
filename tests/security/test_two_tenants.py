"""Tenant isolation and the LLD's roles, end to end: a rendered repo's handlers, the platform's
auth layer attached (a fake with its contract), DynamoDB on moto's server.

The repo is rendered from the corpus LLD 2.6 WordPress Site Management, whose site endpoints are
``/v1.0/tenants/{tenantId}/sites[/{siteId}]`` with the ``Auth Roles`` ``Admin, User, Viewer`` to
read and ``Admin, Owner`` to update (§ the endpoint tables), and whose RBAC table (§10.2) gives
staff "Full Cross-Tenant" access. The fake layer (``bbws_auth``: ``PermissionResolver.resolve``
giving a ``TenantContext``, ``AuthError`` with ``status_code``, as in
BigBeardWebSolutions/2_bbws_auth_layer) resolves roles from its own table, never DynamoDB: a
caller it knows passing proves the handlers asked the layer, not a lookup of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bbws_scaffold.lld.parser import parse_file
from tests.aws_server import AwsServer, aws  # noqa: F401 (fixture)
from tests.paths import CORPUS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="the LLD corpus is not beside the checkout"),
]

LLD = CORPUS / "2.6_LLD_WordPress_Site_Management.md"
LIST, ITEM = "/v1.0/tenants/{tenantId}/sites", "/v1.0/tenants/{tenantId}/sites/{siteId}"
OPERATION = "/v1.0/operations/{operationId}"  # its key TENANT#{tenantId} / OP#{operationId}: the caller's tenant

FAKE_LAYER = '''
"""A fake of the platform's bbws_auth layer: its contract, roles from FAKE_LAYER_ROLES."""
import json, os


class AuthError(Exception):
    status_code = 500

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UnauthorizedError(AuthError):
    status_code = 401


class ForbiddenError(AuthError):
    status_code = 403


class TenantContext:
    def __init__(self, user_sub, email, user_type, tenant_id, role, effective_permissions):
        self.user_sub, self.email, self.user_type = user_sub, email, user_type
        self.tenant_id, self.role, self.effective_permissions = tenant_id, role, effective_permissions


PLATFORM = {"platform-admin": frozenset({"tenant:read", "tenant:edit"}), "platform-viewer": frozenset({"tenant:read"})}


class PermissionResolver:
    def __init__(self, table_name="tenants"):
        self.table_name = table_name

    def resolve(self, event):
        claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims")
        with open(os.environ["FAKE_LAYER_LOG"], "a") as log:
            log.write(json.dumps({"table": self.table_name, "sub": (claims or {}).get("sub")}) + "\\n")
        if not claims:
            raise UnauthorizedError("No JWT claims found in event")
        if claims.get("custom:user_type") == "platform":
            group = next(g for g in claims.get("cognito:groups", "").split(",") if g in PLATFORM)
            return TenantContext(claims["sub"], "", "platform", None, group, PLATFORM[group])
        tenant = claims.get("custom:tenant_id")
        role = json.loads(os.environ["FAKE_LAYER_ROLES"]).get(f"{tenant}/{claims['sub']}")
        if role is None:
            raise ForbiddenError("No role assignment found")
        return TenantContext(claims["sub"], "", "tenant", tenant, role, frozenset())
'''

DRIVER = '''
"""Seed one site per tenant, then make each call of CALLS; print status and body per call."""
import importlib, json, os, sys

import boto3

from tests.conftest import TABLE_NAMES, TABLES, FakeLambdaContext
from tests.events import PLATFORM_ADMIN, api_event, tenant_user
from tests.factories import operation_factory, site_factory
from src.repositories.operation_repository import OperationRepository
from src.repositories.site_repository import SiteRepository

os.environ.update(TABLE_NAMES)
dynamodb = boto3.resource("dynamodb", region_name="eu-west-1")
for table in TABLES:
    dynamodb.create_table(**table)
repository = SiteRepository()
for tenant in ("tenant-a", "tenant-b"):
    repository.create(site_factory(tenant_id=tenant, site_id="site-of-" + tenant))
    OperationRepository().create(operation_factory(tenant_id=tenant, operation_id="op-of-" + tenant))

spec = json.loads(sys.argv[1])
out = []
for call in spec["calls"]:
    who = call["who"]
    if who is None:
        claims = None
    elif who.startswith("platform-"):
        claims = dict(PLATFORM_ADMIN, sub=who, **{"cognito:groups": who})
    else:
        tenant, sub = who.split("/")
        claims = tenant_user(tenant, sub)
    module = importlib.import_module("src.handlers." + spec["handlers"][call["method"] + " " + call["path"]])
    event = api_event(call["method"], call["path"], call["params"], body=call.get("body"), claims=claims)
    response = module.handler(event, FakeLambdaContext())
    out.append({"status": response["statusCode"], "body": json.loads(response["body"] or "null"),
                "cors": response["headers"].get("Access-Control-Allow-Origin")})
print(json.dumps(out))
'''

ROLES = {
    "tenant-a/admin-a": "CUSTOMER_ADMIN",
    "tenant-a/viewer-a": "CUSTOMER_VIEWER",
    "tenant-b/admin-b": "CUSTOMER_ADMIN",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    out = tmp_path_factory.mktemp("render")
    subprocess.run(
        [sys.executable, "-m", "bbws_scaffold", "new", "--lld", str(LLD), "--output", str(out)],
        check=True,
        capture_output=True,
    )
    spec = parse_file(LLD)
    handlers = {f"{e.method} {e.path}": e.handler for e in spec.endpoints if e.path in (LIST, ITEM, OPERATION)}
    return next(p for p in out.iterdir() if p.is_dir()), handlers


def _run(repo: tuple[Path, dict[str, str]], tmp_path: Path, calls: list[dict]) -> list[dict]:
    root, handlers = repo
    layer = tmp_path / "layer" / "bbws_auth"
    layer.mkdir(parents=True)
    (layer / "__init__.py").write_text(textwrap.dedent(FAKE_LAYER))
    driver = tmp_path / "driver.py"
    driver.write_text(textwrap.dedent(DRIVER))
    env = dict(os.environ)
    env.update(
        PYTHONPATH=f"{root}{os.pathsep}{layer.parent}",
        FAKE_LAYER_ROLES=json.dumps(ROLES),
        FAKE_LAYER_LOG=str(tmp_path / "layer.log"),
        AWS_DEFAULT_REGION="eu-west-1",
        SITES_TABLE_NAME="test-sites",
    )
    done = subprocess.run(
        [sys.executable, str(driver), json.dumps({"handlers": handlers, "calls": calls})],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _call(method: str, path: str, tenant: str, who: str | None, body: dict | None = None) -> dict:
    params = {"tenantId": tenant} | ({"siteId": "site-of-" + tenant} if path == ITEM else {})
    if path == OPERATION:  # no tenant in the path: the operation of that tenant, by its id
        params = {"operationId": "op-of-" + tenant}
    return {"method": method, "path": path, "params": params, "who": who, "body": body}


def test_isolation_and_roles_hold_for_two_tenants_and_staff(
    repo: tuple[Path, dict[str, str]], tmp_path: Path, aws: AwsServer  # noqa: F811
) -> None:
    calls = [
        _call("GET", LIST, "tenant-a", "tenant-a/admin-a"),  # 0: own list
        _call("GET", LIST, "tenant-b", "tenant-a/admin-a"),  # 1: another tenant's list
        _call("GET", ITEM, "tenant-b", "tenant-a/admin-a"),  # 2: another tenant's site
        _call("GET", ITEM, "tenant-a", "tenant-a/viewer-a"),  # 3: Viewer may read
        _call("PUT", ITEM, "tenant-a", "tenant-a/viewer-a", {"siteName": "x"}),  # 4: Viewer may not update
        _call("GET", ITEM, "tenant-a", "tenant-b/admin-b"),  # 5: B's admin on A's site
        _call("GET", ITEM, "tenant-b", "platform-viewer"),  # 6: staff read any tenant
        _call("PUT", ITEM, "tenant-b", "platform-viewer", {"siteName": "x"}),  # 7: a viewer does not write
        _call("GET", ITEM, "tenant-a", "tenant-c/nobody"),  # 8: no role in any tenant
        _call("GET", ITEM, "tenant-a", None),  # 9: anonymous
        _call("GET", OPERATION, "tenant-a", "tenant-a/admin-a"),  # 10: own operation, tenant from the caller
        _call("GET", OPERATION, "tenant-b", "tenant-a/admin-a"),  # 11: B's operation id, asked by A
        _call("GET", OPERATION, "tenant-a", "platform-viewer"),  # 12: staff belong to no tenant
    ]
    r = _run(repo, tmp_path, calls)
    assert r[0]["status"] == 200
    listed = json.dumps(r[0]["body"])
    assert "site-of-tenant-a" in listed and "site-of-tenant-b" not in listed
    assert [r[i]["status"] for i in (1, 2)] == [403, 403]
    assert r[3]["status"] == 200 and "site-of-tenant-a" in json.dumps(r[3]["body"])
    assert r[4]["status"] == 403
    assert r[5]["status"] == 403
    assert r[6]["status"] == 200 and "site-of-tenant-b" in json.dumps(r[6]["body"])
    assert r[7]["status"] == 403
    assert r[8]["status"] == 403
    assert r[9]["status"] == 401
    assert r[10]["status"] == 200 and "op-of-tenant-a" in json.dumps(r[10]["body"])
    # A's key is built with A's tenant: B's operation does not exist for A (404, never B's data)
    assert r[11]["status"] == 404 and "op-of-tenant-b" not in json.dumps(r[11]["body"])
    assert r[12]["status"] == 403
    assert all(x["cors"] for x in r), "every answer, refusals too, carries CORS"
    # every role-checked call went through the layer, with the tenants table configured (TENANTS_TABLE)
    log = [json.loads(line) for line in (tmp_path / "layer.log").read_text().splitlines()]
    assert len(log) == len(calls) and {e["table"] for e in log} == {"test-tenants"}
