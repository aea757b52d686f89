"""The ServiceSpec contract: exact JSON round trip, derived names, safe repo names, JSON Schema."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from bbws_scaffold import naming
from bbws_scaffold.cli import main
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.model import Endpoint, Entity, ServiceSpec, Table
from tests.paths import corpus_llds, example_llds


@pytest.mark.parametrize("lld", corpus_llds() + example_llds(), ids=lambda p: p.name)
def test_json_round_trips_exactly(lld):
    spec = parse_file(lld)
    again = ServiceSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.model_dump_json() == spec.model_dump_json()


def test_names_are_normalised_once_in_the_model():
    spec = ServiceSpec(
        title="t",
        service_name="Order Item Service",
        endpoints=[Endpoint(method="GET", path="/v1.0/tenants/{tenantId}/orders/<order_id>")],
        tables=[
            Table(
                name="bbws-orders-{env}",
                table_name="bbws-orders-${var.environment}",
                entities=[Entity(name="Order Item", pk="TENANT#{tenantId}", sk="ITEM#{item-id}")],
            )
        ],
    )
    assert spec.service == "order_item_service" and spec.repo == "2_bbws_order_item_service_lambda"
    assert [p.ident for p in spec.endpoints[0].params] == ["tenant_id", "order_id"]
    assert spec.endpoints[0].handler == "get_tenants_tenant_id_orders_order_id"
    entity = spec.tables[0].entities[0]
    assert (entity.class_name, entity.ident, entity.slug) == ("OrderItem", "order_item", "order-item")
    assert [p.ident for p in entity.params] == ["tenant_id", "item_id"]
    assert spec.tables[0].name_template == "bbws-orders-{env}"
    assert (spec.tables[0].pk, spec.tables[0].sk) == ("TENANT#{tenantId}", "ITEM#{item-id}")


@pytest.mark.parametrize(
    "raw,snake,pascal",
    [
        ("createOrder", "create_order", "CreateOrder"),
        ("HTTPServer", "http_server", "HTTPServer"),
        ("bbws-wp-site-create-{env}", "bbws_wp_site_create_env", "BbwsWpSiteCreateEnv"),
        ("class", "class_", "Class"),
        ("3ds secure", "n3ds_secure", "N3dsSecure"),
        ("Plugin (Marketplace)", "plugin_marketplace", "PluginMarketplace"),
    ],
)
def test_naming(raw, snake, pascal):
    assert naming.snake(raw) == snake and naming.pascal(raw) == pascal
    assert snake.isidentifier()


@pytest.mark.parametrize("repo", ["../evil", "a/b", "..", "", "x" * 200, "a b"])
def test_unsafe_repo_names_are_rejected(repo):
    if repo == "":
        assert ServiceSpec(title="t", service_name="s", repo=repo).repo == "2_bbws_s_lambda"
        return
    with pytest.raises(ValidationError):
        ServiceSpec(title="t", service_name="s", repo=repo)


def test_names_without_letters_are_rejected():
    with pytest.raises(ValidationError):
        ServiceSpec(title="t", service_name="!!!")


def test_schema_command_prints_the_json_schema(capsys):
    assert main(["lld", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "ServiceSpec"
    for key in (
        "lld_number",
        "title",
        "version",
        "repo",
        "runtime",
        "endpoints",
        "functions",
        "tables",
        "models",
        "env_vars",
        "warnings",
    ):
        assert key in schema["properties"]
