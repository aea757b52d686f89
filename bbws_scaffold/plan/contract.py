"""Contract-test cases of a request model: what the LLD says a request must be, computed here.

``tests/contract/test_<fn>.py`` reads them from the handler plan: every required field of the
LLD's request model (a request without it must get 400), and for every constraint and enum the
LLD states a value that breaks it (``price`` ``gt=0`` -> ``0``; ``quantity`` ``le=99`` -> ``100``;
an enum -> a value none of its members has). The values come from the model's constraints, not
from the generated code, so a handler that ignores the model fails these tests.

Values are JSON texts (``json.dumps``): the template emits them through ``pystr`` and the
test decodes them, so no LLD text becomes Python source. A long string or list is its unit and
a count (``"x"`` x 121), so the test line stays short.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic import Field

from bbws_scaffold.plan.models.nodes import EnumPlan, FactoryPlan, ModelClass, ModelFieldPlan, ModelsPlan, SrcArg
from bbws_scaffold.plan.node import PlanNode

_NON_MATCHING = ("!", "", " ", "x", "0", "A", "~~ not valid ~~")
"""Strings tried, in order, for one that a stated pattern does not match."""


class Violation(PlanNode):
    field: str = Field(description="the field as sent (alias, else ident)")
    rule: str = Field(description="the constraint broken: min_length, le, enum, type, ...")
    value: str = Field(description="JSON text of the breaking value, or of its unit when repeat > 1")
    repeat: int = Field(default=1, description="the value is the unit times this (a string or list of that length)")


class RequestCases(PlanNode):
    cls: str = Field(description="the request model's class in src/models/schemas.py")
    factory: str = Field(description="its factory in tests/factories.py (a valid request)")
    required: list[str] = Field(description="fields as sent that a request must carry")
    violations: list[Violation]


def wire_name(f: ModelFieldPlan) -> str:
    """The field's key in a request body."""
    return f.alias or f.ident


def _core(ann: str) -> str | None:
    parts = [p.strip() for p in ann.split("|") if p.strip() != "None"]
    return parts[0] if len(parts) == 1 else None


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


class Repeat:
    """A breaking value that is ``unit`` repeated ``n`` times (a string or list of length ``n``)."""

    def __init__(self, unit: Any, n: int):
        self.unit, self.n = unit, n


def _bound_violations(kind: str, args: dict[str, Any]) -> list[tuple[str, Any]]:
    integer = kind == "int"
    out: list[tuple[str, Any]] = []
    if "ge" in args:
        out.append(("ge", math.ceil(args["ge"]) - 1 if integer else _number(args["ge"] - 1)))
    if "gt" in args:
        out.append(("gt", math.floor(args["gt"]) if integer else _number(args["gt"])))
    if "le" in args:
        out.append(("le", math.floor(args["le"]) + 1 if integer else _number(args["le"] + 1)))
    if "lt" in args:
        out.append(("lt", math.ceil(args["lt"]) if integer else _number(args["lt"])))
    if kind == "Decimal" and "decimal_places" in args:
        places = int(args["decimal_places"]) + 1
        out.append(("decimal_places", float(f"{1 + 10**-places:.{places}f}")))
    out.append(("type", "not a number"))
    return out


def _str_violations(args: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if args.get("min_length", 0) > 0:
        out.append(("min_length", Repeat("x", int(args["min_length"]) - 1)))
    if "max_length" in args:
        out.append(("max_length", Repeat("x", int(args["max_length"]) + 1)))
    if "pattern" in args:
        try:
            rx = re.compile(args["pattern"])
        except re.error:
            return out
        bad = next((s for s in _NON_MATCHING if rx.search(s) is None), None)
        if bad is not None:
            out.append(("pattern", bad))
    return out


def _args(f: ModelFieldPlan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in f.args:
        if isinstance(a, SrcArg):
            out[a.key] = float(a.src) if any(c in a.src for c in ".eE") else int(a.src)
        else:
            out[a.key] = a.text
    return out


def field_violations(f: ModelFieldPlan, enums: dict[str, EnumPlan]) -> list[tuple[str, Any]]:
    """(rule, breaking value) for each constraint, enum and scalar type the field states."""
    core = _core(f.ann)
    if core is None:
        return []
    args = _args(f)
    if core in enums:
        values = {m.value for m in enums[core].members}
        bad = next(v for v in ("NOT_A_" + core.upper(), "not-a-member", "?" * 9 + "".join(values)) if v not in values)
        return [("enum", bad)]
    if core in ("int", "float", "Decimal"):
        return _bound_violations(core, args)
    if core == "str":
        return _str_violations(args)
    if core == "bool":
        return [("type", "not a boolean")]
    if core.startswith("list[") and "max_length" in args:
        return [("max_length", Repeat(["x"], int(args["max_length"]) + 1))] if core == "list[str]" else []
    return []


def request_cases(models: ModelsPlan, cls: str) -> RequestCases | None:
    """The cases of request model ``cls`` (the handler validates the body against it whole)."""
    model = next((c for c in models.classes if isinstance(c, ModelClass) and c.name == cls), None)
    factory = next((fa for fa in models.factories if fa.cls == cls), None)
    if model is None or factory is None:
        return None
    enums = {c.name: c for c in models.classes if isinstance(c, EnumPlan) and c.members}
    required = [wire_name(f) for f in model.fields if f.default is None and _samples(factory, f)]
    violations = [
        _violation(wire_name(f), rule, value) for f in model.fields for rule, value in field_violations(f, enums)
    ]
    return RequestCases(cls=cls, factory=factory.name, required=required, violations=violations)


def _violation(field: str, rule: str, value: Any) -> Violation:
    if isinstance(value, Repeat):
        return Violation(field=field, rule=rule, value=json.dumps(value.unit), repeat=value.n)
    return Violation(field=field, rule=rule, value=json.dumps(value))


def _samples(factory: FactoryPlan, f: ModelFieldPlan) -> bool:
    """The factory gives the field a value (so removing it is a real change of the request)."""
    return any(v.key == f.ident for v in factory.values)
