"""DynamoDB tables, entities, keys and GSIs: one snippet per notation family of DIALECT_SURVEY §4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.lld import envvars
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.dynamodb import tables as dynamodb_tables  # tests name their results "tables"
from bbws_scaffold.lld.dynamodb.code import parse_hcl
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.lld.readers import document
from bbws_scaffold.lld.readers.grammar import load_grammar
from bbws_scaffold.model import Table
from tests.paths import CATALOGUE_LLD, CORPUS, ground_truth_files

HEAD = "# Widget Lambda - Low-Level Design\n\n**Version**: 1.0\n\n"


def extract(body: str) -> tuple[list[Table], DiagnosticSink]:
    """The extractor's own output (before the spec-level binding), plus its diagnostics."""
    sink = DiagnosticSink()
    grammar = load_grammar()
    doc = document.build("2.9.9_LLD_Widget.md", HEAD + body, grammar, sink)
    ctx = Context(doc, grammar, sink, [])
    return dynamodb_tables.extract(ctx, envvars.extract(ctx)), sink


def by_name(tables: list[Table]) -> dict[str, Table]:
    return {t.name: t for t in tables}


def line_of(body: str, needle: str) -> int:
    lines = (HEAD + body).splitlines()
    return next(i + 1 for i, text in enumerate(lines) if needle in text)


# ---------------------------------------------------------------------------------------------
# template style (2.1.x)

TEMPLATE = """## 5. Data Models

### 5.1 DynamoDB Schema

#### Tenant Entity

| Attribute | Type | Description |
|-----------|------|-------------|
| PK | String | `TENANT#{tenantId}` |
| SK | String | `METADATA` |
| tenantId | String | UUID |
| active | Boolean | Soft delete flag |
| loginCount | Number | Logins so far |
| tags | List | Free tags |
| createdAt | ISO 8601 | Creation time |

#### GSI: EmailIndex

| Attribute | Type |
|-----------|------|
| PK (email) | String |
| SK (entity_type) | String |

## Appendix B: Environment Variables

```bash
DYNAMODB_TABLE_NAME=bbws-tenants-{env}
LOG_LEVEL=INFO
```
"""


def test_template_entity_gsi_and_env_table_name():
    tables, _ = extract(TEMPLATE)
    assert len(tables) == 1
    t = tables[0]
    assert (t.name, t.table_name, t.name_template) == ("bbws-tenants-{env}", "bbws-tenants-{env}", "bbws-tenants-{env}")
    assert (t.entity, t.pk, t.sk, t.pk_attr, t.sk_attr) == ("Tenant", "TENANT#{tenantId}", "METADATA", "PK", "SK")
    assert t.line == line_of(TEMPLATE, "| PK | String |")  # an env-var name does not move the table
    (ent,) = t.entities
    assert [(a.name, a.type) for a in ent.attributes] == [
        ("tenantId", "string"),
        ("active", "boolean"),
        ("loginCount", "number"),
        ("tags", "list"),
        ("createdAt", "datetime"),
    ]
    assert ent.attributes[1].type_raw == "Boolean"
    (gsi,) = t.gsis
    assert (gsi.name, gsi.pk, gsi.sk, gsi.pk_attr, gsi.sk_attr, gsi.index) == (
        "EmailIndex",
        "email",
        "entity_type",
        "email",
        "entity_type",
        None,
    )
    assert gsi.line == line_of(TEMPLATE, "PK (email)")


def test_without_any_table_name_the_entity_names_the_table():
    body = TEMPLATE.split("## Appendix B")[0]
    (t,), _ = extract(body)
    assert (t.name, t.table_name, t.entity) == ("Tenant", None, "Tenant")
    assert [g.name for g in t.gsis] == ["EmailIndex"]


def test_several_env_table_names_are_not_guessed():
    body = TEMPLATE.replace("LOG_LEVEL=INFO", "DYNAMODB_AUDIT_TABLE=bbws-audit-{env}")
    (t,), sink = extract(body)
    assert t.name == "Tenant" and t.table_name is None
    assert any("several tables" in w.message for w in sink.warnings)


