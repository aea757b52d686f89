"""Endpoints and Lambda functions: one snippet per notation family of the dialect survey (§3), plus
the hand-checked ground truth of the corpus documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbws_scaffold.errors import LLDError
from bbws_scaffold.lld.parser import parse_file, parse_text
from bbws_scaffold.model import ServiceSpec
from tests.paths import CORPUS, EXAMPLES, GROUND_TRUTH, ground_truth_files

HEAD = "# Widget Lambda - Low-Level Design\n\n**Version**: 1.0\n\n"


def parse(body: str, openapi: list[str] | None = None) -> ServiceSpec:
    return parse_text("2.9.9_LLD_Widget_Lambda.md", HEAD + body, openapi)


def eps(spec: ServiceSpec) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in spec.endpoints]


def declared(spec: ServiceSpec) -> list:  # type: ignore[type-arg]
    """Functions the LLD declares (binding may add synthesized ones for unpaired endpoints)."""
    return [f for f in spec.functions if not f.synthesized]


def warnings(spec: ServiceSpec) -> str:
    return "\n".join(f"{w.line}: {w.message}" for w in spec.warnings)


def parse_warnings(spec: ServiceSpec) -> list:  # type: ignore[type-arg]
    """Warnings about reading the document (not the binding's 'not generated' notices of stubs, nor
    the access warnings of an LLD that states no auth)."""
    return [w for w in spec.warnings if ": not generated: " not in w.message and "no auth" not in w.message]


# --------------------------------------------------------------------------- function tables (A)


def test_function_table_with_endpoint_cell_pairs_functions() -> None:
    spec = parse(
        "## 1.3 Lambda Functions (2 Total)\n\n"
        "| Function | Endpoint | Trigger | Timeout | Description |\n|---|---|---|---|---|\n"
        "| register | POST /v1.0/auth/register | API Gateway | 30s | Customer registration |\n"
        "| get_tenant | `GET /v1.0/tenants/{tenantId}?include=x` | API Gateway | 10s | Get one |\n"
    )
    assert eps(spec) == [("POST", "/v1.0/auth/register"), ("GET", "/v1.0/tenants/{tenantId}")]
    reg = spec.endpoints[0]
    assert (reg.function, reg.primary, reg.summary, reg.line) == ("register", True, "Customer registration", 9)
    assert reg.source == "§1.3 Lambda Functions table"
    fns = {f.name: f for f in declared(spec)}
    assert fns["get_tenant"].timeout_s == 10 and fns["get_tenant"].path == "/v1.0/tenants/{tenantId}"
    assert fns["register"].trigger == "http" and fns["register"].trigger_raw == "API Gateway"
    assert not parse_warnings(spec)


def test_second_table_under_bold_label_counts_and_contradicts_heading() -> None:
    spec = parse(
        "## 1.3 Lambda Functions (2 Total)\n\n"
        "| Function | Endpoint | Description |\n|---|---|---|\n"
        "| add_item | POST /v1.0/cart/items | Add |\n| get_cart | GET /v1.0/cart | Get |\n\n"
        "**Cart maintenance**\n\n"
        "| Function | Endpoint | Description |\n|---|---|---|\n"
        "| clear_cart | DELETE /v1.0/cart | Clear |\n"
    )
    assert len(spec.endpoints) == 3 and all(e.primary for e in spec.endpoints)
    text = warnings(spec)
    assert "claims 2" in text and "have 3 rows" in text and "line 7, 14" in text


# --------------------------------------------------------------------------- Method/Path tables (B, C, D)


def test_method_endpoint_lambda_table_and_function_overview_merge() -> None:
    spec = parse(
        "## 4. API Design\n\n### 4.3 API Endpoint Summary\n\n"
        "| Method | Endpoint | Lambda | Description |\n|---|---|---|---|\n"
        "| GET | `/portal/auth/me` | `get_me` | Get profile |\n"
        "| POST | `/portal/auth/logout` | `logout` | Logout |\n\n"
        "## 5. Lambda Functions\n\n### 5.1 Function Overview\n\n"
        "| # | Function Name | Memory | Timeout | Trigger | Description |\n|---|---|---|---|---|---|\n"
        "| 1 | `get_me` | 256MB | 10s | API Gateway | Retrieve |\n"
        "| 2 | `logout` | 128MB | 10s | API Gateway | Logout |\n"
    )
    assert [(e.function, e.primary) for e in spec.endpoints] == [("get_me", True), ("logout", True)]
    fns = {f.name: f for f in declared(spec)}
    assert set(fns) == {"get_me", "logout"}
    assert (fns["logout"].memory_mb, fns["logout"].timeout_s, fns["logout"].method) == (128, 10, "POST")


def test_domain_tables_are_all_primary_and_foreign_calls_ignored() -> None:
    spec = parse(
        "## 4. Sites API\n\n### 4.1 Endpoint Specifications\n\n"
        "| Method | Path | Description | Auth Roles |\n|---|---|---|---|\n"
        "| POST | `/v1.0/tenants/{tenantId}/sites` | Create site | Admin, User |\n"
        "| GET | `/v1.0/tenants/{tenantId}/sites` | List sites | Admin |\n\n"
        "### 4.4 WordPress REST API Calls\n\n"
        "| Operation | Endpoint | Method |\n|---|---|---|\n| Create | `/wp-json/wp/v2/sites` | POST |\n\n"
        "## 5. Templates API\n\n### 5.1 Endpoint Specifications\n\n"
        "| Method | Path | Description | Auth Roles |\n|---|---|---|---|\n"
        "| POST | `/admin/templates` | Create template | Platform Admin |\n"
    )
    assert eps(spec) == [
        ("POST", "/v1.0/tenants/{tenantId}/sites"),
        ("GET", "/v1.0/tenants/{tenantId}/sites"),
        ("POST", "/admin/templates"),
    ]
    assert all(e.primary and e.function is None for e in spec.endpoints)
    assert spec.endpoints[0].auth == "Admin, User"


def test_endpoint_first_column_order_and_version_one() -> None:
    spec = parse(
        "## 3. API\n\n### 3.2 Generation API\n\n"
        "| Endpoint | Method | Purpose |\n|---|---|---|\n"
        "| `/v1/sites/{site_id}/generate` | POST | Generate a site |\n"
        "| `/v1/sites/{site_id}` | GET, DELETE | Read or remove |\n"
    )
    assert eps(spec) == [
        ("POST", "/v1/sites/{site_id}/generate"),
        ("GET", "/v1/sites/{site_id}"),
        ("DELETE", "/v1/sites/{site_id}"),
    ]
    assert spec.endpoints[0].summary == "Generate a site"


def test_crud_summary_and_detail_sections_are_secondary() -> None:
    spec = parse(
        "## 1.3 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| create_campaign | POST /v1.0/admin/campaigns | Create |\n"
        "| list_campaigns | GET /v1.0/campaigns | List |\n\n"
        "## 6. REST API Operations\n\n### 6.2 Get Campaign\n\n**Endpoint**: `GET /v1.0/campaigns/{code}`\n\n"
        "**Authentication**: None\n\n"
        "## Appendix C: CRUD Operations Summary\n\n"
        "| Operation | HTTP Method | Endpoint | Status Code | Description |\n|---|---|---|---|---|\n"
        "| Create Campaign | POST | `/v1.0/campaigns` | 201 | Create |\n"
        "| List Campaigns | GET | `/v1.0/campaigns` | 200 | List |\n"
    )
    got = {(e.method, e.path): e for e in spec.endpoints}
    assert set(got) == {
        ("POST", "/v1.0/admin/campaigns"),
        ("GET", "/v1.0/campaigns"),
        ("GET", "/v1.0/campaigns/{code}"),
        ("POST", "/v1.0/campaigns"),
    }
    assert got[("GET", "/v1.0/campaigns")].primary and got[("GET", "/v1.0/campaigns")].function == "list_campaigns"
    assert not got[("GET", "/v1.0/campaigns/{code}")].primary
    assert got[("GET", "/v1.0/campaigns/{code}")].summary == "Get Campaign"
    assert not got[("POST", "/v1.0/campaigns")].primary
    # /v1.0/campaigns vs /v1.0/admin/campaigns: the same operation under two paths is reported
    assert "may be the same operation" in warnings(spec)


def test_method_cell_holding_a_path_is_skipped_with_warning() -> None:
    spec = parse(
        "## 3. API\n\n### 3.1 Instance Resource Operations\n\n"
        "| Method | Path | Description | Triggers | Auth |\n|---|---|---|---|---|\n"
        "| GET | `/v1.0/tenants/{tenantId}/instances/{instanceId}` | Get | - | JWT |\n"
        "| PUT /size | `/v1.0/tenants/{tenantId}/instances/{instanceId}` | Resize | Step Function | JWT |\n"
    )
    assert eps(spec) == [("GET", "/v1.0/tenants/{tenantId}/instances/{instanceId}")]
    assert "holds a path" in warnings(spec)


# --------------------------------------------------------------------------- headings, bold lines (E, F)


def test_endpoint_headings_are_secondary_and_merge_param_spellings() -> None:
    spec = parse(
        "## 1.3 Lambda Functions (2 Total)\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| create_payment | POST /v1.0/payments | Initiate |\n"
        "| get_payment | GET /v1.0/payments/{paymentId} | Get |\n\n"
        "## 6. REST API Operations\n\n### 6.2 Payment Operations\n\n"
        "#### 6.2.1 POST `/v1.0/payments` - Initiate Payment\n\ntext\n\n"
        "#### 6.2.2 GET `/v1.0/payments/{id}` - Get Payment\n\ntext\n\n"
        "#### 6.2.3 POST `/v1.0/payments/webhook/itn` - PayFast ITN\n\ntext\n\n"
        "## 4. Sequence Diagrams\n\n### 4.1 POST /v1.0/payments/refund flow\n\n"
        "#### POST /v1.0/payments/refund - Refund\n"
    )
    got = {(e.method, e.path): e for e in spec.endpoints}
    assert set(got) == {
        ("POST", "/v1.0/payments"),
        ("GET", "/v1.0/payments/{paymentId}"),
        ("POST", "/v1.0/payments/webhook/itn"),
    }
    assert got[("POST", "/v1.0/payments/webhook/itn")].summary == "PayFast ITN"
    assert "spell the same path differently" in warnings(spec)


def test_prose_and_lowercase_methods_are_not_declarations() -> None:
    spec = parse(
        "## 1.3 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| get_x | GET /v1.0/x | Get |\n\n"
        "## 3. Architecture\n\nAPI Gateway receives request (GET/POST/PUT/DELETE) and calls POST /v1.0/orders.\n\n"
        "### Get /v1.0/x flow\n\n"
        "```http\nGET /v1.0/x/SUMMER2025 HTTP/1.1\n```\n\n"
        "```mermaid\nsequenceDiagram\n    Client->>API: POST /v1.0/x/merge<br/>{a: 1}\n```\n\n"
        "## 8. Security\n\n### 8.4 Rate Limiting\n\n| Endpoint | Rate Limit |\n|---|---|\n| POST /y | 10 |\n"
    )
    assert eps(spec) == [("GET", "/v1.0/x")]


# --------------------------------------------------------------------------- OpenAPI (G, J)

OPENAPI_ONLY = """## 4. API Design

