"""Endpoint contracts and the faithful-or-stub binding, each from a minimal LLD written for the test.

Expectations come from the LLD text of each test (the line that says "soft delete", the status
table, the key patterns), never from what the parser produced before.
"""

from __future__ import annotations

from bbws_scaffold.cli import main
from bbws_scaffold.lld.parser import parse_text
from bbws_scaffold.model import Endpoint, ServiceSpec

HEAD = """# Cart Lambda - Low-Level Design

**Version**: 1.0
**Component**: Cart Service (2_bbws_cart_lambda)

## 1. Introduction

### 1.3 Lambda Functions

| Function | Endpoint | Description |
|----------|----------|-------------|
"""


def lld(rows: str, body: str) -> str:
    return HEAD + rows + "\n" + body


def parse(text: str) -> ServiceSpec:
    return parse_text("cart.md", text)


def ep(spec: ServiceSpec, method: str, path: str) -> Endpoint:
    return next(e for e in spec.endpoints if (e.method, e.path) == (method, path))


def line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


CART_TABLES = """
## 5. Data Models

### 5.1 DynamoDB

**Table Name**: `bbws-cart-{env}`

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Cart | `CART#{cartId}` | `METADATA` | the cart header |
| CartItem | `CART#{cartId}` | `ITEM#{itemId}` | one line of the cart |
"""

CART_MODELS = """
### 5.2 Pydantic Models

```python
from pydantic import BaseModel, Field


class CartItem(BaseModel):
    item_id: str = Field(..., alias="itemId")
    cart_id: str = Field(..., alias="cartId")
    product_id: str = Field(..., alias="productId")
    quantity: int = Field(..., ge=1, le=99)
    unit_price: float = Field(..., gt=0, alias="unitPrice")
    created_at: str = Field(..., alias="createdAt")
    provider_ref: str | None = Field(None, alias="providerRef")
    reserved_by: str | None = Field(None, alias="reservedBy", description="set by the server when stock is held")


class AddItemRequest(BaseModel):
    product_id: str = Field(..., alias="productId")
    quantity: int = Field(..., ge=1, le=99)
    unit_price: float = Field(..., gt=0, alias="unitPrice")  # without it a CRUD create could not store the line
```
"""


# --------------------------------------------------------------------------- faithful or stub


def test_soft_delete_in_the_endpoints_section_is_a_stub_naming_that_line() -> None:
    text = lld(
        "| get_item | GET /v1.0/carts/{cartId}/items/{itemId} | Get one line |\n"
        "| remove_item | DELETE /v1.0/carts/{cartId}/items/{itemId} | Remove a line |\n",
        CART_TABLES + CART_MODELS + """
## 6. API

### 6.1 DELETE /v1.0/carts/{cartId}/items/{itemId} - Remove Item

Removing an item is a soft delete: the line is kept with `active = false` for the order history.

### 6.2 GET /v1.0/carts/{cartId}/items/{itemId} - Get Item

Returns the line. Deleted lines are not returned.
""",
    )
    spec = parse(text)
    delete = ep(spec, "DELETE", "/v1.0/carts/{cartId}/items/{itemId}")
    line = line_of(text, "Removing an item is a soft delete")
    assert (delete.binding.kind, delete.operation) == ("stub", "custom")
    assert delete.binding.reason == f"stub: soft delete (line {line})"
    assert delete.binding.line == line
    assert f"cart.md:{line}: warning: DELETE /v1.0/carts/{{cartId}}/items/{{itemId}}: not generated: soft delete" in [
        w.format("cart.md").split(" (line")[0] for w in spec.warnings
    ]
    # the words sit in the DELETE section only: the GET next to it stays plain CRUD
    get = ep(spec, "GET", "/v1.0/carts/{cartId}/items/{itemId}")
    assert (get.binding.kind, get.binding.reason) == ("crud", "CRUD get on CartItem")


def test_tenant_path_parameter_that_is_no_key_part_is_a_stub() -> None:
    # the item is keyed CART#{cartId}: a handler could only drop {tenantId} and write a fresh cart
    spec = parse(
        lld(
            "| add_item | POST /v1.0/tenants/{tenantId}/cart/items | Add an item to the tenant's cart |\n"
            "| add_line | POST /v1.0/carts/{cartId}/items | Add an item to a cart |\n",
            CART_TABLES + CART_MODELS,
        )
    )
    dropped = ep(spec, "POST", "/v1.0/tenants/{tenantId}/cart/items")
    assert dropped.binding.kind == "stub"
    assert "{tenantId}" in dropped.binding.reason and "CartItem" in dropped.binding.reason
    assert any("POST /v1.0/tenants/{tenantId}/cart/items: not generated" in w.message for w in spec.warnings)
    # every key part from the path ({cartId}) or generated ({itemId}, the item's own id): CRUD
    kept = ep(spec, "POST", "/v1.0/carts/{cartId}/items")
    assert (kept.binding.kind, kept.operation, kept.entity) == ("crud", "create", "CartItem")
    assert kept.request_model == "AddItemRequest"  # <Verb><Entity>Request from add_item's verb and the path