def test_required_column_and_ttl_row():
    body = """## Data Models

**Table Name**: `bbws-sessions-{env}`

#### Session Entity

| Attribute | Type | Required | Description |
|-----------|------|----------|-------------|
| PK | String | Yes | `USER#{userId}` - Partition key |
| SK | String | Yes | `SESSION#{sessionId}` - Sort key |
| device | S | No | Device fingerprint |
| expiresAt | N | Yes | TTL (epoch seconds) |
"""
    (t,), _ = extract(body)
    assert (t.pk, t.sk, t.ttl_attribute) == ("USER#{userId}", "SESSION#{sessionId}", "expiresAt")
    attrs = {a.name: a for a in t.entities[0].attributes}
    assert (attrs["device"].type, attrs["device"].required) == ("string", False)
    assert (attrs["expiresAt"].type, attrs["expiresAt"].required) == ("number", True)


# ---------------------------------------------------------------------------------------------
# 2.1.8 style: key table, Key Type GSI tables under bold labels, HCL


ORDER = """## 5. Data Models

### 5.1 DynamoDB Schema

#### 5.1.1 Single Table Design

**Table Name**: `bbws-orders-{environment}`

#### 5.1.2 Access Patterns

| # | Access Pattern | Solution |
|---|----------------|----------|
| AP1 | Get order | PK=`TENANT#{tenantId}` AND SK=`ORDER#{orderId}` |
| AP6 | Get tenant by email | Tenants table: Query EmailIndex where email = `{customerEmail}` |

#### 5.1.3 Primary Key Structure

| Key | Attribute | Pattern | Example |
|-----|-----------|---------|---------|
| PK (Partition Key) | `PK` | `TENANT#{tenantId}` | `TENANT#t1` |
| SK (Sort Key) | `SK` | `ORDER#{orderId}` | `ORDER#o1` |

#### 5.1.4 Order Entity Attributes

| Attribute | Type | Required | Description |
|-----------|------|----------|-------------|
| PK | String | Yes | `TENANT#{tenantId}` - Partition key |
| SK | String | Yes | `ORDER#{orderId}` - Sort key |
| total | Number | Yes | Total amount |
| GSI1_PK | String | Yes | `TENANT#{tenantId}` (for GSI1) |
| GSI1_SK | String | Yes | `{dateCreated}#{orderId}` (for GSI1 sorting) |

#### 5.1.6 Global Secondary Indexes

**GSI1: OrdersByDateIndex**

Enables querying orders for a tenant sorted by creation date.

| Attribute | Type | Key Type | Description |
|-----------|------|----------|-------------|
| GSI1_PK | String | Partition Key | `TENANT#{tenantId}` |
| GSI1_SK | String | Sort Key | `{dateCreated}#{orderId}` (ISO 8601 timestamp) |

#### 5.1.9 DynamoDB Table Configuration

```hcl
resource "aws_dynamodb_table" "orders" {
  name           = "bbws-orders-${var.environment}"
  billing_mode   = "PAY_PER_REQUEST"  # On-demand capacity
  hash_key       = "PK"
  range_key      = "SK"

  attribute {
    name = "PK"
    type = "S"
  }

  global_secondary_index {
    name            = "OrdersByDateIndex"
    hash_key        = "GSI1_PK"
    range_key       = "GSI1_SK"
    projection_type = "KEYS_ONLY"
  }

  global_secondary_index {
    name            = "OrderByIdIndex"
    hash_key        = "GSI2_PK"
    range_key       = "GSI2_SK"
    projection_type = "ALL"
  }

  ttl { attribute_name = "expiresAt" enabled = true }
}
```
"""


