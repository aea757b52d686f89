"""Who may call each endpoint (``Endpoint.access``), read from what the platform's LLDs write.

Expectations come from the LLDs' own text:

* 2.1.11 Domain, §10.1 Authentication: search, availability and pricing ``None (public)``; register,
  transfer and status ``Cognito JWT``, with an ``Authorization`` column saying who (``Customer or
  Admin role``, ``Customer (own domain) or Admin``); the two webhooks ``HMAC Signature`` (no Cognito
  token: public to API Gateway, the handler checks the signature);
* 2.6 WordPress Site Management, the ``Auth Roles`` column of each endpoint table: ``Admin, User``
  to create a site, ``Admin, Owner`` to update one, ``All authenticated`` for templates;
* 2.1.2 Auth: no auth stated for register, login and password reset, which a caller uses before
  holding any token;
* 2.1.8 Order: ``create_order_public`` is "Create order without tenantId", the public endpoint of
  its v1.4 change log.
"""

from __future__ import annotations

import pytest

from bbws_scaffold.lld.parser import parse_file, parse_text
from bbws_scaffold.model import Endpoint, ServiceSpec
from tests.paths import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the LLD corpus is not beside the checkout")


def _spec(name: str) -> ServiceSpec:
    return parse_file(next(CORPUS.glob(f"{name}_*.md")))


def _ep(spec: ServiceSpec, method: str, path: str) -> Endpoint:
    return next(e for e in spec.endpoints if (e.method, e.path) == (method, path))


def test_domain_security_table() -> None:
    spec = _spec("2.1.11_LLD")
    for path in ("/v1.0/domains/search", "/v1.0/domains/pricing"):
        ep = _ep(spec, "POST" if path.endswith("search") else "GET", path)
        assert ep.access.kind == "public" and ep.access.signature is None
    assert _ep(spec, "GET", "/v1.0/domains/{domain}/availability").access.kind == "public"
    # the Authorization column beside "Cognito JWT" says who: "Customer or Admin role"
    for path in ("/v1.0/domains/register", "/v1.0/domains/transfer"):
        access = _ep(spec, "POST", path).access
        assert (access.kind, access.roles, access.owner) == ("permission", ["Customer", "Admin"], False)
    # "Customer (own domain) or Admin": a customer only for its own domain, a check on the stored
    # item that is not generated, so only Admin passes, and the reader is told at the endpoint
    status = _ep(spec, "GET", "/v1.0/domains/{domain}/status")
    assert (status.access.kind, status.access.roles, status.access.owner) == ("permission", ["Admin"], True)
    assert any(w.line == status.line and "owner" in w.message and "only Admin pass" in w.message for w in spec.warnings)
    for path in ("/v1.0/webhooks/order-paid", "/v1.0/webhooks/transfer-paid"):
        access = _ep(spec, "POST", path).access
        assert access.kind == "public" and access.signature == "HMAC Signature"
        # line 803 "Headers: X-Webhook-Signature"; line 1164 "Webhook Secret | AWS Secrets Manager
        # `/bbws/webhooks/order-service-secret`": what the handler verifies with
        assert access.signature_header == "X-Webhook-Signature"
        assert access.signature_secret == "/bbws/webhooks/order-service-secret"


def test_wordpress_role_columns_and_tenant_paths() -> None:
    spec = _spec("2.6_LLD")
    create = _ep(spec, "POST", "/v1.0/tenants/{tenantId}/sites").access
    assert (create.kind, create.roles, create.owner) == ("permission", ["Admin", "User"], False)
    assert (create.tenant_scope, create.tenant_param) == ("path", "tenant_id")
    update = _ep(spec, "PUT", "/v1.0/tenants/{tenantId}/sites/{siteId}").access
    assert (update.kind, update.roles, update.owner) == ("permission", ["Admin"], True)
    assert _ep(spec, "GET", "/v1.0/tenants/{tenantId}/sites").access.roles == ["Admin", "User", "Viewer"]
    templates = _ep(spec, "GET", "/v1.0/templates").access
    assert (templates.kind, templates.tenant_scope) == ("authenticated", "none")
    # the owner alternative is not generated, and the LLD's reader is told at the endpoint's line
    ep = _ep(spec, "PUT", "/v1.0/tenants/{tenantId}/sites/{siteId}")
    warned = [w for w in spec.warnings if w.message.startswith("PUT /v1.0/tenants/{tenantId}/sites/{siteId}: ")]
    assert any("owner" in w.message and "only Admin pass" in w.message and w.line == ep.line for w in warned)


