"""The generated service does what its endpoint contract says (issue 13, the generated-code side).

``orders_spec`` (:mod:`tests.render.contract_spec`) sets the contract fields explicitly; the
service is rendered once and its handlers are driven by ``probe_orders.py`` in the generated
repository against moto's server on 127.0.0.1. Expectations come from the contract as written
there (ranges, enum, envelope, statuses, codes, page sizes) and from DynamoDB's documented
behaviour; stored items are read with plain boto3, never through the generated code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bbws_scaffold.plan.code import build_plan
from bbws_scaffold.plan.contract import field_violations
from bbws_scaffold.plan.models.builder import build_models
from bbws_scaffold.plan.models.nodes import EnumPlan, ModelClass
from bbws_scaffold.render.new import render
from tests.aws_server import AwsServer
from tests.render.contract_spec import SOFT_DELETE, orders_spec

PROBE = Path(__file__).with_name("probe_orders.py")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(orders_spec(), tmp_path_factory.mktemp("orders"))


@pytest.fixture(scope="module")
def seen(repo: Path, _moto_server: AwsServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the probe observed (one run: the steps build on each other, like a client's session)."""
    _moto_server.reset()
    result = tmp_path_factory.mktemp("probe") / "seen.json"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ENDPOINT_URL": _moto_server.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "POWERTOOLS_SERVICE_NAME": "orders",
    }
    res = subprocess.run(
        [sys.executable, str(PROBE), str(result)], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )
    _moto_server.reset()
    assert res.returncode == 0, res.stderr[-3000:]
    data: dict[str, Any] = json.loads(result.read_text())
    return data


def test_numbers_are_json_numbers_and_ints_stay_ints(seen: dict[str, Any]) -> None:
    created = seen["create"]
    assert created["status"] == 201  # the contract's success_status
    assert '"total":99.5' in created["text"] and '"quantity":3' in created["text"]
    data = created["body"]["data"]  # the contract's envelope
    assert type(data["total"]) is float and type(data["quantity"]) is int and type(data["version"]) is int
    assert '"total":99.5' in seen["get"]["text"]


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("empty", "quantity"),  # required
        ("quantity_500", "quantity"),  # le=99
        ("total_negative", "total"),  # gt=0
        ("channel_published", "channel"),  # not in the Channel enum (WEB, APP)
        ("note_too_long", "note"),  # max_length=20
    ],
)
def test_request_validation_follows_the_request_model(seen: dict[str, Any], case: str, field: str) -> None:
    answer = seen["invalid"][case]
    assert answer["status"] == 400
    assert field in [e["field"] for e in answer["body"]["error"]["fields"]]


def test_post_without_required_fields_names_each_of_them(seen: dict[str, Any]) -> None:
    fields = {e["field"] for e in seen["invalid"]["empty"]["body"]["error"]["fields"]}
    assert fields == {"quantity", "total", "channel"}  # note is Optional in CreateOrderRequest


def test_server_owned_fields_are_dropped_not_stored_as_sent(seen: dict[str, Any]) -> None:
    assert seen["owned"]["status"] == 201  # dropped silently, not refused
    stored = seen["owned_stored"]
    assert "status" not in stored  # contract.server_owned: the client's PAID is not kept
    assert stored["orderId"] != "client-id" and stored["SK"] == "ORDER#" + stored["orderId"]
    assert stored["createdAt"] != "client"
    assert stored["version"] == "1"  # a new item starts at version 1 whatever the client sent


def test_gsi_key_attribute_is_written_and_follows_an_update(seen: dict[str, Any]) -> None:
    assert seen["stored"]["GSI1PK"] == "TENANT#t1#CHANNEL#WEB"
    assert seen["after_update"]["GSI1PK"] == "TENANT#t1#CHANNEL#APP"


