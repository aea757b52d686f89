"""A function that checks the LLD's roles may read the platform's tenants table, and only such a
function: the one GetItem the auth adapter makes (``TENANT#{id}`` / ``USER#{sub}`` and
``ROLE#{name}``, as 2_bbws_auth_layer's PermissionResolver does)."""

from __future__ import annotations

import pytest

from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.plan.infra import infra_answer
from tests.paths import CATALOGUE_LLD, CORPUS

WORDPRESS = CORPUS / "2.6_LLD_WordPress_Site_Management.md"


@pytest.mark.skipif(not WORDPRESS.is_file(), reason="the LLD corpus is not beside the checkout")
def test_only_role_checking_functions_read_the_tenants_table() -> None:
    spec = parse_file(WORDPRESS)
    infra = infra_answer(spec)
    reads = {f["ident"] for f in infra["functions"] if f["reads_tenants"]}
    # 2.6's "Auth Roles" column: POST /v1.0/tenants/{tenantId}/sites is "Admin, User";
    # GET /v1.0/templates is "All authenticated"
    create_site = next(e for e in spec.endpoints if (e.method, e.path) == ("POST", "/v1.0/tenants/{tenantId}/sites"))
    templates = next(e for e in spec.endpoints if (e.method, e.path) == ("GET", "/v1.0/templates"))
    assert create_site.handler in reads and templates.handler not in reads


def test_a_service_without_roles_reads_no_tenants_table() -> None:
    infra = infra_answer(parse_file(CATALOGUE_LLD))
    assert not any(f["reads_tenants"] for f in infra["functions"])