def test_sign_in_steps_are_public_with_a_warning() -> None:
    spec = _spec("2.1.2_LLD")
    for path in ("/v1.0/auth/register", "/v1.0/auth/login", "/v1.0/auth/forgot-password"):
        ep = _ep(spec, "POST", path)
        assert ep.access.kind == "public"
        assert any(w.line == ep.line and "sign-in step" in w.message for w in spec.warnings)


def test_a_function_named_public_is_public_and_silence_is_authenticated() -> None:
    spec = _spec("2.1.8_LLD")
    assert _ep(spec, "POST", "/v1.0/orders").access.kind == "public"
    for_tenant = _ep(spec, "POST", "/v1.0/tenants/{tenantId}/orders")
    assert for_tenant.access.kind == "authenticated" and for_tenant.access.tenant_scope == "path"
    silent = [e for e in spec.endpoints if e.access.kind == "authenticated"]
    # one warning for the document, at the first such endpoint, counting them
    summary = [w for w in spec.warnings if "state no auth" in w.message]
    assert len(summary) == 1 and summary[0].message.startswith(f"{len(silent)} endpoint(s) state no auth")
    assert summary[0].line == min(e.line or 0 for e in silent)


def test_access_survives_the_json_round_trip() -> None:
    spec = _spec("2.6_LLD")
    again = ServiceSpec.model_validate_json(spec.model_dump_json())
    assert [e.access for e in again.endpoints] == [e.access for e in spec.endpoints]


SCAN_LLD = """# 2.9.9 LLD Item Lambda

| Repository | `2_bbws_item_lambda` |
|---|---|

## API Endpoints

| Method | Path | Function | Auth | Description |
|--------|------|----------|------|-------------|
| GET | `/v1.0/items` | list_items | Cognito JWT | List items |
| GET | `/v1.0/items/{itemId}` | get_item | Cognito JWT | Get an item |

## DynamoDB Tables

| Table | Entity | PK | SK |
|-------|--------|----|----|
| items | Item | `ITEM#{itemId}` | `TENANT#{tenantId}` |
"""


def test_a_scan_over_a_tenant_keyed_entity_is_a_stub() -> None:
    spec = parse_text("items.md", SCAN_LLD)
    ep = _ep(spec, "GET", "/v1.0/items")
    assert ep.binding.kind == "stub"
    assert "every tenant's items" in ep.binding.reason and "{tenantId}" in ep.binding.reason


ROLES_LLD = """# 2.9.8 LLD Invoice Lambda

| Repository | `2_bbws_invoice_lambda` |
|---|---|

## API Endpoints

| Method | Path | Function | Description |
|--------|------|----------|-------------|
| GET | `/v1.0/invoices` | list_invoices | List invoices |
| POST | `/v1.0/invoices` | create_invoice | Create an invoice |
| GET | `/v1.0/invoices/rates` | get_rates | Public rates |
| DELETE | `/v1.0/invoices/{invoiceId}` | delete_invoice | Delete an invoice |

## Security

| Endpoint | Auth Required | Roles |
|----------|---------------|-------|
| GET /v1.0/invoices | Yes | All authenticated |
| POST /v1.0/invoices | Yes | Billing, Admin |
| GET /v1.0/invoices/rates | No | - |
| DELETE /v1.0/invoices/{invoiceId} | Yes | Admin only |
"""


def test_a_roles_column_beside_auth_required() -> None:
    """The survey's "Endpoint Pattern | Auth Required | Roles" dialect: the first column says whether a
    token is needed, the second who may call; "No" is no authentication."""
    spec = parse_text("invoices.md", ROLES_LLD)
    assert _ep(spec, "GET", "/v1.0/invoices").access.kind == "authenticated"
    create = _ep(spec, "POST", "/v1.0/invoices").access
    assert (create.kind, create.roles) == ("permission", ["Billing", "Admin"])
    assert _ep(spec, "GET", "/v1.0/invoices/rates").access.kind == "public"
    delete = _ep(spec, "DELETE", "/v1.0/invoices/{invoiceId}").access
    assert (delete.kind, delete.roles) == ("permission", ["Admin"])
