"""Factory samples and field defaults of the LLD's models.

* **samples**: one valid value per field for the factories, honouring the constraints (patterns
  are sampled from the parsed regex and checked with ``re``); ``None`` when none exists, so the
  builder can drop the pattern or make the field optional and every factory builds.
* **defaults**: the LLD writes Python source; only simple literals survive (checked on the
  ``ast``, never evaluated, never pasted): numbers, strings, ``True``/``False``/``None``,
  ``[]``/``{}`` (and ``list()``/``dict()``), and ``Enum.MEMBER`` of a spec enum. A default that
  is not one of these, or does not fit the type, is dropped.
"""

from __future__ import annotations

import ast
import math
import re
from decimal import Decimal
from typing import Any

from bbws_scaffold.model import ModelField
from bbws_scaffold.plan.models.nodes import (
    CallSample,
    DecimalSample,
    DictSample,
    EnumMember,
    FieldDefault,
    ListSample,
    Sample,
    SrcSample,
    StrSample,
)
from bbws_scaffold.plan.models.regex import Unsupported, generate, parse_regex
from bbws_scaffold.plan.models.types import Type, check_src, core, core_kind, make_nullable, num_src

KNOWN_SAMPLES = ["user@example.com", "+27821234567", "sample", "sample-1", "SAMPLE-1", "en", "en-ZA", "ZA", "ZAR",
                 "2024-01-01", "123456", "abc123"]  # fmt: skip
"""Readable values tried first against a pattern (then the regex sampler)."""

_SECRETISH = re.compile(r"secret|passw|token|key|credential|auth|cookie|session|otp|pin", re.IGNORECASE)

_NONE = SrcSample(src="None")
_NONE_DEFAULT = FieldDefault(kind="src", v="None")


def str_ok(s: str, c: dict[str, Any]) -> bool:
    if len(s) < c.get("min_length", 0) or len(s) > c.get("max_length", len(s)):
        return False
    return "pattern" not in c or re.search(c["pattern"], s) is not None


def pattern_sample(c: dict[str, Any]) -> str | None:
    for s in KNOWN_SAMPLES:
        if str_ok(s, c):
            return s
    try:
        parsed = parse_regex(c["pattern"])
        for extra in (0, c.get("min_length", 0), c.get("min_length", 0) + 2, 8, 16):
            s = generate(parsed, [extra])
            if len(s) <= 200 and str_ok(s, c):
                return s
    except (Unsupported, re.error, RecursionError):
        return None
    return None


def placeholder(ident: str, c: dict[str, Any]) -> str:
    """``"{ident}"`` (a placeholder to secret scanners), padded or cut to the length bounds."""
    lo, hi = c.get("min_length", 0), c.get("max_length")
    s = "{" + ident + "}"
    if len(s) < lo:
        s = "{" + ident + "_" * (lo - len(s)) + "}"
    if hi is not None and len(s) > hi:
        known = [k for k in KNOWN_SAMPLES if lo <= len(k) <= hi and "@" not in k and "+" not in k]
        if known and not _SECRETISH.search(ident):
            return known[0]
        s = ("{" + ident[: hi - 2] + "}") if hi >= 3 else "x" * hi
    if len(s) < lo:  # only when hi < 3 and lo > len
        s = "x" * lo
    return s


def number_sample(kind: str, c: dict[str, Any]) -> int | float | str | None:
    lo = [c[k] for k in ("ge", "gt") if k in c]
    hi = [c[k] for k in ("le", "lt") if k in c]
    cands: list[float] = [1, 10, 100]
    for b in lo:
        cands += [b, b + 1, math.floor(b) + 1, b + 0.5]
    for b in hi:
        cands += [b, b - 1, math.ceil(b) - 1, b - 0.5]
    if lo and hi:
        cands.append((max(lo) + min(hi)) / 2)
    cands.append(0)
    for v in cands:
        if kind == "int":
            if not float(v).is_integer():
                continue
            v = int(v)
        if "ge" in c and not v >= c["ge"] or "gt" in c and not v > c["gt"]:
            continue
        if "le" in c and not v <= c["le"] or "lt" in c and not v < c["lt"]:
            continue
        if "multiple_of" in c and (Decimal(str(v)) % Decimal(str(c["multiple_of"]))) != 0:
            continue
        if kind == "decimal":
            d = Decimal(str(v)).normalize()
            sign, digits, exp = d.as_tuple()
            assert isinstance(exp, int)
            places = max(0, -exp)
            ndigits = max(len(digits), places + 1) if exp < 0 else len(digits) + exp
            if "decimal_places" in c and places > c["decimal_places"]:
                continue
            if "max_digits" in c and ndigits > c["max_digits"]:
                continue
            return format(d, "f")
        return float(v) if kind == "float" else v
    return None