def test_update_sets_changed_fields_only_and_keeps_unknown_attributes(seen: dict[str, Any]) -> None:
    before, after = seen["stored"], seen["after_update"]
    assert seen["update_ok"]["status"] == 200
    assert after["note"] == "second" and after["channel"] == "APP"
    assert (after["quantity"], after["total"], after["createdAt"]) == (
        before["quantity"],
        before["total"],
        before["createdAt"],
    )
    assert after["legacyField"] == "keep me"
    assert after["version"] == "2"


def test_version_lock(seen: dict[str, Any]) -> None:
    assert seen["update_stale"]["status"] == 409  # version 1 was replaced by 2
    assert seen["update_no_version"]["status"] == 428
    assert seen["update_if_match"]["status"] == 200  # If-Match: "2"
    assert seen["after_if_match"]["note"] == "fourth" and seen["after_if_match"]["version"] == "3"


def test_errors_carry_the_lld_code_in_one_shape(seen: dict[str, Any]) -> None:
    missing = seen["update_missing"]
    assert missing["status"] == 404
    assert missing["body"] == {"error": {"code": "ORDER_NOT_FOUND", "message": "Order not found"}}
    assert set(seen["update_stale"]["body"]["error"]) == {"code", "message"}


def test_list_is_newest_first_with_the_contract_page_sizes(seen: dict[str, Any]) -> None:
    page = seen["list"]["body"]
    assert len(page["items"]) == 2  # page_size 2 of 3 items
    got = ["ORDER#" + i["orderId"] for i in page["items"]]
    assert got == sorted(seen["list_sks"], reverse=True)[:2]  # descending sort key (ScanIndexForward=False)
    assert page["nextToken"]
    assert seen["list_over_max"]["status"] == 400  # limit 4 > max_page_size 3


def test_form_body_base64_is_parsed_as_a_form(seen: dict[str, Any]) -> None:
    assert seen["form"]["status"] == 201
    assert seen["form_stored"]["text"] == "hello world"
    assert Decimal(seen["form_stored"]["amount"]) == Decimal("12.5")


def test_stubs_answer_501_and_the_logic_methods_match_the_handler(seen: dict[str, Any]) -> None:
    delete = seen["delete"]
    assert delete["status"] == 501 and delete["body"]["error"]["code"] == "NOT_IMPLEMENTED"
    assert seen["after_delete"] is not None  # a soft delete is not turned into a hard one
    # a CRUD route plus two custom routes: both custom routes reach their logic method (no 500)
    assert seen["cancel"]["status"] == 501 and seen["refund"]["status"] == 501


def test_stub_test_is_strict_xfail_naming_story_and_reason(repo: Path) -> None:
    text = (repo / "tests/integration/test_delete_order.py").read_text()
    assert "@pytest.mark.xfail(\n    strict=True," in text or "@pytest.mark.xfail(strict=True," in text
    assert "US-ORD-006" in text and SOFT_DELETE in text
    logic = (repo / "src/services/delete_order_logic.py").read_text()
    assert "def delete_order(self, tenant_id: str, order_id: str)" in logic


def test_contract_cases_come_from_the_constraints() -> None:
    models = build_models(orders_spec())
    request = next(c for c in models.classes if isinstance(c, ModelClass) and c.name == "CreateOrderRequest")
    enums = {c.name: c for c in models.classes if isinstance(c, EnumPlan)}
    got = {f.ident: field_violations(f, enums) for f in request.fields}
    assert ("ge", 0) in got["quantity"] and ("le", 100) in got["quantity"]
    assert ("gt", 0) in got["total"]
    assert [rule for rule, _ in got["channel"]] == ["enum"] and got["channel"][0][1] not in ("WEB", "APP")
    plan = build_plan(orders_spec())
    create = next(h for h in plan.handlers if h.ident == "create_order").routes[0]
    assert create.cases is not None and create.cases.required == ["quantity", "total", "channel"]
    assert {v.field for v in create.cases.violations} == {"quantity", "total", "channel", "note"}


@pytest.mark.e2e
def test_generated_contract_tests_pass(repo: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/contract"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stdout[-4000:]
    assert " passed" in res.stdout and "failed" not in res.stdout
