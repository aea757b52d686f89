"""Which endpoints are idempotent (``Access.idempotent``, ``idempotency_key``) and what that generates.

Expectations come from the LLDs' own text:

* 2.1.11 Domain, line 61 ``| order_paid_webhook | POST /v1.0/webhooks/order-paid | API Gateway | 60s |
  Process payment confirmation and register domain |`` (and 62, transfer-paid): provider webhooks the
  Order Service calls, signed (§10.1 ``HMAC Signature``); a provider retries a webhook, so the same
  event must be processed once (line 1018: "Idempotent webhook processing" is the LLD's mitigation of
  the payment-registration gap). They are keyed on the raw body: the LLD names no idempotency header.
  Its search, register and transfer endpoints are no webhooks and say nothing of idempotency.
* 2.1.8 Order, line 1926: "Idempotency key in API request" is a row of the risk table, no endpoint's
  own text: it makes no endpoint idempotent (words elsewhere never decide an endpoint's contract).
* tiny LLDs written here: an endpoint whose section names the ``Idempotency-Key`` header is keyed on
  it; one that only says "idempotent" is keyed on its body, unless its method is PUT or DELETE, which
  RFC 9110 §9.2.2 already defines as idempotent (a stored answer would hide a write made in between);
  reads never store an answer.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest

from bbws_scaffold.bootstrap import build_plan as bootstrap_plan
from bbws_scaffold.cli import main
from bbws_scaffold.lld.parser import parse_file, parse_text
from bbws_scaffold.model import Endpoint, ServiceSpec
from bbws_scaffold.plan.answers import answers_data
from bbws_scaffold.plan.code import build_plan
from bbws_scaffold.plan.infra import build_infra
from tests.paths import CORPUS

HOOKS = ("/v1.0/webhooks/order-paid", "/v1.0/webhooks/transfer-paid")

corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the LLD corpus is not beside the checkout")


def _corpus(name: str) -> ServiceSpec:
    return parse_file(next(CORPUS.glob(f"{name}_*.md")))


def _ep(spec: ServiceSpec, method: str, path: str) -> Endpoint:
    return next(e for e in spec.endpoints if (e.method, e.path) == (method, path))


@corpus
def test_the_domain_webhooks_are_idempotent_on_their_raw_body() -> None:
    spec = _corpus("2.1.11_LLD")
    for path in HOOKS:
        access = _ep(spec, "POST", path).access
        assert (access.idempotent, access.idempotency_key) == (True, "body")
    others = [e for e in spec.endpoints if e.path not in HOOKS]
    assert {(e.method, e.path) for e in others} >= {
        ("POST", "/v1.0/domains/register"),
        ("GET", "/v1.0/domains/pricing"),
    }
    for e in others:
        assert (e.access.idempotent, e.access.idempotency_key) == (False, None), e.path


@corpus
def test_a_risk_table_row_makes_no_order_endpoint_idempotent() -> None:
    spec = _corpus("2.1.8_LLD")
    assert spec.endpoints
    assert [e.path for e in spec.endpoints if e.access.idempotent] == []


@corpus
def test_the_domain_plan_stores_answers_after_the_signature_check_only_for_the_webhooks() -> None:
    spec = _corpus("2.1.11_LLD")
    plan = build_plan(spec)
    assert plan.idempotent and plan.signed
    routes = {(r.method, r.path): (h, r) for h in plan.handlers for r in h.routes}
    for path in HOOKS:
        handler, route = routes[("POST", path)]
        assert (route.idempotency_key, route.signature_header) == ("body", "X-Webhook-Signature")
        assert handler.idempotent
        assert "from src.utils.idempotency import once" in handler.imports.first
    assert [k for k, (h, r) in routes.items() if r.idempotency_key] == [("POST", p) for p in HOOKS]


@corpus
def test_the_domain_infra_has_one_idempotency_table_used_by_the_webhook_functions_only() -> None:
    spec = _corpus("2.1.11_LLD")
    infra = build_infra(spec, {"order": ["dev", "sit", "prod"]})
    # the LLD declares no table of its own: the store is the only one, named like a service table
    (table,) = infra.tables
    assert infra.idempotency_table == table.ident == "idempotency"
    assert table.name == "bbws-domain-idempotency-${var.environment}"
    assert (table.hash_key, table.range_key, table.ttl) == ("id", None, "expiration")
    assert [(a.name, a.type) for a in table.attributes] == [("id", "S")]
    hooks = {"order_paid_webhook", "transfer_paid_webhook"}
    for f in infra.functions:
        grants = [a for a in f.access if a.table == "idempotency"]
        assert f.idempotent is (f.ident in hooks), f.ident
        if f.ident in hooks:
            # what DynamoDBPersistenceLayer calls: get_item, put_item, update_item, delete_item
            (grant,) = grants
            assert grant.actions == [
                "dynamodb:DeleteItem",
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ]
            assert grant.indexes == []
        else:
            assert grants == [], f.ident


@corpus
def test_the_deploy_role_may_create_the_idempotency_table() -> None:
    answers = answers_data(_corpus("2.1.11_LLD"), "BigBeardWebSolutions")
    plan = bootstrap_plan(answers, "dev", {"aws_dynamodb_table"})
    tables = next(s for s in plan.deploy_role.statements if s.sid == "Tables")
    account, region = plan.account_id, plan.region
    wanted = f"arn:aws:dynamodb:{region}:{account}:table/bbws-domain-idempotency-dev"
    assert "dynamodb:CreateTable" in tables.actions and "dynamodb:UpdateTimeToLive" in tables.actions
    assert any(fnmatch.fnmatchcase(wanted, r) for r in tables.resources), tables.resources


HEAD = """# Payments Lambda - Low-Level Design