def test_key_table_entity_table_bold_gsi_and_hcl_merge():
    tables, sink = extract(ORDER)
    assert len(tables) == 1, [t.name for t in tables]  # HCL ${var.environment} is the same table
    t = tables[0]
    assert (t.name, t.entity, t.pk, t.sk) == (
        "bbws-orders-{environment}",
        "Order",
        "TENANT#{tenantId}",
        "ORDER#{orderId}",
    )
    assert t.name_template == "bbws-orders-{env}"
    assert t.entities[0].gsi_keys == {"GSI1": ["TENANT#{tenantId}", "{dateCreated}#{orderId}"]}
    assert [a.name for a in t.entities[0].attributes] == ["total"]
    gsis = {g.name: g for g in t.gsis}
    assert list(gsis) == ["OrdersByDateIndex", "OrderByIdIndex"]
    by_date = gsis["OrdersByDateIndex"]
    assert (by_date.index, by_date.pk, by_date.sk) == ("GSI1", "TENANT#{tenantId}", "{dateCreated}#{orderId}")
    assert (by_date.pk_attr, by_date.sk_attr, by_date.projection) == ("GSI1_PK", "GSI1_SK", "KEYS_ONLY")
    by_id = gsis["OrderByIdIndex"]  # only in HCL: the key attribute names stand in for patterns
    assert (by_id.pk, by_id.sk, by_id.pk_attr) == ("GSI2_PK", "GSI2_SK", "GSI2_PK")
    assert t.ttl_attribute == "expiresAt"
    assert not [w for w in sink.warnings if "disagrees" in w.message]


def test_access_pattern_tables_and_other_services_tables_are_ignored():
    tables, _ = extract(ORDER)
    assert all("Tenants" not in t.name for t in tables)
    assert all(g.name != "EmailIndex" for t in tables for g in t.gsis)


# ---------------------------------------------------------------------------------------------
# portal style (2.2.x): table name in a heading, one row per entity, GSI Name table


PORTAL = """## 7. Data Models

### 7.1 DynamoDB Schema

#### 7.1.1 Table: `bbws-portal-{env}`

| Entity | PK | SK | Attributes |
|--------|----|----|------------|
| User | `USER#{userId}` | `METADATA` | email, firstName, mfaSecret (encrypted) |
| AuditLog | `USER#{userId}` | `AUDIT#{timestamp}` | action, resource |

#### 7.1.2 GSIs

| GSI Name | PK | SK | Purpose |
|----------|----|----|---------|
| UserEmailIndex | email | entity_type | Find user by email |
| SessionActiveIndex | userId | active#expiresAt | List active sessions |

#### 7.1.3 Example Items

```json
{"PK": "USER#550e8400", "SK": "METADATA", "TableName": "not-a-declaration"}
```
"""


def test_heading_table_name_single_table_design():
    (t,), _ = extract(PORTAL)
    assert (t.name, t.table_name, t.line) == ("bbws-portal-{env}", "bbws-portal-{env}", line_of(PORTAL, "Table: `"))
    assert [(e.name, e.pk, e.sk) for e in t.entities] == [
        ("User", "USER#{userId}", "METADATA"),
        ("AuditLog", "USER#{userId}", "AUDIT#{timestamp}"),
    ]
    assert [a.name for a in t.entities[0].attributes] == ["email", "firstName", "mfaSecret"]
    assert [(g.name, g.pk, g.sk, g.pk_attr, g.sk_attr) for g in t.gsis] == [
        ("UserEmailIndex", "email", "entity_type", "email", "entity_type"),
        ("SessionActiveIndex", "userId", "active#expiresAt", "userId", None),
    ]


def test_dynamodb_table_heading_with_env_prefix():
    body = """## 8. Data Model

### 8.1 DynamoDB Table: `{env}-tenant-resources`

| Entity | PK Pattern | SK Pattern | Purpose |
|--------|------------|------------|---------|
| Instance | `TENANT#{tenant-id}` | `INSTANCE` | Instance record |
"""
    (t,), _ = extract(body)
    assert (t.name, t.name_template, t.pk, t.sk) == (
        "{env}-tenant-resources",
        "{env}-tenant-resources",
        "TENANT#{tenant-id}",
        "INSTANCE",
    )


