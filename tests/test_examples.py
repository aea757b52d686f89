"""The LLDs written for this project (examples/ and lld_grammar/TEMPLATE.md).

Hand-checked expectations first (what each example was written to exercise), then a syrupy
snapshot of the whole spec so that every parser change shows up as a reviewed diff.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from bbws_scaffold.lld.parser import parse_file
from tests.paths import CATALOGUE_LLD, EXAMPLES, ROOT, example_llds

PORTAL = EXAMPLES / "portal_preferences" / "2.2.9_LLD_Portal_Preferences.md"
EVENTS = EXAMPLES / "event_notifications" / "2.1.14_LLD_Notification_Dispatch.md"
TEMPLATE = ROOT / "lld_grammar" / "TEMPLATE.md"


def endpoints(spec):
    return [(e.method, e.path, e.function) for e in spec.endpoints]


def test_crud_example():
    spec = parse_file(CATALOGUE_LLD)
    assert (spec.lld_number, spec.version, spec.repo) == ("2.9.1", "1.1", "2_bbws_catalogue_lambda")
    assert spec.parent_hld == "../HLDs/2.9_HLD_Product_Catalogue.md"
    rt = spec.runtime
    assert (rt.python_version, rt.memory_mb, rt.timeout_s, rt.architecture) == ("3.12", 256, 30, "arm64")
    assert endpoints(spec) == [
        ("POST", "/v1.0/products", "create_product"),
        ("GET", "/v1.0/products/{productId}", "get_product"),
        ("GET", "/v1.0/products", "list_products"),
        ("GET", "/v1.0/categories/{category}/products", "list_products_by_category"),
        ("PUT", "/v1.0/products/{productId}", "update_product"),
        ("DELETE", "/v1.0/products/{productId}", "delete_product"),
        ("POST", "/v1.0/products/{productId}/reviews", "create_review"),
        ("GET", "/v1.0/products/{productId}/reviews", "list_reviews"),
        ("POST", "/v1.0/products/{productId}/publish", "publish_product"),
    ]
    tables = {t.name: t for t in spec.tables}
    assert set(tables) == {"bbws-catalogue-products-{env}", "bbws-catalogue-reviews-{env}"}
    products, reviews = tables["bbws-catalogue-products-{env}"], tables["bbws-catalogue-reviews-{env}"]
    assert (products.entity, products.pk, products.sk) == ("Product", "PRODUCT#{productId}", "METADATA")
    assert [(g.name, g.pk, g.sk) for g in products.gsis] == [("CategoryIndex", "category", "createdAt")]
    assert (reviews.entity, reviews.pk, reviews.sk, reviews.gsis) == (
        "Review",
        "PRODUCT#{productId}",
        "REVIEW#{reviewId}",
        [],
    )
    python = {m.name: m for m in spec.models if m.source == "python"}
    assert set(python) == {
        "ProductStatus",
        "Product",
        "CreateProductRequest",
        "UpdateProductRequest",
        "Review",
        "CreateReviewRequest",
    }
    assert [v.value for v in python["ProductStatus"].values] == ["DRAFT", "PUBLISHED", "ARCHIVED"]
    assert [e.name for e in spec.env_vars] == [
        "DYNAMODB_PRODUCTS_TABLE",
        "DYNAMODB_REVIEWS_TABLE",
        "ENVIRONMENT",
        "LOG_LEVEL",
    ]
    assert [s.id for s in spec.user_stories] == [f"US-CAT-{i:03d}" for i in range(1, 10)]
    assert {t.key: t.value for t in spec.tags}["Component"] == "CatalogueLambda"
    latency = [n for n in spec.nfrs if n.kind == "latency" and n.percentile == "p95"]
    assert (latency[0].threshold, latency[0].unit) == (500, "ms")
    assert "dynamodb" in {d.service for d in spec.dependencies}


def test_portal_example_endpoints_come_from_its_openapi_block():
    spec = parse_file(PORTAL)
    assert spec.repo == "2_2_bbws_portal_svc_preferences"
    assert (spec.runtime.memory_mb, spec.runtime.timeout_s) == (256, 30)
    assert spec.runtime.memory_by_label == {"default": 256, "export": 512}
    assert sorted(endpoints(spec)) == sorted(
        [
            ("GET", "/portal/preferences", "get_preferences"),
            ("PUT", "/portal/preferences", "update_preferences"),
            ("GET", "/portal/preferences/notifications", "list_notification_settings"),
            ("PUT", "/portal/preferences/notifications/{category}", "update_notification_setting"),
            ("POST", "/portal/preferences/export", "export_preferences"),
        ]
    )
    assert "https://dev.portal-api.kimmyai.io/v1.0" in spec.api_base_urls
    fns = {f.name: f for f in spec.functions}
    assert fns["apply_default_preferences"].trigger == "eventbridge"
    assert (fns["export_preferences"].memory_mb, fns["export_preferences"].timeout_s) == (512, 60)
    (table,) = spec.tables
    assert table.name == "bbws-portal-{env}" and table.ttl_attribute == "expiresAt"
    assert [(e.name, e.pk, e.sk) for e in table.entities] == [
        ("Preferences", "USER#{userId}", "PREFERENCES"),
        ("NotificationSetting", "USER#{userId}", "NOTIFY#{category}"),
        ("PreferenceExport", "USER#{userId}", "EXPORT#{exportId}"),
    ]
    assert [(g.name, g.pk, g.sk) for g in table.gsis] == [
        ("NotificationCategoryIndex", "category", "userId"),
        ("TenantPreferencesIndex", "tenantId", "entity_type"),
    ]
    assert {m.name for m in spec.models if m.source == "openapi"} >= {"Preferences", "ExportPreferencesRequest"}
    assert {m.name for m in spec.models if m.source == "python"} == {
        "UpdatePreferencesRequest",
        "UpdateNotificationSettingRequest",
        "UserCreatedDetail",
        "Theme",
        "NotificationCategory",
        "DigestFrequency",
    }
    assert [e.name for e in spec.env_vars] == [
        "DYNAMODB_TABLE_NAME",
        "EXPORT_BUCKET_NAME",
        "EXPORT_URL_TTL_SECONDS",
        "ENVIRONMENT",
        "LOG_LEVEL",
        "POWERTOOLS_SERVICE_NAME",
    ]


def test_event_driven_example_has_no_api():
    spec = parse_file(EVENTS)
    assert spec.endpoints == []
    assert spec.repo == "2_bbws_notification_dispatch_lambda"
    assert (spec.runtime.memory_mb, spec.runtime.timeout_s) == (256, 60)
    assert [(f.name, f.trigger, f.source_name) for f in spec.functions] == [
        ("send_email_notification", "sqs", "bbws-notify-email-{env}"),
        ("send_sms_notification", "sqs", "bbws-notify-sms-{env}"),
        ("record_delivery_status", "sqs", "bbws-notify-status-{env}"),
        ("retry_failed_notifications", "schedule", "cron(0 2 * * ? *)"),
    ]
    (table,) = spec.tables
    assert (table.name, table.pk, table.sk) == (
        "bbws-notifications-{env}",
        "RECIPIENT#{recipientId}",
        "NOTIFICATION#{notificationId}",
    )
    assert [(g.name, g.pk, g.sk) for g in table.gsis] == [("StatusIndex", "status", "createdAt")]
    assert table.ttl_attribute == "expiresAt"
    assert len(spec.env_vars) == 10
    assert {d.service for d in spec.dependencies} >= {"sqs", "ses", "sns", "dynamodb", "events"}


def test_template_parses_cleanly(tmp_path):
    # saved under the platform's name, as it is meant to be used, it has nothing to warn about
    copy = tmp_path / "2.9.99_LLD_Widget_Lambda.md"
    copy.write_bytes(TEMPLATE.read_bytes())
    spec = parse_file(copy)
    assert spec.repo == "2_bbws_widget_lambda"
    assert [e.function for e in spec.endpoints] == ["create_widget", "get_widget", "list_widgets", "archive_widget"]
    assert spec.tables[0].pk == "WIDGET#{widgetId}"
    # the one warning: archiving is a state transition the template's LLD leaves to hand-written logic
    archive = spec.endpoints[3]
    assert (archive.method, archive.path, archive.binding.kind) == ("POST", "/v1.0/widgets/{widgetId}/archive", "stub")
    assert [w.format("T.md") for w in spec.warnings] == [
        f"T.md:{archive.line}: warning: POST /v1.0/widgets/{{widgetId}}/archive: not generated: "
        "state transition 'archive' on Widget"
    ]
    # under its own name the name is warned about too
    assert (
        "file name 'TEMPLATE.md' does not follow the LLD naming convention [phase].[sub-phase].[n]_LLD_[Name].md"
        in [w.message for w in parse_file(TEMPLATE).warnings]
    )


@pytest.mark.parametrize("lld", example_llds() + [TEMPLATE], ids=lambda p: p.name)
def test_spec_snapshot(lld, snapshot):
    spec = parse_file(lld)
    assert spec.model_dump(mode="json") == snapshot(extension_class=JSONSnapshotExtension)