### 4.1 OpenAPI Specification

```yaml
openapi: 3.0.3
info: {title: T, version: 1.0.0}
servers:
  - url: https://portal-api.kimmyai.io/v1.0
security:
  - bearerAuth: []
paths:
  /portal/tickets:
    get:
      operationId: listTickets
      summary: List tickets
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TicketList'}
  /portal/tickets/{ticketId}/followups:
    post:
      operationId: createFollowup
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/CreateFollowupRequest'}
      responses:
        '201': {description: ok}
  /portal/tickets/{ticketId}/attachments/{attachmentId}:
    get:
      operationId: downloadAttachment
      security: []
      responses:
        '200': {description: ok}
```

## 5. Lambda Functions

### 5.1 Function Inventory

| # | Function Name | Trigger | Memory | Timeout | Description |
|---|---------------|---------|--------|---------|-------------|
| 1 | `list_tickets` | API Gateway | 256MB | 30s | List |
| 2 | `reply` | API Gateway | 512MB | 30s | Add follow-up |
| 3 | `process_attachment` | S3 Event | 512MB | 60s | Virus scan |
| 4 | `send_notification` | EventBridge | 256MB | 30s | Notify |

### 5.2 Function: reply

```python
@app.post("/portal/tickets/<ticket_id>/followups")
@tracer.capture_method
def reply(ticket_id: str) -> dict:
    return {}
```
"""


def test_openapi_only_doc_is_the_inventory_and_pairs_by_operation_id_and_decorator() -> None:
    spec = parse(OPENAPI_ONLY)
    got = {(e.method, e.path): e for e in spec.endpoints}
    assert all(e.primary and e.source == "openapi" for e in spec.endpoints)
    lst = got[("GET", "/portal/tickets")]
    assert (lst.function, lst.operation_id, lst.response_model, lst.auth) == (
        "list_tickets",
        "listTickets",
        "TicketList",
        "bearerAuth",
    )
    follow = got[("POST", "/portal/tickets/{ticketId}/followups")]
    assert (follow.function, follow.request_model) == ("reply", "CreateFollowupRequest")
    dl = got[("GET", "/portal/tickets/{ticketId}/attachments/{attachmentId}")]
    assert (dl.function, dl.auth) == (None, "none")
    fns = {f.name: f for f in declared(spec)}
    assert (fns["process_attachment"].trigger, fns["process_attachment"].timeout_s) == ("s3", 60)
    assert fns["send_notification"].trigger == "eventbridge"
    assert fns["reply"].path == "/portal/tickets/{ticketId}/followups"


def test_external_openapi_without_version_prefix_reconciles(tmp_path: Path) -> None:
    api = tmp_path / "api.yaml"
    api.write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers:\n  - url: https://api.x.io/v1.0\npaths:\n"
        "  /tenants/{tenantId}/sites:\n    post:\n      operationId: createSite\n"
        "  /tenants/{id}/sites/{siteId}/restore:\n    post:\n      operationId: restoreSite\n"
    )
    spec = parse(
        "## 4. Sites API\n\n### 4.1 Endpoint Specifications\n\n"
        "| Method | Path | Description |\n|---|---|---|\n"
        "| POST | `/v1.0/tenants/{tenantId}/sites` | Create site |\n",
        [str(api)],
    )
    got = {(e.method, e.path): e for e in spec.endpoints}
    create = got[("POST", "/v1.0/tenants/{tenantId}/sites")]
    assert (create.operation_id, create.primary) == ("createSite", True)
    # house prefix; {id} sits where the sibling route has {tenantId}: one API Gateway resource, one name
    extra = got[("POST", "/v1.0/tenants/{tenantId}/sites/{siteId}/restore")]
    assert not extra.primary and extra.source == "openapi:api.yaml"
    assert "spell the same path" not in warnings(spec)
    assert "path variable {id} renamed {tenantId}" in warnings(spec)


# --------------------------------------------------------------------------- pairing aids (H, I)


def test_project_tree_comments_pair_secondary_endpoints() -> None:
    spec = parse(
        "## 1.3 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| create_payment | POST /v1.0/payments | Initiate |\n\n"
        "## 6. REST API Operations\n\n### 6.1 Summary\n\n| Method | Endpoint | Description |\n|---|---|---|\n"
        "| POST | /v1.0/payments | Initiate |\n| GET | /v1.0/payments/{id} | Get |\n"
        "| PUT | /v1.0/payments/{id} | Update |\n| PUT | /v1.0/payments/{id} | Soft delete |\n\n"
        "## Appendix A: Project Structure\n\n```\nsrc/\n├── handlers/\n"
        "│   ├── create_payment.py     # POST /v1.0/payments\n"
        "│   ├── get_payment.py        # GET /v1.0/payments/{paymentId}\n```\n"
    )
    got = {(e.method, e.path): e for e in spec.endpoints}
    assert got[("GET", "/v1.0/payments/{id}")].function == "get_payment"
    assert got[("PUT", "/v1.0/payments/{id}")].function is None
    fns = {f.name: f for f in declared(spec)}
    assert fns["get_payment"].path == "/v1.0/payments/{id}"
    assert "repeats PUT /v1.0/payments/{id}" in warnings(spec)


def test_decorators_alone_declare_endpoints() -> None:
    spec = parse(
        "## 5. Lambda Functions\n\n### 5.1 Handler Implementation\n\n```python\n"
        "@app.get('/portal/organisations/<org_id>/users')\ndef list_users(org_id):\n    ...\n"
        "@router.route('/portal/organisations', methods=['GET', 'POST'])\ndef organisations():\n"
        "    broken = (\n```\n"
    )
    assert eps(spec) == [
        ("GET", "/portal/organisations/<org_id>/users"),
        ("GET", "/portal/organisations"),
        ("POST", "/portal/organisations"),
    ]
    assert spec.endpoints[0].function == "list_users"


# --------------------------------------------------------------------------- non-HTTP functions


def test_event_driven_functions_without_api() -> None:
    spec = parse(
        "## 1.3 Lambda Functions (3 Total)\n\n| Function | Trigger | Target | Description |\n|---|---|---|---|\n"
        "| OrderCreatorRecord | SQS: `bbws-order-record-{env}` | DynamoDB | Persist |\n"
        "| nightly_retry | EventBridge Schedule: cron(0 2 * * ? *) | SQS | Retry |\n"
        "| start_migration | Step Functions | - | Orchestrate |\n"
    )
    assert spec.endpoints == []
    fns = {f.name: f for f in declared(spec)}
    rec = fns["OrderCreatorRecord"]
    assert (rec.trigger, rec.trigger_raw, rec.source_name) == (
        "sqs",
        "SQS: bbws-order-record-{env}",
        "bbws-order-record-{env}",
    )
    assert (fns["nightly_retry"].trigger, fns["nightly_retry"].source_name) == ("schedule", "cron(0 2 * * ? *)")
    assert fns["start_migration"].trigger == "other"
    assert not parse_warnings(spec)


def test_deployed_names_pair_with_nothing() -> None:
    spec = parse(
        "## 4. Sites API\n\n### 4.1 Endpoint Specifications\n\n| Method | Path | Description |\n|---|---|---|\n"
        "| POST | `/v1.0/sites` | Create |\n\n"
        "## 9. Lambda Functions\n\n### 9.1 Function Inventory\n\n"
        "| Function | Handler | Memory | Timeout | Trigger |\n|---|---|---|---|---|\n"
        "| bbws-wp-site-create-{env} | sites.create_site_handler | 256MB | 30s | API Gateway |\n"
        "| bbws-wp-site-creator-{env} | sqs.site_creation_consumer | 512MB | 900s | SQS |\n"
    )
    assert spec.endpoints[0].function is None
    fns = {f.name: f for f in declared(spec)}
    creator = fns["bbws-wp-site-creator-{env}"]
    assert (creator.trigger, creator.memory_mb, creator.timeout_s) == ("sqs", 512, 900)
    assert (creator.deployed_name, creator.handler_path) == ("bbws-wp-site-creator-{env}", "sqs.site_creation_consumer")
    assert fns["bbws-wp-site-create-{env}"].path is None


def test_user_story_function_column_is_not_an_inventory() -> None:
    spec = parse(
        "## 1.3 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| get_x | GET /v1.0/x | Get |\n\n"
        "## 2. High Level Epic Overview\n\n| User Story # | User Story | Lambda Function | Test Scenario(s) |\n"
        "|---|---|---|---|\n| US 1 | As a user | `get_x`, `put_x` | Given |\n| US 2 | As a user | `put_y` | Given |\n"
    )
    assert [f.name for f in declared(spec)] == ["get_x"]


def test_elided_paths_are_refused_at_their_line() -> None:
    """``.../{divisionId}/groups`` is not a path API Gateway can serve: the real one is not written."""
    row = "| GET | `.../{divisionId}/groups` | List groups | Admin |"
    body = (
        "## 1.3 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| org_get | GET /v1.0/tenants/{tenantId} | Get |\n\n"
        "## 6. API\n\n### 6.4 Organization Hierarchy Operations\n\n"
        "| Method | Path | Description | Auth Roles |\n|---|---|---|---|\n" + row + "\n"
    )
    with pytest.raises(LLDError) as err:
        parse(body)
    (diag,) = err.value.diagnostics
    assert diag.line == (HEAD + body).splitlines().index(row) + 1
    assert "GET .../{divisionId}/groups" in diag.message and "elides" in diag.message


@pytest.mark.parametrize(
    "body",
    [
        "## Lambda Functions\n\n| Function | Endpoint |\n|---|---|\n| !!! | GET / |\n| `x` | GET |\n",
        "## API Endpoints\n\n| Method | Path |\n|---|---|\n| GET | |\n| | /x |\n| POST | /a/{b |\n",
        "## API\n\n```python\n@app.get(\n```\n\n```yaml\nopenapi: 3\npaths:\n  /x: 5\n```\n",
        "## Lambda Functions (x Total)\n\n#### GET\n\n**Endpoint**: `GET`\n",
    ],
)
def test_odd_input_never_raises(body: str) -> None:
    parse(body)


# --------------------------------------------------------------------------- ground truth


@pytest.mark.parametrize("gt_file", ground_truth_files(), ids=lambda p: p.stem)
def test_corpus_endpoints_and_functions_match_ground_truth(gt_file: Path) -> None:
    lld = CORPUS / f"{gt_file.stem}.md"
    if not lld.exists():
        pytest.skip("LLD not in the corpus")
    gt = json.loads(gt_file.read_text(encoding="utf-8"))
    spec = parse_file(lld)
    got = {(e.method, e.path): e for e in spec.endpoints}
    want = {(e["method"], e["path"]): e for e in gt["endpoints"]}
    assert set(got) == set(want)
    for key, e in want.items():
        assert got[key].function == e.get("function"), key
        assert got[key].primary == bool(e.get("primary")), key
        if e.get("operation_id"):
            assert got[key].operation_id == e["operation_id"], key
    fns = {f.name: f for f in declared(spec)}
    for other in gt.get("other_functions") or []:
        fn = fns[other["function"]]
        assert fn.trigger != "http"
        for fld in ("memory_mb", "timeout_s"):
            if other.get(fld) is not None:
                assert getattr(fn, fld) == other[fld]
    for e in gt["endpoints"]:
        if e.get("function") and e.get("timeout_s") is not None:
            assert fns[e["function"]].timeout_s == e["timeout_s"]


def test_external_openapi_of_the_corpus_reconciles_with_2_6() -> None:
    lld = CORPUS / "2.6_LLD_WordPress_Site_Management.md"
    api = CORPUS / "openapi" / "wp_technical_api_openapi.yaml"
    if not lld.exists() or not api.exists():
        pytest.skip("corpus files missing")
    spec = parse_file(lld, [api])
    gt = json.loads((GROUND_TRUTH / "openapi" / "wp_technical_api_openapi.json").read_text())
    op_ids = {e.operation_id for e in spec.endpoints if e.operation_id}
    assert op_ids == {e["operation_id"] for e in gt["endpoints"]}
    assert len(spec.endpoints) == 29 and all(e.primary for e in spec.endpoints)


@pytest.mark.parametrize("lld", sorted(EXAMPLES.glob("*/*_LLD_*.md")), ids=lambda p: p.parent.name)
def test_examples_have_an_inventory(lld: Path) -> None:
    spec = parse_file(lld)
    assert declared(spec), "every example declares functions"
    for e in spec.endpoints:
        assert e.path.startswith("/") and e.line


def test_deployed_name_rows_join_their_code_named_function() -> None:
    spec = parse(
        "## 1.3 Lambda Functions (1 Total)\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| org-list | GET /v1.0/organisations | List |\n\n"
        "### 1.4 Function Configuration\n\n| Function | Memory | Timeout |\n|---|---|---|\n"
        "| bbws-org-list-{env} | 512MB | 20s |\n"
    )
    fns = declared(spec)
    assert [(f.name, f.deployed_name, f.memory_mb, f.timeout_s) for f in fns] == [
        ("org-list", "bbws-org-list-{env}", 512, 20)
    ]
    assert spec.endpoints[0].function == "org-list"


def test_calls_to_other_services_are_not_endpoints() -> None:
    spec = parse(
        "## 1.3 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| register_domain | POST /v1.0/domains/register | Register |\n\n"
        "### 1.5 Dependencies\n\n| Dependency | Endpoint | Purpose |\n|---|---|---|\n"
        "| Order Service | POST /v1.0/orders | Create the order |\n"
    )
    assert eps(spec) == [("POST", "/v1.0/domains/register")]


def test_summary_count_table_disagreeing_with_inventory_warns_with_both_lines() -> None:
    spec = parse(
        "## 1. Introduction\n\n### 1.5 Lambda Functions Summary\n\n"
        "| Domain | Functions | Description |\n|---|---|---|\n"
        "| Sites API | 2 | CRUD |\n| SQS Consumers | 1 | Workers |\n\n"
        "## 9. Lambda Functions\n\n### 9.1 Function Inventory\n\n| Function | Memory | Timeout | Trigger |\n"
        "|---|---|---|---|\n| site-create | 256MB | 30s | API Gateway |\n| site-creator | 512MB | 900s | SQS |\n"
    )
    assert len(declared(spec)) == 2
    text = warnings(spec)
    assert "claims 3 functions" in text and "(line 9)" in text and "(line 18)" in text


def test_auth_column_wins_over_openapi_security_and_auth_tables_only_enrich() -> None:
    spec = parse(
        "## 1.4 Lambda Functions\n\n| Function | Endpoint | Description |\n|---|---|---|\n"
        "| search | POST /v1.0/search | Search |\n\n"
        "## 10. Security\n\n### 10.1 Authentication\n\n"
        "| Endpoint | Authentication Method | Authorization |\n|---|---|---|\n"
        "| POST /v1.0/search | None (public) | N/A |\n| POST /v1.0/secret | Cognito JWT | Admin |\n\n"
        "## Appendix A: OpenAPI\n\n```yaml\nopenapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n"
        "  /v1.0/search:\n    post:\n      operationId: searchDomains\n      security: []\n```\n"
    )
    assert eps(spec) == [("POST", "/v1.0/search")]
    e = spec.endpoints[0]
    assert (e.auth, e.operation_id, e.function) == ("None (public)", "searchDomains", "search")
