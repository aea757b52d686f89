"""Binding of endpoints onto tables, synthesized functions and least-privilege access."""

from __future__ import annotations

from bbws_scaffold.model import Endpoint, Entity, Function, ServiceSpec, Table
from tests.render.specs import catalogue_spec, preferences_spec


def _ops(spec: ServiceSpec) -> dict[str, tuple[str, str | None, str | None]]:
    return {f"{e.method} {e.path}": (e.operation, e.entity, e.index) for e in spec.endpoints}


def test_catalogue_crud_binding() -> None:
    ops = _ops(catalogue_spec())
    assert ops["POST /v1.0/products"] == ("create", "Product", None)
    assert ops["GET /v1.0/products/{productId}"] == ("get", "Product", None)
    assert ops["GET /v1.0/products"] == ("list", "Product", None)
    assert ops["GET /v1.0/categories/{category}/products"] == ("query", "Product", "CategoryIndex")
    assert ops["PUT /v1.0/products/{productId}"] == ("update", "Product", None)
    assert ops["DELETE /v1.0/products/{productId}"] == ("delete", "Product", None)
    assert ops["POST /v1.0/products/{productId}/reviews"] == ("create", "Review", None)
    assert ops["GET /v1.0/products/{productId}/reviews"] == ("query", "Review", None)
    assert ops["POST /v1.0/products/{productId}/publish"] == ("custom", "Product", None)


def test_binding_is_idempotent_and_round_trips() -> None:
    for spec in (catalogue_spec(), preferences_spec()):
        again = ServiceSpec.model_validate_json(spec.model_dump_json())
        assert again == spec
        assert ServiceSpec.model_validate(again.model_dump()) == spec


def test_access_is_least_privilege() -> None:
    spec = catalogue_spec()
    access = {f.ident: [(a.table, a.actions, a.indexes) for a in f.access] for f in spec.functions}
    assert access["get_product"] == [("Products", ["dynamodb:GetItem"], [])]
    assert access["list_products"] == [("Products", ["dynamodb:Scan"], [])]
    assert access["list_products_by_category"] == [("Products", ["dynamodb:Query"], ["CategoryIndex"])]
    # UpdateItem writes the changed fields; GetItem tells a missing item (404) from a stale version (409)
    assert access["update_product"] == [("Products", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [])]
    assert access["create_review"] == [("Reviews", ["dynamodb:PutItem"], [])]
    assert access["publish_product"] == [
        ("Products", ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"], [])
    ]


def test_unpaired_endpoints_get_synthesized_functions() -> None:
    spec = preferences_spec()
    assert {f.ident for f in spec.functions if f.synthesized} == {e.handler for e in spec.endpoints}
    again = ServiceSpec.model_validate_json(spec.model_dump_json())
    assert [f.ident for f in again.functions] == [f.ident for f in spec.functions]


def test_endpoint_paired_by_route_uses_that_function() -> None:
    spec = ServiceSpec(
        title="T",
        service_name="Things",
        endpoints=[Endpoint(method="GET", path="/things/{thingId}")],
        functions=[Function(name="fetchThing", method="GET", path="/things/{thingId}")],
        tables=[Table(name="Things", entities=[Entity(name="Thing", pk="THING#{thingId}", sk="METADATA")])],
    )
    assert spec.endpoints[0].handler == "fetch_thing"
    assert not any(f.synthesized for f in spec.functions)
    assert spec.endpoints[0].operation == "get"
    assert spec.functions[0].access[0].actions == ["dynamodb:GetItem"]


def test_item_path_with_differently_named_id_binds() -> None:
    spec = ServiceSpec(
        title="T",
        service_name="Things",
        endpoints=[Endpoint(method="DELETE", path="/things/{id}")],
        tables=[Table(name="Things", entities=[Entity(name="Thing", pk="THING#{thingId}")])],
    )
    assert (spec.endpoints[0].operation, spec.endpoints[0].entity) == ("delete", "Thing")


def test_non_http_function_access_from_its_description() -> None:
    spec = ServiceSpec(
        title="T",
        service_name="Orders",
        functions=[
            Function(name="OrderRecorder", trigger="sqs", description="stores each order"),
            Function(name="Mailer", trigger="sqs", description="sends mail"),
        ],
        tables=[Table(name="orders-{env}", entity="Order", pk="ORDER#{orderId}")],
    )
    by = {f.ident: f.access for f in spec.functions}
    assert [a.table for a in by["order_recorder"]] == ["orders-{env}"]
    assert by["mailer"] == []
    # a table naming an entity but listing none gets one, with its key params as attributes
    assert spec.tables[0].entities[0].name == "Order"
    assert [a.name for a in spec.tables[0].entities[0].attributes] == ["orderId"]