def test_key_part_neither_in_path_nor_body_is_a_stub_and_from_the_body_is_crud() -> None:
    body = CART_TABLES + CART_MODELS.replace(
        "class AddItemRequest(BaseModel):\n",
        "class AddItemRequest(BaseModel):\n    cart_id: str = Field(..., alias='cartId')\n",
    )
    spec = parse(lld("| add_item | POST /v1.0/items | Add an item |\n", body))
    assert ep(spec, "POST", "/v1.0/items").binding.kind == "crud"  # cartId comes from the body
    spec = parse(lld("| add_item | POST /v1.0/items | Add an item |\n", CART_TABLES + CART_MODELS))
    hit = ep(spec, "POST", "/v1.0/items")
    assert hit.binding.kind == "stub" and "{cartId}" in hit.binding.reason


def test_request_model_with_fields_the_entity_lacks_is_a_stub() -> None:
    models = CART_MODELS.replace(
        "  # without it a CRUD create could not store the line\n```", "\n    coupon_code: str\n```"
    )
    spec = parse(lld("| add_item | POST /v1.0/carts/{cartId}/items | Add |\n", CART_TABLES + models))
    hit = ep(spec, "POST", "/v1.0/carts/{cartId}/items")
    assert hit.binding.kind == "stub"
    assert "coupon_code" in hit.binding.reason


def test_form_encoded_webhook_is_form_content_and_a_stub() -> None:
    text = lld(
        "| payfast_itn | POST /v1.0/payments/{paymentId}/notify | PayFast ITN |\n",
        """
## 5. Data Models

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Payment | `PAYMENT#{paymentId}` | `METADATA` | a payment |

## 6. API

#### POST /v1.0/payments/{paymentId}/notify - Payment notification

PayFast posts the ITN as `application/x-www-form-urlencoded`; the handler verifies the signature.
""",
    )
    spec = parse(text)
    hit = ep(spec, "POST", "/v1.0/payments/{paymentId}/notify")
    assert hit.contract.content_type == "form"
    assert hit.binding.kind == "stub"
    assert "provider webhook" in hit.binding.reason


def test_aggregate_under_one_partition_is_one_table_with_two_entities() -> None:
    # no table name: without the aggregate rule each entity would be its own table
    spec = parse(
        lld(
            "| get_cart | GET /v1.0/carts/{cartId} | Get the cart with its items |\n",
            """
## 5. Data Models

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| CartItem | `CART#{cartId}` | `ITEM#{itemId}` | one line |
| Cart | `CART#{cartId}` | `METADATA` | the header |
| Coupon | `COUPON#{code}` | `METADATA` | another aggregate |
""",
        )
    )
    tables = {t.name: [e.name for e in t.entities] for t in spec.tables}
    assert tables == {"Cart": ["CartItem", "Cart"], "Coupon": ["Coupon"]}


def test_two_children_without_a_root_keep_one_table_each() -> None:
    # (2.2.6 shape) FollowUp and Attachment share TICKET#{ticketId} but no root item lives there
    spec = parse(
        lld(
            "| list_tickets | GET /v1.0/tickets | List |\n",
            """
## 5. Data Models

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| FollowUp | `TICKET#{ticketId}` | `FOLLOWUP#{timestamp}` | message |
| Attachment | `TICKET#{ticketId}` | `ATTACHMENT#{attachmentId}` | file |
""",
        )
    )
    assert sorted(t.name for t in spec.tables) == ["Attachment", "FollowUp"]


# --------------------------------------------------------------------------- the contract


SECTIONED = """
## 6. API

### 6.1 POST /v1.0/carts/{cartId}/items - Add Item

**Request Body**: `LineInput`

```http
HTTP/1.1 201 Created
Content-Type: application/json

{
  "success": true,
  "data": {"itemId": "i-1", "quantity": 2}
}
```

| Status | Code | Description |
|--------|------|-------------|
| 404 | CART_NOT_FOUND | The cart does not exist |
| 409 | CART_CLOSED | The cart was checked out |
| 422 | QUANTITY_TOO_HIGH | At most 99 of one product |

The operation is idempotent per `Idempotency-Key`.

### 6.2 GET /v1.0/carts/{cartId}/items - List Items

Returns the lines newest first, sorted by `createdAt`. `pageSize` defaults to 20, max 50.
Response time under 200 ms (p95).

- 404 Not Found: the cart does not exist
"""


