"""Dependencies, NFRs, tags and user stories: one snippet per notation family of the survey (§7-§10),
plus assertions over the six real LLDs (no ground truth exists for these four concepts)."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.lld import dependencies, nfrs, stories, tags
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers import document
from bbws_scaffold.lld.readers.grammar import load_grammar
from bbws_scaffold.model import EnvVar, Function, Table
from tests.paths import CORPUS


def ctx_for(markdown: str) -> Context:
    text = textwrap.dedent(markdown).lstrip("\n")
    sink = DiagnosticSink()
    grammar = load_grammar()
    return Context(document.build("t.md", text, grammar, sink), grammar, sink)


def corpus_ctx(stem: str) -> Context:
    path = CORPUS / f"{stem}.md"
    if not path.exists():
        pytest.skip(f"corpus file {path.name} not available")
    sink = DiagnosticSink()
    grammar = load_grammar()
    return Context(document.build(path.name, path.read_text(encoding="utf-8"), grammar, sink), grammar, sink)


def by(items: list[Any], attr: str) -> dict[str, Any]:
    return {getattr(i, attr): i for i in items}


# --- dependencies ---------------------------------------------------------------------------------


def test_dependency_purpose_table_maps_aws_names_and_keeps_internal_ones() -> None:
    deps = dependencies.extract(ctx_for("""
        # X
        ## 1.4 Dependencies
        | Dependency | Purpose |
        |------------|---------|
        | AWS DynamoDB | Storage |
        | Amazon Cognito | Users |
        | SES | Email |
        | AWS RDS MySQL | WordPress database |
        | Lambda Authorizer | JWT validation |
        | Order Lambda (2.1.8) | Creates orders |
        | PayFast API | Payments |
        | CloudWatch Logs | Logs |
        | Route 53 API | Domains |
        | Internal ALB | WordPress REST API |
        """))
    got = {d.name: d.service for d in deps}
    assert got == {
        "AWS DynamoDB": "dynamodb",
        "Amazon Cognito": "cognito-idp",
        "SES": "ses",
        "AWS RDS MySQL": "rds",
        "Lambda Authorizer": None,
        "Order Lambda (2.1.8)": None,
        "PayFast API": None,
        "CloudWatch Logs": "logs",
        "Route 53 API": "route53",
        "Internal ALB": "elasticloadbalancing",
    }
    assert deps[0].line == 5 and deps[0].purpose == "Storage"


def test_dependency_type_column_can_veto_aws() -> None:
    deps = dependencies.extract(ctx_for("""
        # X
        ### 1.6 Dependencies
        | Dependency | Type | Purpose |
        |------------|------|---------|
        | AWS DynamoDB | Data Store | Tenant metadata |
        | Cognito Tenant Pools | Internal LLD | Auth design |
        """))
    assert [(d.name, d.service) for d in deps] == [("AWS DynamoDB", "dynamodb"), ("Cognito Tenant Pools", None)]


def test_split_dependency_sections_ai_storage_integration() -> None:
    deps = dependencies.extract(ctx_for("""
        # X
        ## 2. Technology Stack
        ### 2.2 AI/ML Services
        | Service | Model | Purpose |
        |---------|-------|---------|
        | AWS Bedrock | Claude Sonnet 4.5 (`anthropic.claude-sonnet-4-5`) | Text generation |
        ### 2.3 Data Storage
        | Service | Purpose | Capacity Mode |
        |---------|---------|---------------|
        | DynamoDB | Sessions | On-Demand |
        ### 2.4 Python Dependencies
        ```python
        boto3>=1.34.0
        ```
        ### 2.5 AWS Services Integration
        | Service | Purpose |
        |---------|---------|
        | X-Ray | Tracing |
        | VPC Endpoints | Private Bedrock access |
        """))
    assert [(d.name, d.service) for d in deps] == [
        ("AWS Bedrock", "bedrock"),
        ("DynamoDB", "dynamodb"),
        ("X-Ray", "xray"),
        ("VPC Endpoints", None),
    ]
    assert "anthropic.claude-sonnet-4-5" in (deps[0].purpose or "")


def test_declared_dependencies_win_over_iam_policies() -> None:
    deps = dependencies.extract(ctx_for("""
        # X
        ## Dependencies
        | Dependency | Purpose |
        |---|---|
        | AWS SQS | Queue |
        ## Security
        ```json
        {"Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}
        ```
        """))
    assert [d.service for d in deps] == ["sqs"]


def test_derived_from_iam_policies_in_json_hcl_and_yaml() -> None:
    deps = dependencies.extract(ctx_for("""
        # X
        ## 8. Security
        ```json
        {
          "Statement": [
            {
              "Effect": "Allow",
              "Action": [
                "dynamodb:Query",
                "dynamodb:PutItem"
              ],
              "Resource": "arn:aws:dynamodb:*:*:table/x"
            },
            {
              "Effect": "Allow",
              "Action": "ses:SendEmail",
              "Condition": {"StringEquals": {"ses:FromAddress": "a@b.c"}}
            },
            {
              "Effect": "Deny",
              "NotAction": ["iam:*"]
            }
        ```
        ```hcl
        resource "aws_iam_policy" "p" {
          policy = jsonencode({
            Statement = [{
              Effect = "Allow"
              Action = ["s3:GetObject"]
            }]
          })
        }
        data "aws_iam_policy_document" "d" {
          statement {
            effect  = "Allow"
            actions = ["sqs:SendMessage", "sqs:GetQueueUrl"]
          }
        }
        ```
        ```yaml
        Statement:
          - Effect: Allow
            Action:
              - secretsmanager:GetSecretValue
        ```
        """))
    got = by(deps, "service")
    assert set(got) == {"dynamodb", "ses", "s3", "sqs", "secretsmanager"}
    assert got["dynamodb"].line == 9
    assert got["dynamodb"].purpose == "derived from IAM policy (line 9): dynamodb:Query, dynamodb:PutItem"
    assert got["ses"].purpose == "derived from IAM policy (line 16): ses:SendEmail"  # not ses:FromAddress
    assert got["sqs"].name == "Amazon SQS" and "sqs:GetQueueUrl" in (got["sqs"].purpose or "")


def test_never_derived_from_diagrams_or_prose() -> None:
    deps = dependencies.extract(ctx_for("""
        # X
        ## Sequence
        ```mermaid
        sequenceDiagram
            participant SES
            Handler->>DynamoDB: put_item
        ```
        The handler sends email with SES and stores orders in DynamoDB.
        """))
    assert deps == []


def test_derived_from_tables_triggers_and_env_vars() -> None:
    deps = dependencies.extract(
        ctx_for("# X\n## Overview\ntext\n"),
        tables=[Table(name="orders", table_name="orders-{env}", line=40)],
        functions=[Function(name="worker", trigger="sqs", source_name="q-{env}", line=12)],
        env_vars=[
            EnvVar(name="COGNITO_USER_POOL_ID", line=90),
            EnvVar(name="SES_FROM_EMAIL", line=91),
            EnvVar(name="JWT_SECRET_ARN", example="arn:aws:secretsmanager:af-south-1:1:secret:x", line=92),
            EnvVar(name="LOG_LEVEL", line=93),
        ],
    )
    got = by(deps, "service")
    assert set(got) == {"dynamodb", "sqs", "cognito-idp", "ses", "secretsmanager"}
    assert got["dynamodb"].purpose == "derived from DynamoDB table 'orders-{env}' (line 40)"
    assert got["sqs"].line == 12 and "q-{env}" in (got["sqs"].purpose or "")
    assert got["secretsmanager"].line == 92


# --- NFRs -----------------------------------------------------------------------------------------


NFR_DOC = """
    # X
    ## 7. NFRs
    ### 7.1 Performance
    | Metric | Target |
    |--------|--------|
    | Login latency (p95) | < 500ms |
    | Cold start | < 1000ms |
    | Concurrent requests | 100/second |
    ### 7.2 Availability
    | Metric | Target |
    |--------|--------|
    | Uptime | 99.9% |
    | Error rate | < 0.1% |
    | Failover time | < 30s |
    | Data durability | 99.999999999% |
    ### 7.3 Scalability
    - Lambda auto-scales to handle traffic spikes
    - **Search latency**: < 2 seconds (p99)
    """


def test_metric_target_tables_are_typed() -> None:
    got = by(nfrs.extract(ctx_for(NFR_DOC)), "metric")
    login = got["Login latency (p95)"]
    assert (login.kind, login.percentile, login.threshold, login.unit) == ("latency", "p95", 500.0, "ms")
    assert (login.category, login.line, login.target) == ("Performance", 6, "< 500ms")
    assert (got["Cold start"].kind, got["Cold start"].threshold) == ("cold_start", 1000.0)
    assert (got["Concurrent requests"].kind, got["Concurrent requests"].threshold) == ("throughput", 100.0)
    assert (got["Uptime"].kind, got["Uptime"].threshold, got["Uptime"].unit) == ("availability", 99.9, "%")
    assert (got["Error rate"].kind, got["Error rate"].threshold) == ("error_rate", 0.1)
    assert got["Failover time"].kind == "other" and got["Data durability"].kind == "other"


def test_bullet_nfrs_are_kept() -> None:
    got = by(nfrs.extract(ctx_for(NFR_DOC)), "metric")
    plain = got["Lambda auto-scales to handle traffic spikes"]
    assert (plain.kind, plain.target, plain.category) == ("other", "", "Scalability")
    search = got["Search latency"]
    assert (search.kind, search.threshold, search.percentile) == ("latency", 2000.0, "p99")


@pytest.mark.parametrize(
    "header, row, metric, kind, threshold",
    [
        (
            "| Metric | Target | Measurement |",
            "| Domain Search Latency | < 2s P95 | CloudWatch |",
            "Domain Search Latency",
            "latency",
            2000.0,
        ),
        ("| Requirement | Target |", "| API Response Time | <500ms (p95) |", "API Response Time", "latency", 500.0),
        (
            "| Dimension | Limit | Notes |",
            "| Follow-ups per ticket | 100 | Soft limit |",
            "Follow-ups per ticket",
            "other",
            None,
        ),
        (
            "| Aspect | Target | Implementation |",
            "| Concurrent Searches | 1000 req/s | auto |",
            "Concurrent Searches",
            "throughput",
            1000.0,
        ),
        (
            "| NFR | Target | Measurement |",
            "| Site creation time | < 15 minutes | metric |",
            "Site creation time",
            "latency",
            900000.0,
        ),
        ("| Operation | Target | Max Acceptable |", "| Get order | < 200ms | 500ms |", "Get order", "latency", 200.0),
        ("| Metric | Target |", "| RTO | < 1 hour |", "RTO", "other", None),
        (
            "| Metric | Target |",
            "| Order processing success rate | 99.95% |",
            "Order processing success rate",
            "other",
            None,
        ),
        (
            "| Metric | Target |",
            "| Message throughput | 600 messages/minute |",
            "Message throughput",
            "throughput",
            10.0,
        ),
    ],
)
def test_nfr_header_shapes(header: str, row: str, metric: str, kind: str, threshold: float | None) -> None:
    sep = "|" + "---|" * (header.count("|") - 1)
    doc = f"# X\n## Non-Functional Requirements\n### Performance Requirements\n{header}\n{sep}\n{row}\n"
    [nfr] = nfrs.extract(ctx_for(doc))
    assert (nfr.metric, nfr.kind, nfr.threshold, nfr.category) == (metric, kind, threshold, "Performance")


def test_measurement_column_and_bare_table_without_category() -> None:
    [nfr] = nfrs.extract(ctx_for("""
        # X
        ## NFRs (Non-Functional Requirements)
        | Metric | Target | Measurement |
        |---|---|---|
        | API availability | 99.9% (SLA) | CloudWatch Synthetics |
        """))
    assert (nfr.category, nfr.kind, nfr.measurement) == (None, "availability", "CloudWatch Synthetics")


def test_standalone_performance_heading_needs_metric_and_target_columns() -> None:
    found = nfrs.extract(ctx_for("""
        # X
        ## Monitoring
        ### Performance
        | Setting | Value |
        |---|---|
        | Memory | 512MB |

        | Metric | Target |
        |---|---|
        | Get latency (p99) | < 50ms |
        """))
    assert [(n.metric, n.kind, n.category) for n in found] == [("Get latency (p99)", "latency", "Performance")]


def test_nfr_rows_outside_nfr_sections_are_ignored() -> None:
    assert nfrs.extract(ctx_for("# X\n## Security\n| Operation | Limit |\n|---|---|\n| login | 5/minute |\n")) == []


# --- tags -----------------------------------------------------------------------------------------


def test_tag_value_table_with_escaped_pipes() -> None:
    found = tags.extract(ctx_for("""
        # X
        ## 9. Tagging
        ### 9.1 AWS Resource Tags
        | Tag | Value |
        |-----|-------|
        | Project | BBWS |
        | Environment | {dev\\|sit\\|prod} |
        """))
    assert [(t.key, t.value, t.line) for t in found] == [("Project", "BBWS", 6), ("Environment", "{dev|sit|prod}", 7)]


def test_tag_key_tables_with_purpose_and_example() -> None:
    found = tags.extract(ctx_for("""
        # X
        ## 13. Tagging
        ### 13.1 Resource Tags
        | Tag Key | Value | Purpose |
        |---------|-------|---------|
        | `Environment` | dev / sit / prod | Environment identification |
        | `Managed-by` | terraform | IaC |
        ### 4.2 Unified Tag Standard
        | Tag Key | Tag Value | Purpose | Example |
        |---------|-----------|---------|---------|
        | `bbws:tenant-id` | `{tenantId}` | Tenant identification | `acme` |
        """))
    assert [(t.key, t.value, t.purpose) for t in found] == [
        ("Environment", "dev / sit / prod", "Environment identification"),
        ("Managed-by", "terraform", "IaC"),
        ("bbws:tenant-id", "{tenantId}", "Tenant identification"),
    ]


def test_glossary_rows_and_prose_are_not_tags() -> None:
    ctx = ctx_for("""
        # X
        ## 9. Tagging
        | Tag | Value |
        |-----|-------|
        | Project | BBWS |
        | Application | Customer Portal Public |
        | OTP | One-Time Password for verification |
        | PII | Personally Identifiable Information |
        | SES | AWS Simple Email Service |
        | Note | All resources must carry these tags at creation time. |

        | Term | Definition |
        |------|------------|
        | JWT | JSON Web Token |
        """)
    found = tags.extract(ctx)
    assert [t.key for t in found] == ["Project", "Application"]
    skipped = sorted(d.line or 0 for d in ctx.sink.warnings if "tag row" in d.message)
    assert skipped == [7, 8, 9, 10]


def test_hcl_tag_maps_are_the_fallback() -> None:
    found = tags.extract(ctx_for("""
        # X
        ## Infrastructure
        ```hcl
        resource "aws_dynamodb_table" "t" {
          tags = {
            "bbws:component" = "tenant-management"
            "bbws:environment" = var.environment
          }
        }
        variable "common_tags" {
          default = {
            Project     = "BBWS"
            ManagedBy   = "terraform"
          }
        }
        ```
        """))
    assert [(t.key, t.value, t.line) for t in found] == [("Project", "BBWS", 12), ("ManagedBy", "terraform", 13)]


def test_hcl_default_tags_before_resource_tags_and_table_wins_over_hcl() -> None:
    resource = """
        ```hcl
        resource "aws_s3_bucket" "b" {
          tags = merge(local.x, {
            Name = "bucket"
          })
        }
        ```
        """
    provider = """
        ```terraform
        provider "aws" {
          default_tags {
            tags = {
              Project = "BBWS"
            }
          }
        }
        ```
        """
    assert [t.key for t in tags.extract(ctx_for("# X\n## Infra\n" + textwrap.dedent(resource)))] == ["Name"]
    both = "# X\n## Infra\n" + textwrap.dedent(resource) + textwrap.dedent(provider)
    assert [(t.key, t.value) for t in tags.extract(ctx_for(both))] == [("Project", "BBWS")]
    with_table = "# X\n## Tagging\n| Tag | Value |\n|---|---|\n| Owner | team |\n" + textwrap.dedent(provider)
    assert [t.key for t in tags.extract(ctx_for(with_table))] == ["Owner"]


# --- user stories ---------------------------------------------------------------------------------


def test_epic_column_table() -> None:
    found = stories.extract(ctx_for("""
        # X
        ## 2. High Level Epic Overview
        ### 2.1 User Stories - Search & Pricing
        | User Story # | Epic | User Story | Test Scenario(s) |
        |--------------|------|------------|------------------|
        | US-DOM-001 | Domain Search | As a visitor, I search | Given a name, then results returned |
        | - | Domain Search | As a visitor, I see suggestions | Given taken<br/>Given free |
        """))
    assert [(s.id, s.epic, s.line) for s in found] == [
        ("US-DOM-001", "Domain Search", 6),
        ("US-DOMAIN-SEARCH-002", "Domain Search", 7),
    ]
    assert found[0].ident == "us_dom_001"
    assert found[1].scenarios == ["Given taken", "Given free"]


def test_lambda_function_column_and_epic_heading() -> None:
    [s1, s2] = stories.extract(ctx_for("""
        # X
        ## 2. High Level Epic Overview
        ### 2.1 Epic 9: Support Tickets (US 9.1-9.4)
        | User Story # | User Story | Lambda Function | Test Scenario(s) |
        |--------------|------------|-----------------|------------------|
        | US 9.1 | View My Tickets | `list_tickets` | Given valid JWT, then tickets returned |
        | US 9.3 | View Details | `get_ticket`, `list_followups` | 1. Given id, then thread 2. Given bad id, then 404 |
        """))
    assert (s1.id, s1.epic, s1.story, s1.functions) == (
        "US 9.1",
        "Support Tickets",
        "View My Tickets",
        ["list_tickets"],
    )
    assert s2.functions == ["get_ticket", "list_followups"]
    assert s2.scenarios == ["Given id, then thread", "Given bad id, then 404"]
    assert s1.ident == "us_9_1"


def test_story_id_table_with_given_when_then() -> None:
    [story] = stories.extract(ctx_for("""
        # X
        ## 2. High Level Epic Overview
        ### Epic 3: Tenant Management
        | User Story ID | User Story | Test Scenario(s) |
        |---------------|------------|------------------|
        | US-011 | As an operator, I create a tenant | GIVEN creds WHEN I run `create.py` THEN it is created AND set |
        """))
    assert (story.id, story.epic) == ("US-011", "Tenant Management")
    assert story.scenarios == ["GIVEN creds WHEN I run create.py THEN it is created AND set"]


def test_epic_table_with_id_ranges() -> None:
    found = stories.extract(ctx_for("""
        # X
        ## 2. High Level Epic Overview
        | Epic | User Stories | Description |
        |------|-------------|-------------|
        | EPIC-001 | US-2.7-001 to US-2.7-003 | Customer Onboarding |
        | EPIC-002 | US-2.7-006, US-2.7-007 | Lifecycle Management |
        """))
    assert [s.id for s in found] == ["US-2.7-001", "US-2.7-002", "US-2.7-003", "US-2.7-006", "US-2.7-007"]
    assert found[0].epic == "EPIC-001: Customer Onboarding" and found[0].line == 5


def test_user_story_column_holding_ids_under_epic_headings() -> None:
    found = stories.extract(ctx_for("""
        # X
        ### 1.4 Epics and User Stories Covered
        #### Epic 1: AI Page Generation
        | User Story | Description |
        |------------|-------------|
        | US-001 | Natural language to landing page generation |
        #### Epic 6: Site Designer
        | User Story | Description | AI Model |
        |------------|-------------|----------|
        | US-011 | Logo generation | Stable Diffusion XL |
        """))
    assert [(s.id, s.epic, s.story) for s in found] == [
        ("US-001", "AI Page Generation", "Natural language to landing page generation"),
        ("US-011", "Site Designer", "Logo generation"),
    ]


def test_semicolon_scenarios_and_duplicate_ids() -> None:
    ctx = ctx_for("""
        # X
        ## User Stories
        | User Story # | User Story | Test Scenario(s) |
        |---|---|---|
        | US-1 | A | Given a, then b; Given c, then d |
        | US-1 | Again | Given e |
        """)
    [story] = stories.extract(ctx)
    assert story.scenarios == ["Given a, then b", "Given c, then d"]
    assert any("repeats" in d.message for d in ctx.sink.warnings)


def test_reference_tables_elsewhere_are_not_stories() -> None:
    found = stories.extract(ctx_for("""
        # X
        ## 1.4 BRS/HLD References
        | Reference | Document | Section |
        |---|---|---|
        | US 3.8 | BRS 2.2 | View My Profile |
        ## Appendix
        | User Story # | User Story | Test Scenario(s) |
        |---|---|---|
        | US-9 | Found anywhere | Given x |
        """))
    assert [s.id for s in found] == ["US-9"]


# --- the six real LLDs ----------------------------------------------------------------------------


def test_corpus_auth_2_1_2() -> None:
    ctx = corpus_ctx("2.1.2_LLD_Auth_Lambda")
    found = stories.extract(ctx)
    assert [s.id for s in found] == [f"US-AUTH-00{i}" for i in range(1, 8)]
    assert [t.key for t in tags.extract(ctx)] == ["Project", "Application", "Component", "Environment", "CostCenter"]
    login = by(nfrs.extract(ctx), "metric")["Login latency (p95)"]
    assert (login.kind, login.percentile, login.threshold, login.unit, login.line) == (
        "latency",
        "p95",
        500.0,
        "ms",
        719,
    )
    assert [d.service for d in dependencies.extract(ctx)] == ["cognito-idp", "dynamodb", "ses", "secretsmanager"]


def test_corpus_portal_auth_2_2_2() -> None:
    ctx = corpus_ctx("2.2.2_LLD_Portal_Auth")
    found = by(stories.extract(ctx), "id")
    assert found["US 3.10"].functions == ["enable_mfa", "verify_mfa"]
    assert found["US 4.1"].epic == "Dashboard & Account Management"
    assert len(tags.extract(ctx)) == 8  # the table, not the HCL repeat in §13.2
    assert by(dependencies.extract(ctx), "name")["Lambda Authorizer"].service is None


def test_corpus_ticket_2_2_6() -> None:
    ctx = corpus_ctx("2.2.6_LLD_Portal_Ticket")
    assert {d.service for d in dependencies.extract(ctx)} == {"dynamodb", "s3", "ses", "sns", "events", None}
    api = by(nfrs.extract(ctx), "metric")["API Response Time"]
    assert (api.kind, api.percentile, api.threshold) == ("latency", "p95", 500.0)
    assert [s.epic for s in stories.extract(ctx)] == ["Support Tickets"] * 4


def test_corpus_sites_2_6() -> None:
    ctx = corpus_ctx("2.6_LLD_WordPress_Site_Management")
    assert len(stories.extract(ctx)) == 24
    assert tags.extract(ctx) == []
    assert by(nfrs.extract(ctx), "metric")["Lambda Cold Start"].threshold == 3000.0


def test_corpus_domain_2_1_11() -> None:
    ctx = corpus_ctx("2.1.11_LLD_Domain_Lambda")
    assert [t.key for t in tags.extract(ctx)][-2:] == ["Managed-by", "HLD"]
    assert len(stories.extract(ctx)) == 12
    search = by(nfrs.extract(ctx), "metric")["Domain Search Latency"]
    assert (search.threshold, search.percentile, search.measurement) == (2000.0, "p95", "CloudWatch Lambda Duration")


def test_corpus_order_2_1_8_derives_from_declarations_only() -> None:
    ctx = corpus_ctx("2.1.8_LLD_Order_Lambda")
    got = by(dependencies.extract(ctx), "service")
    assert got["s3"].line == 1839 and got["s3"].purpose.startswith("derived from IAM policy (line 1839)")
    assert "ses" not in got  # SES appears only in diagrams, prose and a Target column
    assert len(stories.extract(ctx)) == 12
