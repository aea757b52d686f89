"""Specs for the render tests.

``load_spec(lld)`` is the real parser's spec of an LLD (end-to-end tests never fall back to a
hand-built one). ``catalogue_spec()`` and ``preferences_spec()`` are small hand-built specs for
unit tests of the binding and of ``new`` that should not depend on the parser.
"""

from __future__ import annotations

from pathlib import Path

from bbws_scaffold.model import (
    GSI,
    Attribute,
    DataModel,
    Endpoint,
    Entity,
    EnumValue,
    EnvVar,
    Function,
    ModelField,
    Runtime,
    ServiceSpec,
    Table,
    UserStory,
)


def load_spec(lld: Path) -> ServiceSpec:
    """The parser's spec of an LLD: end-to-end tests never fall back to a hand-built one."""
    from bbws_scaffold.lld.parser import parse_file

    return parse_file(lld)


# --------------------------------------------------------------------------- examples


def _f(name: str, type_: str, alias: str | None = None, optional: bool = False, **c: object) -> ModelField:
    default = c.pop("default", None)
    return ModelField(
        name=name,
        alias=alias,
        type=type_,
        optional=optional,
        required=not optional and default is None,
        default=default,  # type: ignore[arg-type]
        constraints=c,  # type: ignore[arg-type]
    )


