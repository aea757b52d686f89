"""Specs for the render tests.

``load_spec(lld)`` uses the real parser when it yields something for the file (endpoints or
functions), else falls back to a spec built here: by hand for the examples, from the corpus
ground truth for the corpus LLDs. Once the parser lands the fallbacks simply stop being used.
"""

from __future__ import annotations

import json
import re
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

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "lld_corpus"
EXAMPLES = ROOT / "examples"


def parsed(lld: Path) -> ServiceSpec | None:
    """The parser's spec, when the parser is far enough along to describe this LLD."""
    try:
        from bbws_scaffold.lld.parser import parse_file

        spec = parse_file(lld)
    except Exception:  # noqa: BLE001 - the parser is work in progress; fall back
        return None
    if not (spec.endpoints or spec.functions) or not spec.tables and "catalogue" in lld.name.lower():
        return None
    return spec


def load_spec(lld: Path) -> ServiceSpec:
    spec = parsed(lld)
    if spec is not None:
        return spec
    name = lld.name.lower()
    if "catalogue" in name:
        return catalogue_spec()
    if "preferences" in name:
        return preferences_spec()
    gt = CORPUS / "ground_truth" / (lld.stem + ".json")
    if gt.is_file():
        return from_ground_truth(gt)
    raise LookupError(f"no spec for {lld}")


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
        endpoints=[Endpoint(method=m, path=p, operation_id=o, source="openapi") for m, p, o in eps],  # type: ignore[arg-type]
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


# --------------------------------------------------------------------------- corpus ground truth


def _runtime(gt: dict) -> Runtime:  # type: ignore[type-arg]
    m = re.search(r"(\d+\.\d+)", gt.get("runtime") or "")
    return Runtime(
        python_version=m.group(1) if m else "3.12",
        memory_mb=gt.get("memory_mb"),
        timeout_s=gt.get("timeout_s"),
        architecture=gt.get("architecture") if gt.get("architecture") in ("arm64", "x86_64") else None,
    )


def _trigger(raw: str) -> tuple[str, str | None]:
    low = raw.lower()
    src = raw.split(":", 1)[1].strip() if ":" in raw else None
    for key, trig in (("sqs", "sqs"), ("eventbridge", "eventbridge"), ("schedule", "schedule"), ("s3", "s3")):
        if key in low:
            return trig, src
    return "other", src


def from_ground_truth(path: Path) -> ServiceSpec:
    gt = json.loads(path.read_text())
    title = gt["title"]
    service = re.sub(r"(?i)\s*-?\s*low-level design.*$", "", title)
    service = re.sub(r"(?i)\b(lld|cpp|lambda)\b", "", service).strip(" -") or "Service"
    endpoints = [
        Endpoint(
            method=e["method"],
            path=e["path"],
            function=e.get("function"),
            operation_id=e.get("operation_id"),
            primary=e.get("primary", True),
            auth=e.get("auth"),
        )
        for e in gt["endpoints"]
    ]
    functions = [
        Function(name=e["function"], method=e["method"], path=e["path"]) for e in gt["endpoints"] if e.get("function")
    ]
    seen = {f.ident for f in functions}
    functions = [f for i, f in enumerate(functions) if f.ident not in {g.ident for g in functions[:i]}]
    for o in gt.get("other_functions") or []:
        trig, src = _trigger(o.get("trigger") or "")
        fn = Function(
            name=o["function"],
            trigger=trig,  # type: ignore[arg-type]
            trigger_raw=o.get("trigger"),
            source_name=src,
            memory_mb=o.get("memory_mb"),
            timeout_s=o.get("timeout_s"),
        )
        if fn.ident not in seen:
            functions.append(fn)
            seen.add(fn.ident)
    tables = []
    for t in gt.get("tables") or []:
        gsis = [
            GSI(
                name=g["name"],
                index=g.get("index"),
                pk=g.get("pk"),
                sk=g.get("sk"),
                pk_attr=g.get("pk_attr"),
                sk_attr=g.get("sk_attr"),
            )
            for g in t.get("gsis") or []
        ]
        entities = [Entity(name=e["name"], pk=e.get("pk"), sk=e.get("sk")) for e in (t.get("entities") or [])]
        tables.append(
            Table(
                name=t["name"],
                table_name=t.get("table_name"),
                entity=t.get("entity"),
                pk=t.get("pk"),
                sk=t.get("sk"),
                pk_attr=t.get("pk_attr") or "PK",
                sk_attr=t.get("sk_attr") or ("SK" if t.get("sk") else None),
                entities=entities,
                gsis=gsis,
            )
        )
    models = [DataModel(name=m) for m in gt.get("models") or []]
    env = [EnvVar(name=n) for n in gt.get("env_vars") or []]
    return ServiceSpec(
        source_file=Path(gt["file"]).name,
        lld_number=gt.get("lld_number"),
        title=title,
        service_name=service,
        version=gt.get("version"),
        parent_hld=gt.get("parent_hld"),
        repo=gt.get("repo") or "",
        runtime=_runtime(gt),
        endpoints=endpoints,
        functions=functions,
        tables=tables,
        models=models,
        env_vars=env,
    )
