"""The LLD's schemas as rendered (``bbws_scaffold.plan.models``): types, constraints, defaults, samples.

The last test renders a hostile spec (injection attempts in defaults, aliases, patterns, enum
values, docs) and, inside the generated repository, imports the schemas, builds every factory
and runs black/flake8/mypy over the result.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bbws_scaffold.model import DataModel, EnumValue, ModelField, Runtime, ServiceSpec
from bbws_scaffold.plan.models.builder import models_answer
from bbws_scaffold.plan.models.constraints import EMAIL_PATTERN
from bbws_scaffold.plan.models.nodes import ModelsPlan
from bbws_scaffold.render.new import render


def _f(name: str, type_: str = "str", **kw: Any) -> ModelField:
    return ModelField(name=name, type=type_, **kw)


def _spec(*models: DataModel) -> ServiceSpec:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"  # black checks with this interpreter
    return ServiceSpec(title="T", service_name="Shop", models=list(models), runtime=Runtime(python_version=version))


def _fields(answer: dict[str, Any], cls: str) -> dict[str, dict[str, Any]]:
    c = next(c for c in answer["classes"] if c["name"] == cls)
    return {f["ident"]: f for f in c["fields"]}


def _values(answer: dict[str, Any], cls: str) -> dict[str, Any]:
    fa = next(f for f in answer["factories"] if f["cls"] == cls)
    return {v["key"]: v["sample"] for v in fa["values"]}


STATUS = DataModel(name="Status", kind="enum", values=[EnumValue(name="ACTIVE", value="active")])


def test_constraints_kept_when_they_fit_the_type_and_dropped_with_a_comment_otherwise() -> None:
    m = DataModel(
        name="Item",
        fields=[
            _f("sku", constraints={"min_length": 3, "max_length": 40, "pattern": "^[A-Z0-9-]+$"}),
            _f("qty", "int", constraints={"ge": 1, "le": "5", "pattern": "^x$"}),
            _f("price", "Decimal", constraints={"gt": 0, "decimal_places": 2, "max_digits": 8}),
            _f("name", constraints={"max_length": "many", "ge": 1}),
            _f("look", constraints={"pattern": "(?=x)x"}),  # lookaround: pydantic-core's regex refuses it
        ],
    )
    fields = _fields(models_answer(_spec(m)), "Item")
    assert fields["sku"]["args"] == [
        {"key": "min_length", "src": "3"},
        {"key": "max_length", "src": "40"},
        {"key": "pattern", "str": "^[A-Z0-9-]+$"},
    ]
    assert fields["qty"]["args"] == [{"key": "ge", "src": "1"}, {"key": "le", "src": "5"}]
    assert fields["qty"]["comments"] == ["LLD constraint dropped: pattern=^x$"]
    # canonical order, not the LLD's: a spec replayed from the (key-sorted) answers file renders the same
    assert [a["key"] for a in fields["price"]["args"]] == ["gt", "max_digits", "decimal_places"]
    assert fields["name"]["args"] == []
    assert len(fields["name"]["comments"]) == 2
    assert fields["look"]["args"] == []


def test_defaults_only_simple_literals_never_source() -> None:
    m = DataModel(
        name="Item",
        fields=[
            _f("a", "int", default="3", required=False),
            _f("b", default="'x'", required=False),
            _f("c", "bool", default="True", required=False),
            _f("d", "list[str]", default="[]", required=False),
            _f("e", "Status", default="Status.ACTIVE", required=False),
            _f("f", "Status", default='"active"', required=False),
            _f("g", default='__import__("os").system("id")', required=False),
            _f("h", "int", default="1 + 1"),
            _f("i", "int", default='"3"', required=False),
            _f("j", "Decimal", default="0", required=False),
        ],
    )
    fields = _fields(models_answer(_spec(STATUS, m)), "Item")
    assert fields["a"]["default"] == {"kind": "src", "v": "3"}
    assert fields["b"]["default"] == {"kind": "str", "v": "x"}
    assert fields["c"]["default"] == {"kind": "src", "v": "True"}
    assert fields["d"]["default"] == {"kind": "factory", "v": "list"}
    assert fields["e"]["default"] == fields["f"]["default"] == {"kind": "src", "v": "Status.ACTIVE"}
    assert fields["g"]["default"] == {"kind": "src", "v": "None"} and fields["g"]["ann"] == "str | None"
    assert fields["g"]["comments"] == ['LLD default not kept: __import__("os").system("id")']
    assert fields["h"]["default"] is None and fields["h"]["ann"] == "int"  # required, as the LLD says
    assert fields["i"]["default"] == {"kind": "src", "v": "None"}
    assert fields["j"]["default"] == {"kind": "decimal", "v": "0"}


def test_types_resolve_to_spec_models_and_unknown_names_become_any() -> None:
    order = DataModel(
        name="Order",
        fields=[
            _f("items", "List[OrderItem]"),
            _f("status", "Optional[Status]"),
            _f("meta", "Dict[str, Any]"),
            _f("when", "datetime"),
            _f("email", "EmailStr"),
            _f("mystery", "Optional[Mystery]"),
            _f("kind", 'Literal["a", "b"]'),
            _f("weird", "str; import os"),
        ],
    )
    item = DataModel(name="OrderItem", fields=[_f("sku")])
    answer = models_answer(_spec(STATUS, order, item))
    fields = _fields(answer, "Order")
    assert fields["items"]["ann"] == "list[OrderItem]"
    assert fields["status"]["ann"] == "Status | None"
    assert fields["meta"]["ann"] == "dict[str, Any]"
    assert fields["when"]["ann"] == "datetime"
    assert fields["email"]["ann"] == "str" and fields["email"]["args"] == [{"key": "pattern", "str": EMAIL_PATTERN}]
    assert fields["mystery"]["ann"] == "Any" and fields["mystery"]["comments"] == ["LLD type: Optional[Mystery]"]
    assert fields["kind"]["ann"] == 'Literal["a", "b"]'
    assert fields["weird"]["ann"] == "Any"
    # OrderItem is defined before the Order that names it
    names = [c["name"] for c in answer["classes"]]
    assert names.index("OrderItem") < names.index("Order")
    values = _values(answer, "Order")
    assert values["items"] == {"list": [{"call": "order_item_factory"}]}
    assert values["status"] == {"src": "schemas.Status.ACTIVE"}
    assert values["email"] == {"str": "user@example.com"}


def test_samples_honour_constraints() -> None:
    m = DataModel(
        name="Item",
        fields=[
            _f("code", constraints={"pattern": r"^TKT-[A-Z0-9]{8}$"}),
            _f("long", constraints={"min_length": 20}),
            _f("short", constraints={"max_length": 3, "min_length": 3}),
            _f("api_token", constraints={"max_length": 4}),
            _f("n", "int", constraints={"gt": 10, "lt": 12}),
            _f("x", "float", constraints={"ge": 0.5, "le": 0.75}),
            _f("tags", "list[str]", constraints={"min_length": 2}),
        ],
    )
    values = _values(models_answer(_spec(m)), "Item")
    assert re.fullmatch(r"TKT-[A-Z0-9]{8}", values["code"]["str"])
    assert len(values["long"]["str"]) >= 20 and values["long"]["str"].startswith("{")
    assert len(values["short"]["str"]) == 3
    assert values["api_token"]["str"] == "{ap}"  # placeholders keep secret scanners quiet
    assert values["n"] == {"src": "11"}
    assert 0.5 <= float(values["x"]["src"]) <= 0.75
    assert len(values["tags"]["list"]) == 2


def test_recursive_models_break_the_cycle_at_an_optional_field() -> None:
    node = DataModel(name="Node", fields=[_f("child", "Optional[Node]", required=False), _f("name")])
    answer = models_answer(_spec(node))
    assert _values(answer, "Node")["child"] == {"src": "None"}


def test_the_answer_is_the_typed_plan_dumped() -> None:
    """The stored answer reads back into ModelsPlan unchanged (samples keep their short keys)."""
    item = DataModel(
        name="Item",
        fields=[
            _f("price", "Decimal"),
            _f("tags", "dict[str, list[int]]", constraints={"min_length": 1}),
            _f("code", constraints={"pattern": "^[A-Z]{3}$"}),
            _f("status", "Status", default="Status.ACTIVE", required=False),
        ],
    )
    answer = models_answer(_spec(STATUS, item))
    assert ModelsPlan.model_validate(answer).model_dump(mode="json") == answer
    assert _values(answer, "Item")["tags"] == {"dict": [[{"str": "key"}, {"list": [{"src": "1"}]}]]}


HOSTILE = '"); import os; os.system("id"); ("'


@pytest.mark.e2e
def test_hostile_spec_renders_safe_code_whose_factories_build(tmp_path: Path) -> None:
    status = DataModel(
        name="Status",
        kind="enum",
        values=[EnumValue(name="ON", value=HOSTILE), EnumValue(name="OFF", value="off")],
    )
    thing = DataModel(
        name="Thing",
        description='Doc """ with quotes\n# and a newline',
        fields=[
            _f("thingId", alias=HOSTILE),
            _f("label", default=HOSTILE, required=False),
            _f("code", constraints={"pattern": "^[a-z]{2}\"'\\d$", "max_length": 10}),
            _f("status", "Status", default="Status.ON", required=False),
            _f("parts", "list[Part]"),
            _f("secret", constraints={"min_length": 12}),
            _f("odd", "Thing; import os"),
            _f("when", "date", default="date.today()", required=False),
        ],
    )
    part = DataModel(name="Part", fields=[_f("owner", "Optional[Thing]", required=False), _f("n", "int")])
    spec = _spec(status, thing, part)
    repo = render(spec, tmp_path)
    schemas = (repo / "src/models/schemas.py").read_text()
    tree = ast.parse(schemas)
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"__future__", "datetime", "decimal", "enum", "typing", "uuid", "pydantic"}, imported
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import)]
    calls = {ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert calls <= {"Field", "ConfigDict", "Decimal", "Thing.model_rebuild", "Part.model_rebuild"}, calls
    script = (
        "import inspect\n"
        "from tests import factories\n"
        "for name, fn in inspect.getmembers(factories, inspect.isfunction):\n"
        "    if name.endswith('_factory'):\n"
        "        obj = fn()\n"
        "        assert type(obj).model_validate(obj.model_dump(by_alias=True)) == obj, name\n"
        "print('ok')\n"
    )
    res = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, timeout=120)
    assert res.stdout.strip() == "ok", res.stdout + res.stderr
    for tool in (["black", "--check", "-q", "."], ["flake8"], ["mypy"], ["pytest", "-q", "-p", "no:cacheprovider"]):
        res = subprocess.run([sys.executable, "-m", *tool], cwd=repo, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, (tool, (res.stdout + res.stderr)[-3000:])