def test_contract_from_the_endpoints_own_section() -> None:
    models = CART_MODELS.replace("class AddItemRequest", "class LineInput")
    text = lld(
        "| add_line | POST /v1.0/carts/{cartId}/items | Add |\n"
        "| list_lines | GET /v1.0/carts/{cartId}/items | List |\n",
        CART_TABLES + models + SECTIONED,
    )
    spec = parse(text)
    add = ep(spec, "POST", "/v1.0/carts/{cartId}/items")
    # the request model is named in the section (naming alone would look for AddLineRequest)
    assert add.request_model == "LineInput"
    c = add.contract
    assert c.success_status == 201
    assert c.envelope == "data"
    assert [(e.status, e.code) for e in c.errors] == [
        (404, "CART_NOT_FOUND"),
        (409, "CART_CLOSED"),
        (422, "QUANTITY_TOO_HIGH"),
    ]
    assert c.errors[0].line == line_of(text, "| 404 | CART_NOT_FOUND")
    assert c.idempotent is True
    assert c.line == line_of(text, "### 6.1 POST")
    assert c.order is None  # "newest first" is the list's section, not this one
    lst = ep(spec, "GET", "/v1.0/carts/{cartId}/items")
    assert (lst.contract.order, lst.contract.page_size, lst.contract.max_page_size) == ("desc", 20, 50)
    assert lst.contract.order_by == "createdAt"
    assert [(e.status, e.code) for e in lst.contract.errors] == [(404, None)]
    assert lst.contract.content_type == "none"
    assert lst.contract.success_status is None  # "Response time under 200 ms" states no status
    assert lst.contract.idempotent is False


def test_newest_first_in_the_inventory_row_orders_descending() -> None:
    spec = parse(
        lld(
            "| list_lines | GET /v1.0/carts/{cartId}/items | List the lines of a cart, newest first |\n"
            "| list_old | GET /v1.0/carts/{cartId}/history | List the history, ordered by most recent activity, "
            "oldest first |\n",
            CART_TABLES,
        )
    )
    assert ep(spec, "GET", "/v1.0/carts/{cartId}/items").contract.order == "desc"
    history = ep(spec, "GET", "/v1.0/carts/{cartId}/history").contract
    assert (history.order, history.order_by) == ("asc", None)  # "by most recent activity" names no attribute


def test_openapi_statuses_and_form_body() -> None:
    text = lld(
        "| notify | POST /v1.0/hooks/payfast | Provider notification |\n",
        """
## 6. API

```yaml
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /v1.0/hooks/payfast:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object}
      responses:
        '200': {description: acknowledged}
        '400': {description: bad signature}
```
""",
    )
    hit = ep(parse(text), "POST", "/v1.0/hooks/payfast")
    assert hit.contract.content_type == "form"
    assert hit.contract.success_status == 200
    assert [(e.status, e.description) for e in hit.contract.errors] == [(400, "bad signature")]


# --------------------------------------------------------------------------- entities and server-owned fields


def test_entity_takes_its_fields_from_the_model_class_when_the_table_lists_none() -> None:
    spec = parse(
        lld(
            "| get_organisation | GET /v1.0/organisations/{orgId} | Get |\n"
            "| update_organisation | PUT /v1.0/organisations/{orgId} | Update |\n",
            """
## 5. Data Models

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Organisation | `ORG#{orgId}` | `METADATA` | an organisation |

```python
from enum import Enum
from typing import Optional
from pydantic import BaseModel, Field


class OrgStatus(str, Enum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"


class OrganisationModel(BaseModel):
    org_id: str = Field(..., alias="orgId")
    name: str = Field(..., min_length=1, max_length=100)
    seats: int = Field(10, ge=1, le=500)
    status: OrgStatus = OrgStatus.ACTIVE
    website: Optional[str] = None
```
""",
        )
    )
    (entity,) = spec.tables[0].entities
    attrs = {a.name: a for a in entity.attributes}
    assert list(attrs) == ["orgId", "name", "seats", "status", "website"]
    assert entity.model == "OrganisationModel"
    assert (attrs["name"].type, attrs["name"].required, attrs["name"].constraints) == (
        "string",
        True,
        {"min_length": 1, "max_length": 100},
    )
    assert (attrs["seats"].type, attrs["seats"].required, attrs["seats"].constraints) == (
        "integer",
        False,
        {"ge": 1, "le": 500},
    )
    assert (attrs["status"].enum, attrs["website"].required) == ("OrgStatus", False)