def test_per_entity_tables_take_gsis_on_the_first_entity():
    body = """## 7. Data Models

### 7.1 DynamoDB Single Table Design

| Entity | PK | SK | Attributes |
|--------|----|----|------------|
| Ticket | `TENANT#{tenant_id}` | `TICKET#{ticket_id}` | All ticket fields |
| FollowUp | `TICKET#{ticket_id}` | `FOLLOWUP#{timestamp}` | message, author |

### 7.3 GSI Definitions

| GSI Name | PK | SK | Purpose |
|----------|----|----|---------|
| GSI1 | `GSI1PK` | `GSI1SK` | Get ticket by ID directly |

### 7.4 Access Patterns

| Access Pattern | Operation | Key Condition |
|----------------|-----------|---------------|
| Get ticket by ID | Query GSI1 | GSI1PK = TICKET#{id} |

### 12.2 Troubleshooting

```bash
aws dynamodb query --table-name bbws-portal-${env} --index-name GSI1
```
"""
    tables, _ = extract(body)
    t = by_name(tables)
    assert list(t) == ["Ticket", "FollowUp"]
    assert all(x.table_name is None for x in tables)
    assert t["Ticket"].entities[0].attributes == []  # "All ticket fields" is prose
    assert [(g.name, g.pk, g.sk) for g in t["Ticket"].gsis] == [("GSI1", "GSI1PK", "GSI1SK")]
    assert t["FollowUp"].gsis == []


# ---------------------------------------------------------------------------------------------
# platform style (2.5/2.6/2.7): value-pattern GSI tables, overloaded GSIs


def test_index_table_with_value_patterns_and_dash_for_no_sort_key():
    body = """## 8. Data Model

### 8.1 DynamoDB Tables

**Table Name**: `sites`
**Capacity Mode**: Provisioned

### 8.2 Item Patterns

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Site | `TENANT#{tenantId}` | `SITE#{siteId}` | Site metadata |
| Plugin (Marketplace) | `PLUGIN` | `PLUGIN#{pluginId}` | Plugin catalog |

### 8.7 GSI Design

| Index | PK | SK | Purpose |
|-------|----|----|---------|
| GSI1 | `OPERATION#{operationId}` | - | Get operation by ID |
| GSI2 | `TENANT#{tenantId}#STATUS` | `{status}#{createdAt}` | List operations by status |
"""
    (t,), _ = extract(body)
    assert (t.name, t.billing_mode) == ("sites", "PROVISIONED")
    assert [e.name for e in t.entities] == ["Site", "Plugin (Marketplace)"]
    assert t.entities[1].class_name == "PluginMarketplace"
    assert [(g.name, g.pk, g.sk, g.pk_attr) for g in t.gsis] == [
        ("GSI1", "OPERATION#{operationId}", None, None),
        ("GSI2", "TENANT#{tenantId}#STATUS", "{status}#{createdAt}", None),
    ]


def test_overloaded_gsi_rows_keep_one_entry_each():
    body = """## Data Model

**Table Name**: `{env}-tenants`

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Organisation | `ORG#{orgId}` | `METADATA` | Organisation |

### Global Secondary Indexes

| Index | PK (GSI1PK/GSI2PK) | SK (GSI1SK/GSI2SK) | Purpose |
|-------|--------------------|--------------------|---------|
| GSI1 - UserOrgIndex | `USER#{userId}` | `ORG#{orgId}` | Orgs of a user |
| GSI1 - OrgUserIndex | `ORG#{orgId}` | `USER#{userId}` | Users of an org |
| GSI2 | `STATUS#{status}` | `{createdAt}` | By status |
"""
    (t,), sink = extract(body)
    assert [(g.name, g.index, g.pk, g.pk_attr, g.sk_attr) for g in t.gsis] == [
        ("UserOrgIndex", "GSI1", "USER#{userId}", "GSI1PK", "GSI1SK"),
        ("OrgUserIndex", "GSI1", "ORG#{orgId}", "GSI1PK", "GSI1SK"),
        ("GSI2", None, "STATUS#{status}", "GSI2PK", "GSI2SK"),
    ]


# ---------------------------------------------------------------------------------------------
# code fences: plain text, pseudo-tables, boxes, CreateTable JSON, key-value GSI blocks