def catalogue_spec() -> ServiceSpec:
    s = "string"
    product_attrs = [
        Attribute(name="PK", type=s, description="`PRODUCT#{productId}`"),
        Attribute(name="SK", type=s, description="`METADATA`"),
        Attribute(name="productId", type=s, description="UUID v4"),
        Attribute(name="sku", type=s, description="Stock keeping unit, upper case (e.g. `WP-HOST-BASIC`)"),
        Attribute(name="name", type=s, description="Product name (1-120 characters)"),
        Attribute(name="description", type=s, description="Marketing description | max 2000 <b>chars</b>"),
        Attribute(name="category", type=s, description="Category slug"),
        Attribute(name="price", type="number", description="Price excluding VAT"),
        Attribute(name="currency", type=s, description="ISO 4217 code (default ZAR)"),
        Attribute(name="status", type=s, description="DRAFT, PUBLISHED, ARCHIVED"),
        Attribute(name="imageUrls", type="list", description="CloudFront image URLs (max 10)"),
        Attribute(name="createdAt", type=s, description="ISO 8601 timestamp"),
        Attribute(name="updatedAt", type=s, description="ISO 8601 timestamp"),
        Attribute(name="publishedAt", type=s, description="ISO 8601 timestamp, set by publish_product"),
    ]
    review_attrs = [
        Attribute(name="PK", type=s),
        Attribute(name="SK", type=s),
        Attribute(name="reviewId", type=s),
        Attribute(name="productId", type=s),
        Attribute(name="rating", type="number", description="Star rating 1-5"),
        Attribute(name="title", type=s),
        Attribute(name="comment", type=s),
        Attribute(name="authorName", type=s),
        Attribute(name="createdAt", type=s),
    ]
    fns = [
        ("create_product", "POST", "/v1.0/products", "Create a product in DRAFT status"),
        ("get_product", "GET", "/v1.0/products/{productId}", "Get product details"),
        ("list_products", "GET", "/v1.0/products", "List products with pagination"),
        (
            "list_products_by_category",
            "GET",
            "/v1.0/categories/{category}/products",
            "List products of one category, newest first (CategoryIndex)",
        ),
        ("update_product", "PUT", "/v1.0/products/{productId}", "Update product details"),
        ("delete_product", "DELETE", "/v1.0/products/{productId}", "Delete a product"),
        ("create_review", "POST", "/v1.0/products/{productId}/reviews", "Add a review to a product"),
        ("list_reviews", "GET", "/v1.0/products/{productId}/reviews", "List the reviews of a product"),
        (
            "publish_product",
            "POST",
            "/v1.0/products/{productId}/publish",
            'Validate a DRAFT product against the "publishing rules" and make it visible to customers',
        ),
    ]
    stories = [
        ("US-CAT-001", "As a catalogue admin, I want to create a product", ["create_product"]),
        ("US-CAT-002", "As a visitor, I want to view a product", ["get_product"]),
        ("US-CAT-003", "As a visitor, I want to browse all products", ["list_products"]),
        ("US-CAT-004", "As a visitor, I want to browse products by category", ["list_products_by_category"]),
        ("US-CAT-005", "As a catalogue admin, I want to edit a product", ["update_product"]),
        ("US-CAT-006", "As a catalogue admin, I want to delete a product", ["delete_product"]),
        ("US-CAT-007", "As a customer, I want to review a product", ["create_review"]),
        ("US-CAT-008", "As a visitor, I want to read the reviews of a product", ["list_reviews"]),
        (
            "US-CAT-009",
            "As a catalogue admin, I want to publish a finished product so that customers can buy it",
            ["publish_product"],
        ),
    ]
    return ServiceSpec(
        source_file="2.9.1_LLD_Catalogue_Lambda.md",
        lld_number="2.9.1",
        title="Catalogue Lambda - Low-Level Design",
        service_name="Catalogue",
        version="1.1",
        status="Draft",
        parent_hld="../HLDs/2.9_HLD_Product_Catalogue.md",
        component="Catalogue Service (2_bbws_catalogue_lambda)",
        repo="2_bbws_catalogue_lambda",
        repo_source="component",
        runtime=Runtime(python_version="3.12", memory_mb=256, timeout_s=30, architecture="arm64"),
        endpoints=[Endpoint(method=m, path=p, function=n, summary=d) for n, m, p, d in fns],  # type: ignore[arg-type]
        functions=[Function(name=n, method=m, path=p, description=d) for n, m, p, d in fns],  # type: ignore[arg-type]
        tables=[
            Table(
                name="Products",
                table_name="bbws-catalogue-products-{env}",
                entities=[Entity(name="Product", pk="PRODUCT#{productId}", sk="METADATA", attributes=product_attrs)],
                gsis=[GSI(name="CategoryIndex", pk="category", sk="createdAt")],
            ),
            Table(
                name="Reviews",
                table_name="bbws-catalogue-reviews-{env}",
                entities=[
                    Entity(name="Review", pk="PRODUCT#{productId}", sk="REVIEW#{reviewId}", attributes=review_attrs)
                ],
            ),
        ],
        models=[
            DataModel(
                name="ProductStatus",
                kind="enum",
                bases=["str", "Enum"],
                values=[EnumValue(name=v, value=v) for v in ("DRAFT", "PUBLISHED", "ARCHIVED")],
            ),
            DataModel(
                name="CreateProductRequest",
                fields=[
                    _f("sku", "str", min_length=3, max_length=40, pattern=r"^[A-Z0-9-]+$"),
                    _f("name", "str", min_length=1, max_length=120),
                    _f("description", "Optional[str]", optional=True, max_length=2000),
                    _f("category", "str", min_length=2, max_length=40),
                    _f("price", "Decimal", gt=0, decimal_places=2),
                    _f("currency", "str", default='"ZAR"', min_length=3, max_length=3),
                    _f("status", "ProductStatus", default="ProductStatus.DRAFT"),
                    _f("image_urls", "List[str]", alias="imageUrls", default="[]", max_length=10),
                    _f("created_at", "datetime", alias="createdAt", optional=True),
                    _f("vendor", "VendorInfo", optional=True),
                ],
            ),
            DataModel(
                name="CreateReviewRequest",
                fields=[
                    _f("rating", "int", ge=1, le=5),
                    _f("title", "str", min_length=1, max_length=120),
                    _f("comment", "Optional[str]", optional=True, max_length=2000),
                    _f("author_name", "str", alias="authorName", min_length=1, max_length=80),
                ],
            ),
        ],
        env_vars=[
            EnvVar(name="DYNAMODB_PRODUCTS_TABLE", example="bbws-catalogue-products-{env}"),
            EnvVar(name="DYNAMODB_REVIEWS_TABLE", example="bbws-catalogue-reviews-{env}"),
            EnvVar(name="LOG_LEVEL", example="INFO"),
        ],
        user_stories=[UserStory(id=i, story=t, functions=f) for i, t, f in stories],
    )


def preferences_spec() -> ServiceSpec:
    eps = [
        ("GET", "/portal/preferences", "getPreferences"),
        ("PUT", "/portal/preferences", "updatePreferences"),
        ("GET", "/portal/preferences/notifications", "getNotificationPreferences"),
        ("PUT", "/portal/preferences/notifications/{category}", "updateNotificationCategory"),
        ("POST", "/portal/preferences/export", "exportPreferences"),
    ]
    return ServiceSpec(
        title="Portal Preferences Service - Low-Level Design",
        service_name="Portal Preferences",
        repo="2_2_bbws_portal_svc_preferences",
        runtime=Runtime(python_version="3.12", architecture="arm64"),
        endpoints=[
            Endpoint(method=m, path=p, operation_id=o, source="openapi") for m, p, o in eps  # type: ignore[arg-type]
        ],
        tables=[
            Table(
                name="bbws-portal-{env}",
                table_name="bbws-portal-{env}",
                entities=[
                    Entity(name="Preferences", pk="USER#{userId}", sk="PREFERENCES"),
                    Entity(name="NotificationPreference", pk="USER#{userId}", sk="NOTIFY#{category}"),
                ],
            )
        ],
        user_stories=[UserStory(id="US-12.1", story="As a user I want to see my preferences")],
    )