def test_server_owned_fields() -> None:
    spec = parse(lld("| add_line | POST /v1.0/carts/{cartId}/items | Add |\n", CART_TABLES + CART_MODELS))
    owned = ep(spec, "POST", "/v1.0/carts/{cartId}/items").contract.server_owned
    # itemId: the item's own id, generated on create; createdAt: a timestamp; providerRef: a provider
    # reference; reservedBy: "set by the server". cartId comes from the path and productId/quantity
    # from the client.
    assert sorted(owned) == ["createdAt", "itemId", "providerRef", "reservedBy"]


def test_lld_parse_prints_each_binding_and_why(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    text = lld(
        "| add_line | POST /v1.0/carts/{cartId}/items | Add |\n"
        "| add_item | POST /v1.0/tenants/{tenantId}/cart/items | Add to the tenant cart |\n",
        CART_TABLES + CART_MODELS,
    )
    path = tmp_path / "2.1.99_LLD_Cart_Lambda.md"
    path.write_text(text, encoding="utf-8")
    assert main(["lld", "parse", str(path)]) == 0
    out = capsys.readouterr().out
    rows = {ln.split()[1]: ln for ln in out.splitlines() if ln.startswith("POST ")}
    assert "CRUD create on CartItem" in rows["/v1.0/carts/{cartId}/items"]
    assert "stub: path parameter {tenantId}" in rows["/v1.0/tenants/{tenantId}/cart/items"]
    assert main(["lld", "parse", "--json", str(path)]) == 0
    assert '"reason": "stub: path parameter {tenantId}' in capsys.readouterr().out


def test_a_model_field_that_is_a_key_part_takes_the_keys_spelling() -> None:
    # the class writes template_id, the key TEMPLATE#{templateId}: one attribute, named as the key
    spec = parse(
        lld(
            "| get_template | GET /v1.0/templates/{templateId} | Get |\n",
            """
## 5. Data Models

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Template | `TEMPLATE` | `TEMPLATE#{templateId}` | a template |

```python
from pydantic import BaseModel


class Template(BaseModel):
    template_id: str
    name: str
```
""",
        )
    )
    assert [a.name for a in spec.tables[0].entities[0].attributes] == ["templateId", "name"]


def test_a_call_to_another_service_is_a_stub_and_the_api_itself_is_not() -> None:
    text = lld(
        "| add_line | POST /v1.0/carts/{cartId}/items | Add a line via the REST API |\n"
        "| get_line | GET /v1.0/carts/{cartId}/items/{itemId} | Get a line |\n",
        CART_TABLES + CART_MODELS + """
## 6. API

#### GET /v1.0/carts/{cartId}/items/{itemId} - Get Line

The handler calls the Pricing service for the current unit price before it answers.
""",
    )
    spec = parse(text)
    assert ep(spec, "POST", "/v1.0/carts/{cartId}/items").binding.kind == "crud"
    get = ep(spec, "GET", "/v1.0/carts/{cartId}/items/{itemId}")
    line = line_of(text, "calls the Pricing service")
    assert get.binding.reason == f"stub: cross-service call (line {line})"


def test_a_stated_order_needs_a_sort_key_by_time() -> None:
    tables = CART_TABLES + "| CartEvent | `CART#{cartId}` | `EVENT#{occurredAt}` | history |\n"
    spec = parse(
        lld(
            "| list_lines | GET /v1.0/carts/{cartId}/items | List the lines, newest first |\n"
            "| list_events | GET /v1.0/carts/{cartId}/events | List the history, newest first |\n",
            tables,
        )
    )
    # ITEM#{itemId} sorts by a random id: a query cannot return the newest first
    lines = ep(spec, "GET", "/v1.0/carts/{cartId}/items")
    assert lines.binding.kind == "stub" and "ITEM#{itemId}" in lines.binding.reason
    events = ep(spec, "GET", "/v1.0/carts/{cartId}/events")
    assert (events.binding.reason, events.contract.order, events.contract.order_by) == (
        "CRUD query on CartEvent",
        "desc",
        "occurredAt",
    )


def test_the_functions_own_handler_section_is_its_text() -> None:
    models = CART_MODELS.replace("class AddItemRequest", "class LineBody")
    text = lld(
        "| add_line | POST /v1.0/carts/{cartId}/items | Add |\n"
        "| get_line | GET /v1.0/carts/{cartId}/items/{itemId} | Get |\n",
        CART_TABLES + models + """
## 7. Lambda Functions

### 7.1 Function: add_line

```python
def add_line(cart_id: str) -> dict:
    request = LineBody.model_validate(app.current_event.json_body)
    saved = service.add(cart_id, request)
    # Tell the stock service asynchronously via EventBridge
    events.put_events(Entries=[{"DetailType": "cart.line_added"}])
    return saved
```

### 7.2 Function: get_line

```python
def get_line(cart_id: str, item_id: str) -> dict:
    return service.get(cart_id, item_id)
```
""",
    )
    spec = parse(text)
    add = ep(spec, "POST", "/v1.0/carts/{cartId}/items")
    assert add.request_model == "LineBody"
    line = line_of(text, "asynchronously via EventBridge")
    assert add.binding.reason == f"stub: asynchronous work (queue or event) (line {line})"
    assert ep(spec, "GET", "/v1.0/carts/{cartId}/items/{itemId}").binding.kind == "crud"


def test_openapi_response_schema_with_success_and_data_is_an_envelope() -> None:
    text = lld(
        "| get_line | GET /v1.0/carts/{cartId}/items/{itemId} | Get |\n",
        CART_TABLES + """
## 6. API

```yaml
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /v1.0/carts/{cartId}/items/{itemId}:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/LineEnvelope'}
components:
  schemas:
    LineEnvelope:
      type: object
      properties:
        success: {type: boolean}
        data: {$ref: '#/components/schemas/Line'}
    Line:
      type: object
      properties:
        itemId: {type: string}
```
""",
    )
    assert ep(parse(text), "GET", "/v1.0/carts/{cartId}/items/{itemId}").contract.envelope == "data"


def test_response_models_by_naming() -> None:
    spec = parse(
        lld(
            "| list_orders | GET /v1.0/tenants/{tenantId}/orders | List |\n"
            "| get_order | GET /v1.0/tenants/{tenantId}/orders/{orderId} | Get |\n",
            """
## 5. Data Models

```python
from pydantic import BaseModel


class OrderListResponse(BaseModel):
    items: list


class OrderResponse(BaseModel):
    order_id: str
```
""",
        )
    )
    assert ep(spec, "GET", "/v1.0/tenants/{tenantId}/orders").response_model == "OrderListResponse"
    assert ep(spec, "GET", "/v1.0/tenants/{tenantId}/orders/{orderId}").response_model == "OrderResponse"


def test_a_key_the_handler_code_reads_from_the_claims_comes_from_the_caller() -> None:
    text = lld(
        "| get_preferences | GET /v1.0/preferences | Get my preferences |\n",
        """
## 5. Data Models

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Preferences | `USER#{userId}` | `PREFERENCES` | one user's settings |

## 6. Lambda Functions

### 6.1 Function: get_preferences

```python
def get_preferences() -> dict:
    user_id = app.current_event.request_context.authorizer.claims["sub"]
    audit = service.audit(app.current_event.request_context.authorizer.claims["email"])
    return service.get(user_id)
```
""",
    )
    hit = ep(parse(text), "GET", "/v1.0/preferences")
    assert hit.contract.claims == {"user_id": "sub"}  # audit is a call's result, not a claim
    # the whole key is the caller's user id and a constant: one item, the caller's own, never a client's
    assert (hit.binding.kind, hit.operation) == ("crud", "get")
    assert hit.access.caller_keys == {"user_id": "user_sub"}


def test_a_claim_read_through_the_authorizer_context_is_the_callers() -> None:
    # 2.2.2's handler code: user_id = event['requestContext']['authorizer']['userId']
    text = lld(
        "| list_sessions | GET /v1.0/sessions | List my sessions |\n",
        """
## 5. Data Models

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Session | `USER#{userId}` | `SESSION#{sessionId}` | one sign-in |

## 6. Lambda Functions

### 6.1 Function: list_sessions

```python
def handler(event, context):
    user_id = event['requestContext']['authorizer']['userId']
    return sessions.list(user_id)
```
""",
    )
    hit = ep(parse(text), "GET", "/v1.0/sessions")
    assert hit.contract.claims == {"user_id": "userId"}
    assert (hit.binding.kind, hit.operation) == ("crud", "query")  # the caller's partition, never a scan
    assert hit.access.caller_keys == {"user_id": "user_sub"}