def test_plain_fence_table_name_and_pseudo_table():
    body = """## 6. DynamoDB Table Design

### 6.1 Single Table

```
Table: bbws-{env}-generation

PK                      | SK                 | Type
─────────────────────── | ────────────────── | ───────
SESSION#{sessionId}     | METADATA           | Session
SESSION#{sessionId}     | PAGE#{pageId}      | Page
```
"""
    (t,), _ = extract(body)
    assert t.name == "bbws-{env}-generation"
    assert [(e.name, e.pk, e.sk, e.line) for e in t.entities] == [
        ("Session", "SESSION#{sessionId}", "METADATA", line_of(body, "| Session")),
        ("Page", "SESSION#{sessionId}", "PAGE#{pageId}", line_of(body, "| Page")),
    ]


def test_create_table_json():
    spec = {
        "TableName": "bbws-generation-{env}",
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "GSI1",
                "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
    }
    body = "## 6. DynamoDB Table Design\n\n```json\n" + json.dumps(spec, indent=2) + "\n```\n"
    (t,), _ = extract(body)
    assert (t.name, t.pk, t.sk, t.pk_attr, t.sk_attr, t.ttl_attribute) == (
        "bbws-generation-{env}",
        "PK",
        "SK",
        "PK",
        "SK",
        "ttl",
    )
    (g,) = t.gsis
    assert (g.name, g.pk, g.sk, g.pk_attr, g.sk_attr, g.projection) == (
        "GSI1",
        "GSI1PK",
        None,
        "GSI1PK",
        None,
        "KEYS_ONLY",
    )
    assert g.line == line_of(body, '"IndexName": "GSI1"')


def test_box_drawing_entities_and_gsi_shorthand():
    body = """## 7. Data Models

### 7.1 DynamoDB Design

```
┌──────────────────────────────────────────────────────┐
│ Table: bbws-billing-{env}                            │
├──────────────────────────────────────────────────────┤
│ Entity: Subscription                                 │
│   PK: TENANT#{tenantId}                              │
│   SK: SUBSCRIPTION#{subscriptionId}                  │
│   GSI1PK: STATUS#{status}                            │
│ Entity: Invoice                                      │
│   PK: TENANT#{tenantId}                              │
│   SK: INVOICE#{invoiceId}                            │
│                                                      │
│ GSI1: GSI1PK (PK), GSI1SK (SK) - Status queries      │
└──────────────────────────────────────────────────────┘
```
"""
    (t,), _ = extract(body)
    assert t.name == "bbws-billing-{env}"
    assert [(e.name, e.pk, e.sk) for e in t.entities] == [
        ("Subscription", "TENANT#{tenantId}", "SUBSCRIPTION#{subscriptionId}"),
        ("Invoice", "TENANT#{tenantId}", "INVOICE#{invoiceId}"),
    ]
    assert t.entities[0].gsi_keys == {"GSI1": ["STATUS#{status}", None]}
    assert [(g.name, g.pk, g.sk) for g in t.gsis] == [("GSI1", "GSI1PK", "GSI1SK")]


def test_pattern_headings_and_key_value_gsi_block():
    body = """## 5. DynamoDB Implementation

**Table Name**: `dev-Tenants`

#### Pattern 1: Tenant

```
PK: TENANT#{tenantId}
SK: METADATA
GSI1PK: STATUS#{status}
GSI1SK: TENANT#{tenantId}
```

#### Pattern 2: Tenant User

```
PK: TENANT#{tenantId}
SK: USER#{userId}
```

#### Global Secondary Indexes

```
Name: GSI1
Partition Key: GSI1PK (String)
Sort Key: GSI1SK (String)
Projection: ALL
```
"""
    (t,), _ = extract(body)
    assert t.name == "dev-Tenants"
    assert [(e.name, e.pk, e.sk) for e in t.entities] == [
        ("Tenant", "TENANT#{tenantId}", "METADATA"),
        ("Tenant User", "TENANT#{tenantId}", "USER#{userId}"),
    ]
    assert t.entities[0].gsi_keys == {"GSI1": ["STATUS#{status}", "TENANT#{tenantId}"]}
    assert [(g.name, g.pk, g.sk, g.pk_attr, g.projection) for g in t.gsis] == [
        ("GSI1", "GSI1PK", "GSI1SK", "GSI1PK", "ALL")
    ]