**Version**: 1.0
**Component**: Payments Service (2_bbws_payments_lambda)

## 1. Introduction

### 1.3 Lambda Functions

| Function | Endpoint | Description |
|----------|----------|-------------|
| create_payment | POST /v1.0/payments | Create a payment |
| capture_payment | POST /v1.0/payments/{paymentId}/capture | Capture a payment |
| replace_payment | PUT /v1.0/payments/{paymentId} | Replace a payment |
| get_payment | GET /v1.0/payments/{paymentId} | Get a payment |
| refund_payment | POST /v1.0/payments/{paymentId}/refund | Refund a payment |
| payfast_itn | POST /v1.0/payfast/notify | Receive the PayFast ITN |

## 6. Endpoints

### 6.1 POST /v1.0/payments - Create Payment

A client sends an `Idempotency-Key` header; a retry with the same key gets the first answer.

### 6.2 POST /v1.0/payments/{paymentId}/capture - Capture Payment

Capturing is idempotent: capturing twice captures once.

### 6.3 PUT /v1.0/payments/{paymentId} - Replace Payment

The replacement is idempotent.

### 6.4 GET /v1.0/payments/{paymentId} - Get Payment

Reading is idempotent.

### 6.5 POST /v1.0/payments/{paymentId}/refund - Refund Payment

A refund is not idempotent: each call refunds again.

### 6.6 POST /v1.0/payfast/notify - PayFast ITN

The ITN callback from PayFast after a payment.
"""


def _tiny() -> ServiceSpec:
    return parse_text("payments.md", HEAD)


def _key(spec: ServiceSpec, method: str, path: str) -> str | None:
    access = _ep(spec, method, path).access
    assert access.idempotent is (access.idempotency_key is not None)
    return access.idempotency_key


def test_an_idempotency_key_header_in_the_endpoints_text_keys_on_that_header() -> None:
    spec = _tiny()
    assert _key(spec, "POST", "/v1.0/payments") == "Idempotency-Key"
    assert _ep(spec, "POST", "/v1.0/payments").contract.idempotency_header == "Idempotency-Key"


def test_idempotent_in_the_text_keys_a_post_on_its_body_but_not_a_put_or_a_read() -> None:
    spec = _tiny()
    assert _key(spec, "POST", "/v1.0/payments/{paymentId}/capture") == "body"
    assert _key(spec, "PUT", "/v1.0/payments/{paymentId}") is None
    assert _key(spec, "GET", "/v1.0/payments/{paymentId}") is None
    assert _key(spec, "POST", "/v1.0/payments/{paymentId}/refund") is None  # "not idempotent"


def test_an_unsigned_provider_callback_is_idempotent_on_its_body() -> None:
    # "The ITN callback from PayFast": a provider webhook by its own text, though no signature is stated
    spec = _tiny()
    ep = _ep(spec, "POST", "/v1.0/payfast/notify")
    assert ep.access.signature is None and ep.contract.webhook
    assert _key(spec, "POST", "/v1.0/payfast/notify") == "body"


def test_a_route_with_a_caller_puts_the_caller_in_its_key() -> None:
    plan = build_plan(_tiny())
    route = next(r for h in plan.handlers for r in h.routes if r.path == "/v1.0/payments")
    assert route.idempotency_key == "Idempotency-Key" and not route.public


def test_lld_parse_shows_the_idempotency_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lld = tmp_path / "2.9.9_LLD_Payments_Lambda.md"
    lld.write_text(HEAD, encoding="utf-8")
    assert main(["lld", "parse", str(lld)]) == 0
    out = capsys.readouterr().out
    row = next(ln for ln in out.splitlines() if ln.startswith("POST    /v1.0/payments ") and "idempotent" in ln)
    assert "idempotent (Idempotency-Key)" in row
    assert main(["lld", "parse", "--json", str(lld)]) == 0
    doc = json.loads(capsys.readouterr().out)
    spec = doc[0] if isinstance(doc, list) else doc.get("spec", doc)
    itn = next(e for e in spec["endpoints"] if e["path"] == "/v1.0/payfast/notify")
    assert (itn["access"]["idempotent"], itn["access"]["idempotency_key"]) == (True, "body")
