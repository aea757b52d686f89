"""Unit tests of bbws_scaffold.plan.infra: the infrastructure plan the terraform/ and .github/ templates read."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bbws_scaffold.config.environments import load_environments
from bbws_scaffold.model import (
    GSI,
    Dependency,
    Endpoint,
    Entity,
    EnvVar,
    Function,
    Nfr,
    Runtime,
    ServiceSpec,
    Table,
    Tag,
)
from bbws_scaffold.plan.infra import (
    IAM_SERVICES,
    InfraFunction,
    InfraPlan,
    build_infra,
    infra_answer,
)
from tests.blueprint_infra.render import render_infra
from tests.blueprint_infra.specs import HOSTILE_DESCRIPTION, HOSTILE_TAG, crud_spec, events_spec, hostile_spec
from tests.paths import ROOT

ENVS = load_environments()
SAFE_BODY = re.compile(r"(?:[A-Za-z0-9_.-]|\$\{var\.environment\})+")


def plan(spec: ServiceSpec) -> InfraPlan:
    return build_infra(spec, ENVS)


def fn(p: InfraPlan, ident: str) -> InfraFunction:
    return next(f for f in p.functions if f.ident == ident)


def test_answer_is_json_and_deterministic() -> None:
    for make in (crud_spec, events_spec, hostile_spec):
        a, b = infra_answer(make(), ENVS), infra_answer(make(), ENVS)
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
        assert InfraPlan.model_validate(json.loads(json.dumps(a))).model_dump(mode="json") == a
    assert infra_answer(crud_spec()) == infra_answer(crud_spec(), ENVS)  # defaults to environments_answer()


def test_physical_names() -> None:
    p = plan(crud_spec())
    assert p.name_prefix == "bbws-catalogue"
    assert p.runtime == "python3.12" and p.python_version == "3.12" and p.architecture == "arm64"
    assert fn(p, "get_product").name == "bbws-catalogue-get-product-${var.environment}"
    assert fn(p, "get_product").handler == "src.handlers.get_product.handler"
    # table_name templates with {env} / ${env} keep the LLD's name
    assert [t.name for t in p.tables] == [
        "bbws-catalogue-products-${var.environment}",
        "bbws-catalogue-reviews-${var.environment}",
    ]
    assert [e.model_dump() for e in p.table_env] == [
        {"name": "PRODUCTS_TABLE_NAME", "table": "products"},
        {"name": "REVIEWS_TABLE_NAME", "table": "reviews"},
    ]
    ev = plan(events_spec())
    # deployed name with the env placeholder is used as written
    assert fn(ev, "bbws_wp_site_creator_env").name == "bbws-wp-site-creator-${var.environment}"
    assert fn(ev, "order_creator_record").queue == "bbws-order-record-${var.environment}"
    assert fn(ev, "order_pdf_creator").queue == "bbws-order-pdf-${var.environment}"  # "SQS:" prefix dropped
    assert fn(ev, "nightly_cleanup").schedule == "cron(0 2 * * ? *)"
    assert fn(ev, "process_attachment").bucket == "bbws-order-processing-process-attachment-${var.environment}"
    assert ev.architecture == "x86_64" and {f.architecture for f in ev.functions} == {"x86_64"}


def test_long_names_fit_every_environment() -> None:
    long = "x" * 80
    spec = ServiceSpec(
        title="t",
        service_name="Long Service",
        functions=[Function(name=long), Function(name=long + " b"), Function(name="f", deployed_name="y" * 70)],
    )
    names = [f.name for f in plan(spec).functions]
    assert len(set(names)) == 3
    for n in names:
        for env in ENVS["order"]:
            assert len(n.replace("${var.environment}", env)) <= 64, n
    # a 10-character environment leaves less room
    wide = build_infra(spec, {"order": ["staging123"], "envs": {}})
    assert all(len(f.name.replace("${var.environment}", "staging123")) <= 64 for f in wide.functions)


def test_memory_and_timeout_defaults_and_clamping() -> None:
    spec = ServiceSpec(
        title="t",
        service_name="Clamp",
        runtime=Runtime(memory_mb=64, timeout_s=5000),
        functions=[
            Function(name="a"),
            Function(name="b", memory_mb=20000, timeout_s=0),
            Function(name="c", memory_mb=512, timeout_s=60),
        ],
    )
    p = plan(spec)
    assert [(f.memory, f.timeout) for f in p.functions] == [(128, 900), (10240, 900), (512, 60)]
    ev = plan(events_spec())  # no runtime defaults in the LLD: 256 MB / 30 s
    assert (fn(ev, "send_notification").memory, fn(ev, "send_notification").timeout) == (256, 30)
    assert (fn(ev, "order_pdf_creator").memory, fn(ev, "order_creator_record").timeout) == (1024, 60)


def test_gsi_key_attribute_fallback() -> None:
    p = plan(crud_spec())
    products, reviews = p.tables
    (cat,) = products.gsis
    # key patterns that are attribute names become the key attributes, with declared types
    assert (cat.name, cat.hash_key, cat.range_key) == ("CategoryIndex", "category", "createdAt")
    assert [(a.name, a.type) for a in products.attributes] == [
        ("PK", "S"),
        ("SK", "S"),
        ("category", "S"),
        ("createdAt", "S"),
    ]
    # logical GSIs sharing a physical index collapse into one (the first defines it)
    assert [(g.name, g.hash_key, g.range_key) for g in reviews.gsis] == [
        ("GSI1", "GSI1PK", "createdAt"),
        ("Status", "GSI2_PK", "GSI2_SK"),
    ]
    assert reviews.ttl == "expiresAt"
    assert [a.name for a in reviews.attributes] == ["PK", "SK", "GSI1PK", "GSI2_PK", "createdAt", "GSI2_SK"]
    # index names in table access map to the physical index
    assert fn(p, "list_products_by_category").access[0].model_dump() == {
        "table": "products",
        "sid": "TableProducts",
        "actions": ["dynamodb:Query"],
        "indexes": ["CategoryIndex"],
        "index_actions": ["dynamodb:Query"],
    }


def test_gsi_key_attributes_from_binding_and_fallback() -> None:
    spec = ServiceSpec(
        title="t",
        service_name="Prices",
        tables=[
            Table(
                name="prices",
                entities=[Entity(name="Price", pk="P#{id}")],
                gsis=[
                    GSI(name="by price!", pk="PRICE#{amount}", sk="amount"),
                    GSI(name="ab"),
                    GSI(name="cd", pk_attr="x"),
                ],
            )
        ],
    )
    t = plan(spec).tables[0]
    # "by price!" is no valid index name: ByPriceIndex; key attributes come from the binding;
    # a GSI without any partition key gets <Index>PK
    assert [(g.name, g.hash_key, g.range_key) for g in t.gsis] == [
        ("ByPriceIndex", "by price!PK", "amount"),
        ("AbIndex", "AbIndexPK", None),
        ("CdIndex", "x", None),
    ]
    assert [a.name for a in t.attributes] == ["PK", "SK", "by price!PK", "AbIndexPK", "x", "amount"]
    assert t.name == "bbws-prices-prices-${var.environment}"


def test_route_keys_unique_and_public_flag() -> None:
    p = plan(crud_spec())
    keys = [r.key for r in p.routes]
    assert len(keys) == len(set(keys)) == 7
    assert all(re.fullmatch(r"[a-z0-9-]{1,80}", k) for k in keys)
    by_key = {r.key: r for r in p.routes}
    r = by_key["get-v1-0-products-productid"]
    assert (r.method, r.path, r.arn_path, r.function, r.public) == (
        "get",
        "/v1.0/products/{productId}",
        "/v1.0/products/*",
        "get_product",
        True,
    )
    assert by_key["post-v1-0-products"].public is False
    # paths that normalise to the same key get distinct keys; duplicates of one route are dropped
    spec = ServiceSpec(
        title="t",
        service_name="Keys",
        functions=[Function(name="h")],
        endpoints=[
            Endpoint(method="GET", path="/a/b", function="h"),
            Endpoint(method="GET", path="/a-b", function="h"),
            Endpoint(method="GET", path="/a_b", function="h"),
            Endpoint(method="GET", path="/a/b/", function="h"),
            Endpoint(method="GET", path="/items/<int:item_id>?x=1", function="h", auth="None"),
        ],
    )
    routes = plan(spec).routes
    assert [r.key for r in routes] == ["get-a-b", "get-a-b-2", "get-a-b-3", "get-items-item-id"]
    assert routes[-1].path == "/items/{item_id}" and routes[-1].public is True


def test_route_placeholders_are_the_models_own() -> None:
    """<x> and <type:x> become {x}, x as the model's path_params reads it (the handler's parameter)."""
    spec = ServiceSpec(
        title="t",
        service_name="Orgs",
        functions=[Function(name="h")],
        endpoints=[Endpoint(method="PUT", path="/orgs/< org >/sites/<int:site_id>", function="h")],
    )
    assert [r.path for r in plan(spec).routes] == ["/orgs/{org}/sites/{site_id}"]
    assert [p.name for p in spec.endpoints[0].params] == ["org", "site_id"]


def test_hostile_strings_stay_raw_in_the_plan() -> None:
    p = plan(hostile_spec())
    f = fn(p, "create_order")
    assert f.description == " ".join(HOSTILE_DESCRIPTION.split())  # raw: quotes and ${ kept
    assert "${path.module}" in f.description
    tick = fn(p, "tick")
    assert tick.schedule == "rate(1 day)"  # the injected expression is not a schedule
    # HCL bodies never carry LLD text that could break out of the quotes
    for body in [x.name for x in p.functions] + [t.name for t in p.tables]:
        assert SAFE_BODY.fullmatch(body), body
    (t,) = p.tables
    assert t.name == "bbws-evil-service-orders-table-${var.environment}"  # "${jndi:x}" refused
    assert (t.hash_key, t.range_key) == ('P"K', "${var.sk}")  # raw; the template escapes them
    (g,) = t.gsis
    assert g.name == "ByStatusXIndex" and g.hash_key == 'By"Status ${x}PK'  # raw, from the binding
    # only well-formed dynamodb actions survive
    assert [a.actions for a in f.access] == [["dynamodb:PutItem"]]
    assert p.unknown_services == ['Strange "service" ${x}']
    assert [(a.metric, a.threshold, a.statistic) for a in p.alarms] == [('Latency "p95" ${x}\nnewline', 1000.0, "p95")]
    # the injected path is not a route
    assert [r.path for r in p.routes] == ["/v1/orders"]


def test_hostile_strings_are_escaped_in_templates(tmp_path: Path) -> None:
    repo = render_infra(hostile_spec(), tmp_path / "repo")
    lam = (repo / "terraform" / "lambda.tf").read_text(encoding="utf-8")
    assert '$${path.module} %%{ for x in y }"' in lam
    main = (repo / "terraform" / "main.tf").read_text(encoding="utf-8")
    assert "jndi:ldap" in main and "{jndi" not in main  # tag values keep only AWS tag characters
    dyn = (repo / "terraform" / "dynamodb.tf").read_text(encoding="utf-8")
    assert 'range_key                   = "$${var.sk}"' in dyn
    assert 'hash_key                    = "P\\"K"' in dyn


def test_tags_sanitised() -> None:
    p = plan(hostile_spec())
    assert [t.key for t in p.tags] == ["Owner", "Key___x_"]  # "aws:" keys dropped
    owner = p.tags[0].value
    assert owner == "__jndi:ldap://evil.example/a_ _quoted_ __ if true _x__ endif _ second line"
    assert HOSTILE_TAG.startswith("${jndi") and not re.search(r"[^\w .:/=+@-]", owner)
    crud = plan(crud_spec())
    # the platform's own keys (Environment, Service, ...) are dropped whatever their case
    assert [(t.key, t.value) for t in crud.tags] == [("Project", "BBWS"), ("CostCenter", "Customer Portal")]
    spec = ServiceSpec(
        title="t",
        service_name="Tags",
        tags=[Tag(key="  a\tb  ", value="x" * 300), Tag(key="A B", value="dup"), Tag(key="SERVICE", value="x")],
    )
    tags = plan(spec).tags
    assert [(t.key, len(t.value)) for t in tags] == [("a b", 256)]


def test_dependencies_use_canonical_keys() -> None:
    p = plan(crud_spec())
    assert [(s.key, s.sid) for s in p.services] == [("cognito-idp", "DependencyCognitoIdp"), ("ses", "DependencySes")]
    assert p.unknown_services == ["Route 53 Domains"]  # dynamodb is granted through the tables
    ev = plan(events_spec())
    assert [s.key for s in ev.services] == ["events", "s3", "secretsmanager", "sqs"]


def test_every_iam_service_has_a_statement(tmp_path: Path) -> None:
    """IAM_SERVICES and the action table in terraform/iam.tf.jinja must agree."""
    spec = ServiceSpec(
        title="t",
        service_name="Deps",
        functions=[Function(name="f")],
        dependencies=[Dependency(name=k, service=k) for k in sorted(IAM_SERVICES)],
    )
    iam = (render_infra(spec, tmp_path / "repo") / "terraform" / "iam.tf").read_text(encoding="utf-8")
    for s in plan(spec).services:
        m = re.search(rf'sid = "{s.sid}"\n    actions = \[\n(      "[^"]+",\n)+', iam)
        assert m, s.key
        assert re.search(rf'\n    "{s.key}" +=  ?\["arn:', iam), s.key


def test_alarms_from_nfrs() -> None:
    p = plan(crud_spec())
    assert [(a.kind, a.index, a.statistic, a.threshold) for a in p.alarms] == [
        ("latency", 1, "p95", 300.0),
        ("error_rate", 2, "p95", 1.0),
        ("availability", 3, "p95", 0.1),  # 99.9 % available -> alarm above 0.1 % server errors
    ]
    spec = ServiceSpec(
        title="t",
        service_name="Nfrs",
        nfrs=[
            Nfr(metric="m", target="t", kind="latency", threshold=2, unit="s"),  # not normalised: not guessed
            Nfr(metric="m", target="t", kind="availability", threshold=100, unit="%"),
            Nfr(metric="m", target="t", kind="error_rate", threshold=0, unit="%"),
            Nfr(metric="m", target="t", kind="throughput", threshold=100, unit="/s"),
            Nfr(metric="m", target="t", kind="latency", threshold=250, unit="ms", percentile="p99.9"),
            Nfr(metric="m", target="t", kind="latency", threshold=250, unit="ms", percentile="99th"),
        ],
    )
    assert [(a.index, a.statistic) for a in plan(spec).alarms] == [(5, "p99.9"), (6, "p95")]


def test_single_table_env_aliases() -> None:
    spec = ServiceSpec(
        title="t",
        service_name="One",
        tables=[Table(name="items")],
        env_vars=[
            EnvVar(name="DYNAMODB_TABLE_NAME"),
            EnvVar(name="ITEMS_TABLE_NAME"),
            EnvVar(name="AWS_TABLE"),
            EnvVar(name="bad_TABLE"),
        ],
    )
    assert [(e.name, e.table) for e in plan(spec).table_env] == [
        ("ITEMS_TABLE_NAME", "items"),
        ("DYNAMODB_TABLE_NAME", "items"),
    ]


def test_hcl_body_refuses_unsafe_text() -> None:
    good = fn(plan(crud_spec()), "get_product").model_dump()
    for bad in ('x"y', "a${b}", "a%{b}", "a\nb", ""):
        with pytest.raises(ValidationError):
            InfraFunction.model_validate({**good, "name": bad})


def test_no_template_computes_the_plan() -> None:
    blueprint = ROOT / "blueprints" / "lambda_service"
    assert not (blueprint / "_macros" / "infra.jinja").exists()
    for p in list((blueprint / "terraform").glob("*.jinja")) + list((blueprint / ".github").rglob("*.jinja")):
        text = p.read_text(encoding="utf-8")
        assert "from_json" not in text and "infra.jinja" not in text, p.name