def test_hcl_reader_keeps_lines_and_skips_lists():
    lines = list(
        enumerate(
            [
                'resource "aws_dynamodb_table" "t" {',
                "  name = var.table_name",
                '  tags = ["a",',
                '    "b"]',
                '  hash_key = "PK"  # partition',
                "}",
            ],
            start=10,
        )
    )
    (res,) = parse_hcl(lines).children
    assert (res.labels, res.line, res.get("hash_key"), res.get("name")) == (["aws_dynamodb_table", "t"], 10, "PK", None)
    assert res.attrs["hash_key"][1] == 14


# ---------------------------------------------------------------------------------------------
# micro-syntax, conflicts, explicit absence


def test_alternative_keys_take_the_first_and_warn():
    body = """## Data Models

**Table Name**: `bbws-campaigns-{env}`

#### Campaign Entity

| Attribute | Type | Description |
|-----------|------|-------------|
| PK | String | `CAMPAIGN#{code}` |
| SK | String | `METADATA` or `HISTORY#{timestamp}#{uuid}` |
"""
    (t,), sink = extract(body)
    assert (t.pk, t.sk) == ("CAMPAIGN#{code}", "METADATA")
    assert any("alternatives" in w.message and w.line == line_of(body, "| SK |") for w in sink.warnings)


def test_sections_that_disagree_first_wins_with_both_lines():
    body = """## Data Models

**Table Name**: `payments`

| Entity | PK | SK | Purpose |
|--------|----|----|---------|
| Payment | `PAYMENT#{paymentId}` | `METADATA` | Payment |

### 5.1 Indexes

| GSI Name | PK | SK | Purpose |
|----------|----|----|---------|
| OrderIndex | orderId | createdAt | By order |

### 7.3 Indexes again

| GSI Name | PK | SK | Purpose |
|----------|----|----|---------|
| OrderIndex | orderId | dateCreated | By order |
"""
    (t,), sink = extract(body)
    (g,) = t.gsis
    assert (g.pk, g.sk) == ("orderId", "createdAt")
    first, second = line_of(body, "| createdAt |"), line_of(body, "| dateCreated |")
    assert any(w.line == second and f"line {first}" in w.message for w in sink.warnings)


def test_no_dynamodb_statement_yields_no_table():
    body = """## 1. Introduction

| Decision | Rationale |
|----------|-----------|
| **Stateless Architecture** | No DynamoDB - domain state lives in the registries |

## Appendix B: Environment Variables

```bash
ORDERS_TABLE_NAME=bbws-orders-{env}
```
"""
    tables, _ = extract(body)
    assert tables == []


def test_nothing_declared_yields_no_table_and_odd_input_does_not_raise():
    assert extract("## Data Models\n\nNothing here.\n")[0] == []
    odd = """## Data Models

**Table Name**: ``

| Entity | PK | SK |
|--------|----|----|
| | | |
| *** | `#` | `{` |

```json
{"TableName": 3, "KeySchema": "x", "GlobalSecondaryIndexes": [1, {"IndexName": null}]}
```

```hcl
resource "aws_dynamodb_table" "x" {
  global_secondary_index {
```

```
Entity:
PK:
Name: GSI9
Table: ${env}
```
"""
    tables, _ = extract(odd)
    assert all(isinstance(t, Table) for t in tables)


# ---------------------------------------------------------------------------------------------
# the corpus and the examples


@pytest.mark.parametrize("gt_file", ground_truth_files(), ids=lambda p: p.stem)
def test_ground_truth_tables_and_gsis(gt_file: Path):
    gt = json.loads(gt_file.read_text(encoding="utf-8"))
    spec = parse_file(CORPUS / f"{gt_file.stem}.md")
    if gt.get("tables") is None:
        return
    got = by_name(spec.tables)
    assert sorted(got) == sorted(t["name"] for t in gt["tables"])
    for want in gt["tables"]:
        t = got[want["name"]]
        assert (t.table_name, t.entity, t.pk, t.sk) == (want["table_name"], want["entity"], want["pk"], want["sk"])
        assert (t.pk_attr, t.sk_attr) == (want["pk_attr"], want["sk_attr"])
        if "entities" in want:
            assert [(e.name, e.pk, e.sk) for e in t.entities] == [
                (e["name"], e["pk"], e["sk"]) for e in want["entities"]
            ]
        assert [(g.name, g.pk, g.sk) for g in t.gsis] == [(g["name"], g["pk"], g["sk"]) for g in want["gsis"]]
        for g, w in zip(t.gsis, want["gsis"]):
            for key in ("index", "pk_attr", "sk_attr"):
                if key in w:
                    assert getattr(g, key) == w[key], (g.name, key)
        assert all(x.line for x in [t, *t.entities, *t.gsis])


