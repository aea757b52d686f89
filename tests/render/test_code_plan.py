"""The ``plan`` answer (``bbws_scaffold.plan.code``): tables, entities and handlers the app templates print."""

from __future__ import annotations

from pathlib import Path

from bbws_scaffold.model import GSI, Attribute, Endpoint, Entity, Function, ServiceSpec, Table, split_params
from bbws_scaffold.plan.code import CodePlan, build_plan, plan_answer
from bbws_scaffold.plan.entities import KeyPart, key_parts
from bbws_scaffold.plan.reserved import ENTITY_RESERVED, RESERVED_FIELDS
from tests.render.specs import catalogue_spec

BLUEPRINT = Path(__file__).resolve().parents[2] / "blueprints" / "lambda_service"


def _order_spec() -> ServiceSpec:
    order = Entity(
        name="Order",
        pk="TENANT#{tenantId}",
        sk="ORDER#<int:orderId>",
        attributes=[
            Attribute(name="PK"),
            Attribute(name="SK"),
            Attribute(name="tenantId"),
            Attribute(name="orderId", type="integer"),
            Attribute(name="limit", type="integer", required=True),
            Attribute(name="type"),
            Attribute(name="model_name"),
            Attribute(name="status"),
            Attribute(name="GSI1PK"),
        ],
        gsi_keys={"ByStatus": ["STATUS#{status}", "{orderId}"], "ByMissing": ["X#{nowhere}", None]},
    )
    note = Entity(name="Note", attributes=[Attribute(name="text")])
    table = Table(
        name="orders-{env}",
        entities=[order, note],
        gsis=[
            GSI(name="ByStatus", index="GSI1", pk="STATUS#{status}", pk_attr="GSI1PK", sk_attr="GSI1SK"),
            GSI(name="ByMissing", index="GSI1", pk_attr="GSI1PK"),
        ],
    )
    return ServiceSpec(
        title="T",
        service_name="Orders",
        tables=[table],
        functions=[Function(name="get_order"), Function(name="nightly", trigger="schedule", source_name="rate(1 day)")],
        endpoints=[Endpoint(method="GET", path="/orders/{tenantId}/{orderId}", function="get_order")],
    )


def _entity(plan: CodePlan, ident: str):  # type: ignore[no-untyped-def]
    return next(e for e in plan.entities if e.ident == ident)


def test_the_answer_is_the_typed_plan_dumped() -> None:
    answer = plan_answer(catalogue_spec())
    assert CodePlan.model_validate(answer).model_dump(mode="json") == answer


def test_split_params_keeps_every_piece_of_the_pattern() -> None:
    pattern = "A{B<int:x>#{ y }/{}"
    assert "".join(text for text, _ in split_params(pattern)) == pattern
    assert [name for _, name in split_params(pattern) if name is not None] == ["x", "y"]


def test_table_keeps_distinct_gsis_and_key_attributes_once() -> None:
    table = build_plan(_order_spec()).tables[0]
    assert (table.env, table.pk_attr, table.sk_attr) == ("ORDERS_TABLE_NAME", "PK", "SK")
    assert [(g.index, g.hash, g.range) for g in table.gsis] == [("GSI1", "GSI1PK", "GSI1SK")]
    assert table.attributes == ["PK", "SK", "GSI1PK", "GSI1SK"]


def test_entity_fields_keys_and_reserved_names() -> None:
    order = _entity(build_plan(_order_spec()), "order")
    fields = {f.name: f for f in order.fields}
    assert "PK" not in fields and "GSI1PK" not in fields  # stored by the table and its index
    assert fields["tenantId"].key and fields["tenantId"].ann == "str" and fields["tenantId"].required
    assert fields["orderId"].ann == "int" and fields["orderId"].id  # an <int:x> placeholder is a key too
    assert fields["limit"].ident == "limit_" and fields["limit"].required  # the repository's own parameter
    assert fields["type"].ident == "type" and fields["model_name"].ident == "model_name_"
    assert order.imports == []
    assert order.pk_key == [KeyPart(text="TENANT#", field=False), KeyPart(text="tenant_id", field=True)]
    assert (order.pk_prefix, order.sk_prefix, order.has_repo) == ("TENANT#", "ORDER#", True)


def test_reserved_names_differ_only_where_the_generated_code_needs_it() -> None:
    assert {"type", "date"} <= RESERVED_FIELDS - ENTITY_RESERVED  # schema classes only
    # the generated repositories' and handlers' own parameters, and the builtins an entity's
    # annotations use (a field named str breaks `name: str | None` in the same class)
    assert {"key", "item", "changes", "limit", "start", "token", "self", "str", "list", "dict"} <= ENTITY_RESERVED
    # query_x(self, token, limit, token) would not compile: the update/query parameters too
    assert {"expected_version", "descending", "order_by"} <= ENTITY_RESERVED


def test_entity_gsis_need_every_hash_placeholder_as_a_field() -> None:
    order = _entity(build_plan(_order_spec()), "order")
    assert [g.name for g in order.gsis] == ["ByStatus"]  # ByMissing names no field
    g = order.gsis[0]
    assert (g.index, g.hash_params, g.write_hash) == ("GSI1", ["status"], True)
    assert (g.range, g.range_attr, g.write_range, g.params) == ("{orderId}", "GSI1SK", True, ["status", "orderId"])


def test_an_entity_without_keys_gets_the_default_sort_key_and_no_repository() -> None:
    note = _entity(build_plan(_order_spec()), "note")
    assert (note.pk, note.sk, note.has_repo, note.pk_key) == (None, "METADATA", False, [])


def test_key_parts_cut_stray_braces_like_the_template_did() -> None:
    assert [(p.text, p.field) for p in key_parts("A{B#{c}", [])] == [
        ("A", False),
        ("{", False),
        ("B#", False),
        ("", True),
    ]


def test_handlers_resolve_entities_and_imports() -> None:
    plan = build_plan(catalogue_spec())
    handlers = {h.ident: h for h in plan.handlers}
    get = handlers["get_product"]
    assert get.kind == "http" and [r.entity for r in get.routes] == ["product"]
    assert "from src.services.product_service import ProductService" in get.imports.first
    assert "from tests.factories import product_factory" in get.test_imports.first
    publish = handlers["publish_product"]
    assert publish.routes[0].entity is None and publish.routes[0].logic_method == "publish_product"
    assert "from src.services.publish_product_logic import PublishProductLogic" in publish.imports.first
    nightly = {h.ident: h for h in build_plan(_order_spec()).handlers}["nightly"]
    assert (nightly.kind, nightly.summary, nightly.routes) == ("event", "nightly: schedule trigger (rate(1 day)).", [])


def test_no_template_derives_entities_or_placeholders() -> None:
    assert not (BLUEPRINT / "_macros" / "entity.jinja").exists()
    for p in BLUEPRINT.rglob("*.jinja"):
        text = p.read_text(encoding="utf-8")
        assert "from_json" not in text and "entity.jinja" not in text, p
        assert "regex_findall" not in text and "[^{}#/]" not in text, p  # placeholders come from the plan
