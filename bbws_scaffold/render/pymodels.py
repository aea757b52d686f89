"""The LLD's own models (``ServiceSpec.models`` of kind model/enum) as the blueprint renders them.

``src/models/schemas.py`` and the schema factories in ``tests/factories.py`` read the copier
answer ``models`` (:func:`models_answer`); the derivations happen here, once, in Python:

* **types**: every annotation is parsed and rebuilt from known names only (builtins, ``Decimal``,
  ``datetime``/``date``/``time``, ``UUID``, ``Any``, ``Literal``, containers, unions and the
  spec's own models and enums). ``EmailStr`` becomes ``str`` with an email pattern (the generated
  requirements carry no ``email-validator``). A name the spec does not define becomes ``Any``
  and the field carries a ``# LLD type: ...`` comment.
* **constraints**: ``min_length``/``max_length``/``ge``/``gt``/``le``/``lt``/``multiple_of``/
  ``pattern``/``max_digits``/``decimal_places`` are kept when their value has the right kind
  for the field's type; anything else is dropped with a comment.
* **defaults**: the LLD writes Python source; only simple literals survive (checked on the
  ``ast``, never evaluated, never pasted): numbers, strings, ``True``/``False``/``None``,
  ``[]``/``{}`` (and ``list()``/``dict()``), and ``Enum.MEMBER`` of a spec enum. A default that
  is not one of these, or does not fit the type, is dropped.
* **samples**: one valid value per field for the factories, honouring the constraints (patterns
  are sampled from the parsed regex and checked with ``re``); a pattern no sample satisfies is
  dropped with a comment, so every factory builds.

What reaches the templates, and how they must treat it:

* ``ann``, ``src`` values, class/field/factory names and import lines are Python source built
  here from validated tokens only (identifiers, digits, fixed keywords); templates emit them
  as they are. :func:`_check_src` refuses anything else.
* Every other string (``str`` values, aliases, patterns, docs, comments, enum values) is raw
  LLD text: templates emit it only through ``_macros/python.jinja`` (``pystr``, ``comment``,
  ``doctext``).
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from decimal import Decimal
from typing import Any

from bbws_scaffold import naming
from bbws_scaffold.model import DataModel, ModelField, ServiceSpec

try:  # Python 3.11+: re._parser; older: sre_parse
    import re._constants as _sre_c  # type: ignore[import-not-found]
    import re._parser as _sre_p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
SOURCE_PRIORITY = {"python": 0, "openapi": 1, "table": 2, "mermaid": 3}

PRIMS = {"str": "str", "int": "int", "float": "float", "bool": "bool", "bytes": "bytes",
         "string": "str", "integer": "int", "number": "float", "boolean": "bool"}  # fmt: skip
SPECIAL = {
    "Decimal": "from decimal import Decimal",
    "datetime": "from datetime import datetime",
    "date": "from datetime import date",
    "time": "from datetime import time",
    "UUID": "from uuid import UUID",
}
SPECIAL_ALIASES = {"datetime.datetime": "datetime", "datetime.date": "date", "datetime.time": "time",
                   "decimal.Decimal": "Decimal", "uuid.UUID": "UUID"}  # fmt: skip
STR_LIKE = {"EmailStr", "HttpUrl", "AnyUrl", "AnyHttpUrl", "constr", "SecretStr"}
LIST_NAMES = {"list", "List", "Sequence", "set", "Set", "frozenset", "FrozenSet", "tuple", "Tuple", "Iterable"}
DICT_NAMES = {"dict", "Dict", "Mapping", "MutableMapping"}
ANY_NAMES = {"Any", "object"}

IMPORTED = {"BaseModel", "ConfigDict", "Field", "Enum", "Any", "Literal", "annotations", *SPECIAL}
BUILTIN_NAMES = {"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "None", "type", "object"}

LENGTH_KEYS = ("min_length", "max_length")
BOUND_KEYS = ("ge", "gt", "le", "lt", "multiple_of")
DECIMAL_KEYS = ("max_digits", "decimal_places")
KEY_SYNONYMS = {"regex": "pattern", "min_items": "min_length", "max_items": "max_length",
                "minLength": "min_length", "maxLength": "max_length", "minItems": "min_length",
                "maxItems": "max_length", "minimum": "ge", "maximum": "le"}  # fmt: skip
# The order constraints are written in, whatever order the spec's mapping holds them in (the
# answers file stores mappings sorted, so a replayed spec must render exactly like a fresh one).
CANONICAL_KEYS = (*LENGTH_KEYS, *BOUND_KEYS, *DECIMAL_KEYS, "pattern")

KNOWN_SAMPLES = ["user@example.com", "+27821234567", "sample", "sample-1", "SAMPLE-1", "en", "en-ZA", "ZA", "ZAR",
                 "2024-01-01", "123456", "abc123"]  # fmt: skip
"""Readable values tried first against a pattern (then the regex sampler)."""

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLASS_RE = re.compile(r"[A-Z][A-Za-z0-9_]*")
_NUM_RE = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_LITERAL_STR_RE = re.compile(r"[A-Za-z0-9_ .:/@+-]{0,40}")
_SRC_RE = re.compile(r'(?:[A-Za-z0-9_.\[\], |()=\-+]|"[A-Za-z0-9_ .:/@+-]*")*')
_SECRETISH = re.compile(r"secret|passw|token|key|credential|auth|cookie|session|otp|pin", re.IGNORECASE)

try:
    from pydantic import BaseModel as _PydBase

    _BASEMODEL_ATTRS = set(dir(_PydBase))
except ImportError:  # pragma: no cover
    _BASEMODEL_ATTRS = set()
RESERVED_FIELDS = _BASEMODEL_ATTRS | BUILTIN_NAMES | IMPORTED | {"self", "model_config", "values", "data"}


def _check_src(s: str) -> str:
    """Python source emitted verbatim must be built from safe tokens only."""
    if not _SRC_RE.fullmatch(s):
        raise ValueError(f"unsafe generated source: {s!r}")
    return s


def _num_src(v: int | float) -> str:
    if isinstance(v, bool) or not math.isfinite(v):
        raise ValueError(v)
    return _check_src(repr(v))


# ---------------------------------------------------------------- types


class _TypeError(Exception):
    pass


_TOKEN_RE = re.compile(
    r"\s*(?:([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\"[^\"]*\"|'[^']*')|(-?\d+)|(\.\.\.)|([\[\],|]))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise _TypeError(text)
        pos = m.end()
        kind = ["name", "str", "int", "ellipsis", "punct"][m.lastindex - 1 if m.lastindex else 0]
        out.append((kind, m.group(m.lastindex or 0)))
    return out


class _Resolver:
    """Parses an annotation as written and rebuilds it from known names.

    A type is a tuple: ("prim", name) | ("special", name) | ("model", cls) | ("enum", cls) |
    ("list", t) | ("dict", k, v) | ("union", [t...]) | ("none",) | ("literal", [values]) |
    ("any", unknown-name-or-"").
    """

    def __init__(self, classes: dict[str, tuple[str, str]]):
        self.classes = classes  # name as written / class name -> (kind, class name)
        self.unknown: list[str] = []
        self.email = False

    def resolve(self, text: str) -> tuple:
        self.unknown, self.email = [], False
        try:
            toks = _tokens(text or "Any")
            if not toks:
                return ("any", "")
            t, rest = self._union(toks)
            if rest:
                raise _TypeError(text)
            return t
        except (_TypeError, IndexError, RecursionError):
            self.unknown.append(text)
            return ("any", text)

    def _union(self, toks: list) -> tuple[tuple, list]:
        members = []
        t, toks = self._atom(toks)
        members.append(t)
        while toks and toks[0] == ("punct", "|"):
            t, toks = self._atom(toks[1:])
            members.append(t)
        return (_union(members), toks)

    def _args(self, toks: list) -> tuple[list, list]:
        if not toks or toks[0] != ("punct", "["):
            return [], toks
        toks = toks[1:]
        args = []
        while True:
            if toks[0][0] == "ellipsis":
                args.append(("ellipsis",))
                toks = toks[1:]
            else:
                a, toks = self._union(toks)
                args.append(a)
            if toks[0] == ("punct", ","):
                toks = toks[1:]
                continue
            if toks[0] == ("punct", "]"):
                return args, toks[1:]
            raise _TypeError(str(toks))

    def _literal_args(self, toks: list) -> tuple[list, list]:
        if not toks or toks[0] != ("punct", "["):
            raise _TypeError("Literal")
        toks = toks[1:]
        values: list[Any] = []
        while True:
            kind, val = toks[0]
            if kind == "str" and _LITERAL_STR_RE.fullmatch(val[1:-1]):
                values.append(val[1:-1])
            elif kind == "int":
                values.append(int(val))
            else:
                raise _TypeError(val)
            toks = toks[1:]
            if toks[0] == ("punct", ","):
                toks = toks[1:]
                continue
            if toks[0] == ("punct", "]"):
                return values, toks[1:]
            raise _TypeError(val)

    def _atom(self, toks: list) -> tuple[tuple, list]:
        kind, name = toks[0]
        toks = toks[1:]
        if kind != "name":
            raise _TypeError(name)
        base = name.split(".")[-1] if name.startswith(("typing.", "pydantic.")) else name
        if base in ("Literal",):
            values, toks = self._literal_args(toks)
            return ("literal", values), toks
        args, toks = self._args(toks)
        args = [a for a in args if a != ("ellipsis",)]
        if base == "None":
            return ("none",), toks
        if base in PRIMS and not args:
            return ("prim", PRIMS[base]), toks
        if base in SPECIAL_ALIASES:
            base = SPECIAL_ALIASES[base]
        if base in SPECIAL and not args:
            return ("special", base), toks
        if base in STR_LIKE:
            if base == "EmailStr":
                self.email = True
            return ("prim", "str"), toks
        if base in ANY_NAMES and not args:
            return ("any", ""), toks
        if base == "Optional" and len(args) == 1:
            return _union([args[0], ("none",)]), toks
        if base == "Union" and args:
            return _union(args), toks
        if base in LIST_NAMES:
            inner = _union(args) if base in ("tuple", "Tuple") and args else (args[0] if args else ("any", ""))
            if base in ("tuple", "Tuple") and len({repr(a) for a in args}) > 1:
                inner = ("any", "")
            return ("list", inner), toks
        if base in DICT_NAMES:
            if len(args) == 2:
                return ("dict", args[0], args[1]), toks
            if not args:
                return ("dict", ("prim", "str"), ("any", "")), toks
            raise _TypeError(name)
        if base in self.classes and not args:
            kind2, cls = self.classes[base]
            return (kind2, cls), toks
        self.unknown.append(name)
        return ("any", name), toks


def _union(members: list) -> tuple:
    flat: list = []
    for m in members:
        for x in (m[1] if m[0] == "union" else [m]):
            if x[0] == "any":
                return x
            if x not in flat:
                flat.append(x)
    if ("none",) in flat:  # None last, the way people write it
        flat = [x for x in flat if x != ("none",)] + [("none",)]
    return flat[0] if len(flat) == 1 else ("union", flat)


def _ann(t: tuple) -> str:
    k = t[0]
    if k in ("prim", "special", "model", "enum"):
        return t[1]
    if k == "none":
        return "None"
    if k == "any":
        return "Any"
    if k == "list":
        return f"list[{_ann(t[1])}]"
    if k == "dict":
        return f"dict[{_ann(t[1])}, {_ann(t[2])}]"
    if k == "union":
        return " | ".join(_ann(m) for m in t[1])
    if k == "literal":
        return "Literal[" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in t[1]) + "]"
    raise ValueError(t)


def _names(t: tuple) -> set[str]:
    k = t[0]
    if k in ("prim", "special", "model", "enum"):
        return {t[1]}
    if k == "any":
        return {"Any"}
    if k == "literal":
        return {"Literal"}
    if k == "list":
        return _names(t[1])
    if k == "dict":
        return _names(t[1]) | _names(t[2])
    if k == "union":
        return set().union(*(_names(m) for m in t[1]))
    return set()


def _core(t: tuple) -> tuple:
    """The type constraints apply to: T itself, or T of ``T | None``; ("other",) for real unions."""
    if t[0] == "union":
        rest = [m for m in t[1] if m != ("none",)]
        return rest[0] if len(rest) == 1 else ("other",)
    return t


def _nullable(t: tuple) -> bool:
    return t == ("none",) or t[0] == "any" or (t[0] == "union" and ("none",) in t[1])


def _make_nullable(t: tuple) -> tuple:
    return t if _nullable(t) else _union([t, ("none",)])


def _core_kind(core: tuple) -> str:
    if core[0] == "prim":
        return {"str": "str", "bytes": "str", "int": "int", "float": "float", "bool": "bool"}[core[1]]
    if core[0] == "special":
        return {"Decimal": "decimal"}.get(core[1], core[1].lower())
    return core[0]  # model, enum, list, dict, literal, any, other, none


# ---------------------------------------------------------------- constraints


def _as_int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*\d+\s*", v):
        return int(v)
    return None


def _as_num(v: Any) -> int | float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v if math.isfinite(v) else None
    if isinstance(v, str) and _NUM_RE.fullmatch(v.strip()):
        f = float(v)
        return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f
    return None


def _pattern_ok(p: str) -> bool:
    """Compiles, and uses only what both Python's re and pydantic-core's Rust regex accept."""
    try:
        re.compile(p)
        _parse_regex(p)
    except (re.error, _Unsupported, OverflowError, RecursionError):
        return False
    return True


def _constraints(f: ModelField, core: tuple, email: bool) -> tuple[dict[str, Any], list[str]]:
    kind = _core_kind(core)
    keep: dict[str, Any] = {}
    dropped: list[str] = []

    def canonical(raw_key: str) -> tuple[int, str]:
        key = KEY_SYNONYMS.get(raw_key, raw_key)
        return (CANONICAL_KEYS.index(key) if key in CANONICAL_KEYS else len(CANONICAL_KEYS), raw_key)

    for raw_key in sorted(f.constraints, key=canonical):
        value = f.constraints[raw_key]
        key = KEY_SYNONYMS.get(raw_key, raw_key)
        ok: Any = None
        if key in LENGTH_KEYS and kind in ("str", "list", "dict"):
            n = _as_int(value)
            ok = n if n is not None and n >= 0 else None
        elif key in BOUND_KEYS and kind in ("int", "float", "decimal"):
            ok = _as_num(value)
            if ok is not None and key == "multiple_of" and ok <= 0:
                ok = None
        elif key in DECIMAL_KEYS and kind == "decimal":
            n = _as_int(value)
            ok = n if n is not None and n >= 0 else None
        elif key == "pattern" and kind == "str" and isinstance(value, str) and _pattern_ok(value):
            ok = value
        if ok is None or key in keep:
            dropped.append(f"{raw_key}={value}")
        else:
            keep[key] = ok
    if "min_length" in keep and "max_length" in keep and keep["min_length"] > keep["max_length"]:
        dropped.append(f"max_length={keep.pop('max_length')}")
    if email and kind == "str" and "pattern" not in keep:
        keep["pattern"] = EMAIL_PATTERN
    return keep, dropped


# ---------------------------------------------------------------- regex sampler


class _Unsupported(Exception):
    pass


def _parse_regex(p: str) -> Any:
    parsed = _sre_p.parse(p)
    _check_nodes(parsed)
    return parsed


_OK_OPS = {"LITERAL", "NOT_LITERAL", "IN", "ANY", "MAX_REPEAT", "MIN_REPEAT", "SUBPATTERN", "BRANCH", "AT", "CATEGORY"}


def _check_nodes(seq: Any) -> None:
    for op, av in seq:
        name = str(op)
        if name not in _OK_OPS:
            raise _Unsupported(name)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            _check_nodes(av[2])
        elif name == "SUBPATTERN":
            _check_nodes(av[-1])
        elif name == "BRANCH":
            for alt in av[1]:
                _check_nodes(alt)


_CANDIDATES = "aA1bcx0Z9-_.@ +:/"
_CATS = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}


def _in_set(c: str, items: Any) -> bool:
    neg = False
    hit = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            neg = True
        elif name == "LITERAL":
            hit = hit or ord(c) == av
        elif name == "RANGE":
            hit = hit or av[0] <= ord(c) <= av[1]
        elif name == "CATEGORY":
            hit = hit or _CATS.get(str(av), lambda _c: False)(c)
        else:
            raise _Unsupported(name)
    return hit != neg


def _one_char(pred: Any) -> str:
    for c in _CANDIDATES:
        if pred(c):
            return c
    for o in range(33, 127):
        if pred(chr(o)):
            return chr(o)
    raise _Unsupported("no character")


def _gen(seq: Any, budget: list[int]) -> str:
    out = []
    for op, av in seq:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(av))
        elif name == "NOT_LITERAL":
            out.append(_one_char(lambda c, av=av: ord(c) != av))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_one_char(lambda c, av=av: _in_set(c, av)))
        elif name == "CATEGORY":
            out.append(_one_char(_CATS.get(str(av), lambda _c: False)))
        elif name == "AT":
            continue
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            hi = lo + 10_000 if hi == _sre_c.MAXREPEAT else hi
            part = _gen(sub, [0])
            count = lo
            while budget[0] > 0 and count < hi and part:
                count += 1
                budget[0] -= len(part)
            out.append("".join(_gen(sub, [0]) for _ in range(count)))
        elif name == "SUBPATTERN":
            out.append(_gen(av[-1], budget))
        elif name == "BRANCH":
            out.append(_gen(av[1][0], budget))
        else:
            raise _Unsupported(name)
    return "".join(out)


def _str_ok(s: str, c: dict[str, Any]) -> bool:
    if len(s) < c.get("min_length", 0) or len(s) > c.get("max_length", len(s)):
        return False
    return "pattern" not in c or re.search(c["pattern"], s) is not None


def _pattern_sample(c: dict[str, Any]) -> str | None:
    for s in KNOWN_SAMPLES:
        if _str_ok(s, c):
            return s
    try:
        parsed = _parse_regex(c["pattern"])
        for extra in (0, c.get("min_length", 0), c.get("min_length", 0) + 2, 8, 16):
            s = _gen(parsed, [extra])
            if len(s) <= 200 and _str_ok(s, c):
                return s
    except (_Unsupported, re.error, RecursionError):
        return None
    return None


# ---------------------------------------------------------------- samples and defaults


def _placeholder(ident: str, c: dict[str, Any]) -> str:
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


def _number_sample(kind: str, c: dict[str, Any]) -> int | float | str | None:
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


class _Models:
    def __init__(self, spec: ServiceSpec):
        self.spec = spec
        chosen: dict[str, DataModel] = {}
        order = sorted(
            (m for m in spec.models if m.kind in ("model", "enum")),
            key=lambda m: SOURCE_PRIORITY.get(m.source, 9),
        )
        for m in order:
            cls = m.class_name
            if (
                cls in chosen
                or not _CLASS_RE.fullmatch(cls)
                or cls in IMPORTED
                or cls in BUILTIN_NAMES
                or keyword.iskeyword(cls)
                or cls in ("Decimal", "Optional", "Union", "List", "Dict", "Set", "Tuple", "Literal")
            ):
                continue
            chosen[cls] = m
        # keep the spec's order of first appearance
        self.models = [m for m in spec.models if chosen.get(m.class_name) is m]
        self.members: dict[str, list[dict[str, str]]] = {}
        for m in self.models:
            if m.kind == "enum":
                self.members[m.class_name] = self._enum_members(m)
        self.classes: dict[str, tuple[str, str]] = {}
        for m in self.models:
            kind = "enum" if m.kind == "enum" else "model"
            if kind == "enum" and not self.members[m.class_name]:
                continue  # an enum without members cannot be sampled: fields typed by it become Any
            self.classes.setdefault(m.class_name, (kind, m.class_name))
            self.classes.setdefault(m.name, (kind, m.class_name))
        entity_factories = set()
        for t in spec.tables:
            for e in t.entities:
                entity_factories |= {f"{e.ident}_factory", f"{e.ident}_create_factory", f"{e.ident}_update_factory"}
        self.factory_names: dict[str, str] = {}
        for m in self.models:
            if m.kind == "model":
                base = naming.snake(m.class_name)
                name = f"{base}_factory"
                if name in entity_factories or name in self.factory_names.values():
                    name = f"{base}_schema_factory"
                self.factory_names[m.class_name] = name
        self.fields: dict[str, list[dict[str, Any]]] = {}
        self.deps: dict[str, set[str]] = {}

    @staticmethod
    def _enum_members(m: DataModel) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        seen: set[str] = set()
        for v in m.values:
            if (
                _IDENT_RE.fullmatch(v.name)
                and not v.name.startswith("_")
                and not keyword.iskeyword(v.name)
                and v.name not in ("mro", "name", "value")
                and v.name not in seen
            ):
                seen.add(v.name)
                out.append({"name": v.name, "value": v.value})
        return out

    # -- fields

    def model_fields(self, m: DataModel) -> list[dict[str, Any]]:
        resolver = _Resolver(self.classes)
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        used_names = BUILTIN_NAMES | set(self.classes) | IMPORTED
        for f in m.fields:
            t = resolver.resolve(re.sub(r"\s+", " ", f.type or "Any"))
            unknown, email = list(resolver.unknown), resolver.email
            ident = f.ident
            if not _IDENT_RE.fullmatch(ident or ""):
                continue
            if ident.startswith("_"):
                ident = ident.lstrip("_") or "field"
            if (
                ident in RESERVED_FIELDS
                or ident in used_names
                or ident.startswith("model_")
                or keyword.iskeyword(ident)
            ):
                ident += "_"
            if ident in seen:
                continue
            seen.add(ident)
            comments: list[str] = []
            if unknown:
                comments.append("LLD type: " + (f.type or ""))
            cons, dropped = _constraints(f, _core(t), email)
            default, t, dropped_default = self._default(f, t, cons)
            if dropped_default:
                comments.append("LLD default not kept: " + dropped_default)
            out.append(
                {
                    "ident": ident,
                    "t": t,
                    "alias": f.alias or (f.name if f.name != ident else None),
                    "cons": cons,
                    "default": default,
                    "comments": comments,
                    "dropped": dropped,
                }
            )
        return out

    def _default(self, f: ModelField, t: tuple, cons: dict[str, Any]) -> tuple[dict[str, str] | None, tuple, str]:
        """(default, type, dropped-text). default None = required."""
        optional = f.optional or not f.required
        text = (f.default or "").strip()
        if not text:
            if optional:
                return {"kind": "src", "v": "None"}, _make_nullable(t), ""
            return None, t, ""
        value = self._literal(text)
        core = _core(t)
        kind = _core_kind(core)
        got: dict[str, str] | None = None
        if value is _NOPE:
            pass
        elif value is None:
            return {"kind": "src", "v": "None"}, _make_nullable(t), ""
        elif isinstance(value, _Member):
            if core == ("enum", value.cls) or kind == "any":
                got = {"kind": "src", "v": _check_src(f"{value.cls}.{value.name}")}
        elif isinstance(value, bool):
            if kind in ("bool", "any") or (kind == "literal" and value in core[1]):
                got = {"kind": "src", "v": repr(value)}
        elif isinstance(value, (int, float)):
            if kind == "decimal":
                got = {"kind": "decimal", "v": repr(value)}
            elif kind in ("float", "any") or (kind == "int" and isinstance(value, int)):
                got = {"kind": "src", "v": _num_src(float(value) if kind == "float" else value)}
            elif kind == "literal" and value in core[1]:
                got = {"kind": "src", "v": _num_src(value)}
            if got and kind != "any" and not self._number_ok(value, cons):
                got = None
        elif isinstance(value, str):
            if kind == "enum":
                for mem in self.members.get(core[1], []):
                    if value in (mem["value"], mem["name"]):
                        got = {"kind": "src", "v": _check_src(f"{core[1]}.{mem['name']}")}
                        break
            elif kind in ("str", "any") or (kind == "literal" and value in core[1]):
                if kind != "str" or _str_ok(value, cons):
                    got = {"kind": "str", "v": value}
        elif isinstance(value, list) and kind in ("list", "any") and cons.get("min_length", 0) == 0:
            got = {"kind": "factory", "v": "list"}
        elif isinstance(value, dict) and kind in ("dict", "any") and cons.get("min_length", 0) == 0:
            got = {"kind": "factory", "v": "dict"}
        if got is not None:
            return got, t, ""
        if optional:
            return {"kind": "src", "v": "None"}, _make_nullable(t), text
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
            if cls and cls[0] == "enum" and any(mm["name"] == node.attr for mm in self.members.get(cls[1], [])):
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

    @staticmethod
    def _number_ok(v: int | float, c: dict[str, Any]) -> bool:
        return not (
            ("ge" in c and not v >= c["ge"])
            or ("gt" in c and not v > c["gt"])
            or ("le" in c and not v <= c["le"])
            or ("lt" in c and not v < c["lt"])
        )

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

    def sample(self, t: tuple, cons: dict[str, Any], ident: str, owner: str) -> Any:
        """A sample as a small tree: {"str": s} | {"src": code} | {"decimal": s} | {"list": [...]} |
        {"dict": [[k, v]]} | {"call": factory}; None when none can be made."""
        k = t[0]
        if k == "union":
            rest = [m for m in t[1] if m != ("none",)]
            for m in rest:
                s = self.sample(m, cons if len(rest) == 1 else {}, ident, owner)
                if s is not None:
                    return s
            return {"src": "None"}
        if k == "none":
            return {"src": "None"}
        if k == "any":
            return {"str": "sample"}
        if k == "literal":
            v = t[1][0]
            return {"str": v} if isinstance(v, str) else {"src": _num_src(v)}
        if k == "enum":
            return {"src": _check_src(f"schemas.{t[1]}.{self.members[t[1]][0]['name']}")}
        if k == "model":
            if t[1] == owner or self._reaches(t[1], owner):
                return None  # would recurse: the caller falls back to None / empty
            self.deps.setdefault(owner, set()).add(t[1])
            return {"call": self.factory_names[t[1]]}
        if k == "list":
            lo, hi = cons.get("min_length", 0), cons.get("max_length")
            item = self.sample(t[1], {}, ident, owner)
            n = max(1, lo) if item is not None else 0
            if hi is not None:
                n = min(n, hi)
            if n < lo:
                return None
            return {"list": [item] * n}
        if k == "dict":
            lo, hi = cons.get("min_length", 0), cons.get("max_length")
            key = self.sample(t[1], {}, "key", owner) if t[1] != ("prim", "str") else {"str": "key"}
            val = self.sample(t[2], {}, "value", owner)
            n = 0 if (key is None or val is None or hi == 0) else 1
            if n < lo:
                return None
            return {"dict": [[key, val]] if n else []}
        if k == "special":
            name = t[1]
            if name == "Decimal":
                v = _number_sample("decimal", cons)
                return None if v is None else {"decimal": str(v)}
            return {
                "datetime": {"str": "2024-01-01T00:00:00Z"},
                "date": {"str": "2024-01-01"},
                "time": {"str": "12:00:00"},
                "UUID": {"str": "00000000-0000-4000-8000-000000000000"},
            }[name]
        if k == "prim":
            name = t[1]
            if name == "bool":
                return {"src": "True"}
            if name in ("int", "float"):
                v = _number_sample(name, cons)
                return None if v is None else {"src": _num_src(v)}  # type: ignore[arg-type]
            if "pattern" in cons:
                s = _pattern_sample(cons)
                return None if s is None else {"str": s}
            return {"str": _placeholder(ident, cons)}
        return None

    def build(self) -> dict[str, Any]:
        classes: list[dict[str, Any]] = []
        used: set[str] = set()
        field_cache = {m.class_name: self.model_fields(m) for m in self.models if m.kind == "model"}
        # dependencies between models (for ordering): a model after the models its fields name
        refs: dict[str, set[str]] = {}
        for cls, fields in field_cache.items():
            refs[cls] = {n for f in fields for n in _names(f["t"]) if n in field_cache and n != cls}
        factories: list[dict[str, Any]] = []
        needs_decimal = False
        for m in self.models:
            if m.kind == "enum":
                classes.append({"kind": "enum", "name": m.class_name, "doc": m.description,
                                "members": self.members[m.class_name]})  # fmt: skip
                continue
            fields_out = []
            values = []
            for f in field_cache[m.class_name]:
                cons = dict(f["cons"])
                t = f["t"]
                sample = self.sample(t, cons, f["ident"], m.class_name)
                comments = list(f["comments"])
                if sample is None and "pattern" in cons:
                    comments.append("LLD pattern dropped (no simple sample satisfies it): " + cons.pop("pattern"))
                    sample = self.sample(t, cons, f["ident"], m.class_name)
                if sample is None:
                    if _nullable(t) or f["default"] is not None:
                        sample = {"src": "None"} if _nullable(t) else None
                    else:
                        t = _make_nullable(t)
                        f["default"] = {"kind": "src", "v": "None"}
                        comments.append("made optional: no finite sample value exists")
                        sample = {"src": "None"}
                for d in f["dropped"]:
                    comments.append("LLD constraint dropped: " + d)
                ann = _check_src(_ann(t))
                used |= _names(t)
                if f["default"] and f["default"]["kind"] == "decimal":
                    used.add("Decimal")
                args: list[dict[str, Any]] = []
                for key, v in cons.items():
                    if isinstance(v, str):
                        args.append({"key": key, "str": v})
                    else:
                        args.append({"key": key, "src": _num_src(v)})
                fields_out.append({
                    "ident": f["ident"],
                    "ann": ann,
                    "alias": f["alias"],
                    "default": f["default"],
                    "args": args,
                    "comments": comments,
                })  # fmt: skip
                if sample is not None:
                    values.append({"key": f["ident"], "sample": sample})
                    needs_decimal = needs_decimal or _has_decimal(sample)
            classes.append({"kind": "model", "name": m.class_name, "doc": m.description, "fields": fields_out})
            factories.append({"name": self.factory_names[m.class_name], "cls": m.class_name, "values": values})
        classes = _order(classes, refs)
        rebuild = _cyclic(classes, refs)
        std = [SPECIAL[n] for n in SPECIAL if n in used]
        typing_names = [n for n in ("Any", "Literal") if n in used]
        std += [f"from typing import {n}" for n in typing_names]
        if any(c["kind"] == "enum" for c in classes):
            std.append("from enum import Enum")
        third: list[str] = []
        model_classes = [c for c in classes if c["kind"] == "model"]
        if model_classes:
            third = ["from pydantic import BaseModel", "from pydantic import ConfigDict"]
            if any(_needs_field(f) for c in model_classes for f in c["fields"]):
                third.append("from pydantic import Field")
        return {
            "classes": classes,
            "imports": {"std": std, "third": third},
            "rebuild": rebuild,
            "factories": factories,
            "factory_decimal": needs_decimal,
        }


class _Member:
    def __init__(self, cls: str, name: str):
        self.cls, self.name = cls, name


_NOPE = object()


def _needs_field(f: dict[str, Any]) -> bool:
    d = f["default"]
    return bool(f["alias"] or f["args"] or (d and d["kind"] in ("factory", "decimal")))


def _has_decimal(sample: Any) -> bool:
    if "decimal" in sample:
        return True
    if "list" in sample:
        return any(_has_decimal(s) for s in sample["list"])
    if "dict" in sample:
        return any(_has_decimal(k) or _has_decimal(v) for k, v in sample["dict"])
    return False


def _order(classes: list[dict[str, Any]], refs: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Enums first, then models after the models they name (stable; cycles keep spec order)."""
    enums = [c for c in classes if c["kind"] == "enum"]
    models = [c for c in classes if c["kind"] == "model"]
    done: list[dict[str, Any]] = []
    placed: set[str] = set()
    visiting: set[str] = set()
    by_name = {c["name"]: c for c in models}

    def visit(c: dict[str, Any]) -> None:
        if c["name"] in placed or c["name"] in visiting:
            return
        visiting.add(c["name"])
        for dep in sorted(refs.get(c["name"], ()), key=lambda n: list(by_name).index(n)):
            visit(by_name[dep])
        visiting.discard(c["name"])
        placed.add(c["name"])
        done.append(c)

    for c in models:
        visit(c)
    return enums + done


def _cyclic(classes: list[dict[str, Any]], refs: dict[str, set[str]]) -> list[str]:
    """Models that name a model defined after them: they need ``model_rebuild()``."""
    pos = {c["name"]: i for i, c in enumerate(classes)}
    return [c["name"] for c in classes if any(pos.get(d, -1) > pos[c["name"]] for d in refs.get(c["name"], ()))]


def models_answer(spec: ServiceSpec) -> dict[str, Any]:
    """The copier answer ``models``: schema classes, their imports and their factories."""
    return _Models(spec).build()