def number_ok(v: int | float, c: dict[str, Any]) -> bool:
    return not (
        ("ge" in c and not v >= c["ge"])
        or ("gt" in c and not v > c["gt"])
        or ("le" in c and not v <= c["le"])
        or ("lt" in c and not v < c["lt"])
    )


def has_decimal(sample: Sample) -> bool:
    if isinstance(sample, DecimalSample):
        return True
    if isinstance(sample, ListSample):
        return any(has_decimal(s) for s in sample.items)
    if isinstance(sample, DictSample):
        return any(has_decimal(k) or has_decimal(v) for k, v in sample.pairs)
    return False


class _Member:
    def __init__(self, cls: str, name: str):
        self.cls, self.name = cls, name


_NOPE = object()


class Samples:
    """Samples and defaults for the fields of one spec's models.

    ``classes`` maps the names a type may use to (kind, class name), ``members`` holds each
    enum's members and ``factory_names`` each model's factory. A model field samples its model by
    calling that factory unless that would recurse: the models sampled so far are remembered."""

    def __init__(
        self,
        classes: dict[str, tuple[str, str]],
        members: dict[str, list[EnumMember]],
        factory_names: dict[str, str],
    ):
        self.classes = classes
        self.members = members
        self.factory_names = factory_names
        self.deps: dict[str, set[str]] = {}

    # -- defaults

    def default(self, f: ModelField, t: Type, cons: dict[str, Any]) -> tuple[FieldDefault | None, Type, str]:
        """(default, type, dropped-text). default None = required."""
        optional = f.optional or not f.required
        text = (f.default or "").strip()
        if not text:
            if optional:
                return _NONE_DEFAULT, make_nullable(t), ""
            return None, t, ""
        value = self._literal(text)
        c = core(t)
        kind = core_kind(c)
        got: FieldDefault | None = None
        if value is _NOPE:
            pass
        elif value is None:
            return _NONE_DEFAULT, make_nullable(t), ""
        elif isinstance(value, _Member):
            if c == ("enum", value.cls) or kind == "any":
                got = FieldDefault(kind="src", v=check_src(f"{value.cls}.{value.name}"))
        elif isinstance(value, bool):
            if kind in ("bool", "any") or (kind == "literal" and value in c[1]):
                got = FieldDefault(kind="src", v=repr(value))
        elif isinstance(value, (int, float)):
            if kind == "decimal":
                got = FieldDefault(kind="decimal", v=repr(value))
            elif kind in ("float", "any") or (kind == "int" and isinstance(value, int)):
                got = FieldDefault(kind="src", v=num_src(float(value) if kind == "float" else value))
            elif kind == "literal" and value in c[1]:
                got = FieldDefault(kind="src", v=num_src(value))
            if got and kind != "any" and not number_ok(value, cons):
                got = None
        elif isinstance(value, str):
            if kind == "enum":
                for mem in self.members.get(c[1], []):
                    if value in (mem.value, mem.name):
                        got = FieldDefault(kind="src", v=check_src(f"{c[1]}.{mem.name}"))
                        break
            elif kind in ("str", "any") or (kind == "literal" and value in c[1]):
                if kind != "str" or str_ok(value, cons):
                    got = FieldDefault(kind="str", v=value)
        elif isinstance(value, list) and kind in ("list", "any") and cons.get("min_length", 0) == 0:
            got = FieldDefault(kind="factory", v="list")
        elif isinstance(value, dict) and kind in ("dict", "any") and cons.get("min_length", 0) == 0:
            got = FieldDefault(kind="factory", v="dict")
        if got is not None:
            return got, t, ""
        if optional:
            return _NONE_DEFAULT, make_nullable(t), text
        return None, t, text

    def _literal(self, text: str) -> Any:
        """The value of a simple literal default, checked on the AST (never evaluated)."""
        if text in ("list()", "[]"):
            return []
        if text in ("dict()", "{}"):
            return {}
        try:
            node = ast.parse(text, mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            return _NOPE
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            cls = self.classes.get(node.value.id)
            if cls and cls[0] == "enum" and any(mm.name == node.attr for mm in self.members.get(cls[1], [])):
                return _Member(cls[1], node.attr)
            return _NOPE
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            v = node.operand.value
            return -v if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else _NOPE
        if isinstance(node, ast.Constant):
            v = node.value
            if v is None or isinstance(v, (bool, str)):
                return v
            if isinstance(v, (int, float)) and math.isfinite(v) and abs(v) < 1e15:
                return v
        return _NOPE

    # -- samples

    def _reaches(self, start: str, goal: str) -> bool:
        stack, seen = [start], set()
        while stack:
            n = stack.pop()
            if n == goal:
                return True
            if n not in seen:
                seen.add(n)
                stack.extend(self.deps.get(n, ()))
        return False

    def sample(self, t: Type, cons: dict[str, Any], ident: str, owner: str) -> Sample | None:
        """A sample of type ``t`` for field ``ident`` of model ``owner``; None when none can be made."""
        k = t[0]
        if k == "union":
            rest = [m for m in t[1] if m != ("none",)]
            for m in rest:
                s = self.sample(m, cons if len(rest) == 1 else {}, ident, owner)
                if s is not None:
                    return s
            return _NONE
        if k == "none":
            return _NONE
        if k == "any":
            return StrSample(text="sample")
        if k == "literal":
            v = t[1][0]
            return StrSample(text=v) if isinstance(v, str) else SrcSample(src=num_src(v))
        if k == "enum":
            return SrcSample(src=check_src(f"schemas.{t[1]}.{self.members[t[1]][0].name}"))
        if k == "model":
            if t[1] == owner or self._reaches(t[1], owner):
                return None  # would recurse: the caller falls back to None / empty
            self.deps.setdefault(owner, set()).add(t[1])
            return CallSample(call=self.factory_names[t[1]])
        if k == "list":
            lo, hi = cons.get("min_length", 0), cons.get("max_length")
            item = self.sample(t[1], {}, ident, owner)
            n = max(1, lo) if item is not None else 0
            if hi is not None:
                n = min(n, hi)
            if n < lo:
                return None
            return ListSample(items=[item] * n if item is not None else [])
        if k == "dict":
            lo, hi = cons.get("min_length", 0), cons.get("max_length")
            key = self.sample(t[1], {}, "key", owner) if t[1] != ("prim", "str") else StrSample(text="key")
            val = self.sample(t[2], {}, "value", owner)
            n = 0 if (key is None or val is None or hi == 0) else 1
            if n < lo:
                return None
            return DictSample(pairs=[(key, val)] if key is not None and val is not None and n else [])
        if k == "special":
            name = t[1]
            if name == "Decimal":
                d = number_sample("decimal", cons)
                return None if d is None else DecimalSample(decimal=str(d))
            return StrSample(
                text={
                    "datetime": "2024-01-01T00:00:00Z",
                    "date": "2024-01-01",
                    "time": "12:00:00",
                    "UUID": "00000000-0000-4000-8000-000000000000",
                }[name]
            )
        if k == "prim":
            name = t[1]
            if name == "bool":
                return SrcSample(src="True")
            if name in ("int", "float"):
                v = number_sample(name, cons)
                return None if v is None else SrcSample(src=num_src(v))  # type: ignore[arg-type]
            if "pattern" in cons:
                matching = pattern_sample(cons)
                return None if matching is None else StrSample(text=matching)
            return StrSample(text=placeholder(ident, cons))
        return None