def test_example_catalogue_has_two_named_tables_and_a_gsi():
    tables = parse_file(CATALOGUE_LLD).tables
    assert [(t.name, t.entity, t.pk, t.sk) for t in tables] == [
        ("bbws-catalogue-products-{env}", "Product", "PRODUCT#{productId}", "METADATA"),
        ("bbws-catalogue-reviews-{env}", "Review", "PRODUCT#{productId}", "REVIEW#{reviewId}"),
    ]
    assert [(g.name, g.pk, g.sk) for g in tables[0].gsis] == [("CategoryIndex", "category", "createdAt")]
    assert tables[1].gsis == []


def test_settings_table_and_infra_key_column():
    body = """## 3. Tenants Table

| Setting | Value | Justification |
|---------|-------|---------------|
| Table Name | `bbws-tenants-{env}` | Naming standard |
| Billing Mode | PROVISIONED | Steady load |
| TTL Attribute | expiresAt | Cleanup |

| Attribute | Type | Key | Required | Default | Description |
|-----------|------|-----|----------|---------|-------------|
| tenantId | S | Partition Key | Yes | - | Tenant id |
| email | S | GSI PK | Yes | - | Login email |

#### GSI 1: EmailIndex

| Attribute | Type | Key Type |
|-----------|------|----------|
| email | String | Partition Key |

| Dependency | Purpose |
|------------|---------|
| DynamoDB table | stores tenants |
"""
    (t,), _ = extract(body)
    assert (t.name, t.billing_mode, t.ttl_attribute) == ("bbws-tenants-{env}", "PROVISIONED", "expiresAt")
    assert (t.pk, t.sk, t.sk_attr, t.pk_attr) == ("tenantId", None, None, "tenantId")
    assert [(e.name, [a.name for a in e.attributes]) for e in t.entities] == [(t.name, ["tenantId", "email"])]
    assert [(g.name, g.index, g.pk, g.sk) for g in t.gsis] == [("EmailIndex", "GSI1", "email", None)]


def test_prose_after_a_table_label_is_not_a_name():
    body = """## Data Models

**Table**: see the infrastructure LLD

```
Table: orders (one per environment)
```

| Entity | PK | SK |
|--------|----|----|
| Order | `ORDER#{orderId}` | `METADATA` |
"""
    (t,), _ = extract(body)
    assert (t.name, t.table_name) == ("orders", "orders")


def test_entity_heading_with_a_variant_parenthetical_names_the_entity():
    """``#### Basket Entity (Guest)``: the parenthetical qualifies the variant; the entity is ``Basket``."""
    body = (
        "## 5. Data Models\n\n### 5.1 DynamoDB Schema\n\n"
        "#### Basket Entity (Guest)\n\n| Attribute | Type | Description |\n|---|---|---|\n"
        "| PK | String | `BASKET#{basketId}` |\n| SK | String | `METADATA` |\n| total | Number | cents |\n\n"
        "#### BasketLine Entity (Guest)\n\n| Attribute | Type | Description |\n|---|---|---|\n"
        "| PK | String | `BASKET#{basketId}` |\n| SK | String | `LINE#{lineId}` |\n| qty | Number | count |\n"
    )
    tables, sink = extract(body)
    names = {e.name: (e.pk, e.sk) for t in tables for e in t.entities}
    assert names == {"Basket": ("BASKET#{basketId}", "METADATA"), "BasketLine": ("BASKET#{basketId}", "LINE#{lineId}")}
    assert not any("naming the table 'Item'" in w.message for w in sink.warnings)
