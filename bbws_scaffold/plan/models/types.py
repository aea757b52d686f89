"""Annotations as the LLD writes them, parsed and rebuilt from known names only.

A type is a tuple: ``("prim", name)`` | ``("special", name)`` | ``("model", cls)`` |
``("enum", cls)`` | ``("list", t)`` | ``("dict", k, v)`` | ``("union", [t...])`` | ``("none",)`` |
``("literal", [values])`` | ``("any", unknown-name-or-"")``. :func:`ann` turns one back into
Python source; :func:`check_src` is the gate every piece of generated source passes.
"""

from __future__ import annotations

import math
import re
from typing import Any

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

Type = tuple[Any, ...]
"""A resolved type (see the module docstring)."""

_LITERAL_STR_RE = re.compile(r"[A-Za-z0-9_ .:/@+-]{0,40}")
_SRC_RE = re.compile(r'(?:[A-Za-z0-9_.\[\], |()=\-+]|"[A-Za-z0-9_ .:/@+-]*")*')
_TOKEN_RE = re.compile(
    r"\s*(?:([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\"[^\"]*\"|'[^']*')|(-?\d+)|(\.\.\.)|([\[\],|]))"
)


def check_src(s: str) -> str:
    """Python source emitted verbatim must be built from safe tokens only."""
    if not _SRC_RE.fullmatch(s):
        raise ValueError(f"unsafe generated source: {s!r}")
    return s


def num_src(v: int | float) -> str:
    if isinstance(v, bool) or not math.isfinite(v):
        raise ValueError(v)
    return check_src(repr(v))


class _TypeSyntaxError(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise _TypeSyntaxError(text)
        pos = m.end()
        kind = ["name", "str", "int", "ellipsis", "punct"][m.lastindex - 1 if m.lastindex else 0]
        out.append((kind, m.group(m.lastindex or 0)))
    return out


class Resolver:
    """Parses an annotation as written and rebuilds it from known names (a :data:`Type`).

    After :meth:`resolve`, ``unknown`` lists the names it did not know and ``email`` says whether
    an ``EmailStr`` was seen (the field then gets an email pattern)."""

    def __init__(self, classes: dict[str, tuple[str, str]]):
        self.classes = classes  # name as written / class name -> (kind, class name)
        self.unknown: list[str] = []
        self.email = False

    def resolve(self, text: str) -> Type:
        self.unknown, self.email = [], False
        try:
            toks = _tokens(text or "Any")
            if not toks:
                return ("any", "")
            t, rest = self._union(toks)
            if rest:
                raise _TypeSyntaxError(text)
            return t
        except (_TypeSyntaxError, IndexError, RecursionError):
            self.unknown.append(text)
            return ("any", text)

    def _union(self, toks: list) -> tuple[Type, list]:
        members = []
        t, toks = self._atom(toks)
        members.append(t)
        while toks and toks[0] == ("punct", "|"):
            t, toks = self._atom(toks[1:])
            members.append(t)
        return (union(members), toks)

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
            raise _TypeSyntaxError(str(toks))

    def _literal_args(self, toks: list) -> tuple[list, list]:
        if not toks or toks[0] != ("punct", "["):
            raise _TypeSyntaxError("Literal")
        toks = toks[1:]
        values: list[Any] = []
        while True:
            kind, val = toks[0]
            if kind == "str" and _LITERAL_STR_RE.fullmatch(val[1:-1]):
                values.append(val[1:-1])
            elif kind == "int":
                values.append(int(val))
            else:
                raise _TypeSyntaxError(val)
            toks = toks[1:]
            if toks[0] == ("punct", ","):
                toks = toks[1:]
                continue
            if toks[0] == ("punct", "]"):
                return values, toks[1:]
            raise _TypeSyntaxError(val)

    def _atom(self, toks: list) -> tuple[Type, list]:
        kind, name = toks[0]
        toks = toks[1:]
        if kind != "name":
            raise _TypeSyntaxError(name)
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
            return union([args[0], ("none",)]), toks
        if base == "Union" and args:
            return union(args), toks
        if base in LIST_NAMES:
            inner = union(args) if base in ("tuple", "Tuple") and args else (args[0] if args else ("any", ""))
            if base in ("tuple", "Tuple") and len({repr(a) for a in args}) > 1:
                inner = ("any", "")
            return ("list", inner), toks
        if base in DICT_NAMES:
            if len(args) == 2:
                return ("dict", args[0], args[1]), toks
            if not args:
                return ("dict", ("prim", "str"), ("any", "")), toks
            raise _TypeSyntaxError(name)
        if base in self.classes and not args:
            kind2, cls = self.classes[base]
            return (kind2, cls), toks
        self.unknown.append(name)
        return ("any", name), toks


def union(members: list) -> Type:
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


def ann(t: Type) -> str:
    """The annotation of ``t`` as Python source."""
    k = t[0]
    if k in ("prim", "special", "model", "enum"):
        return t[1]
    if k == "none":
        return "None"
    if k == "any":
        return "Any"
    if k == "list":
        return f"list[{ann(t[1])}]"
    if k == "dict":
        return f"dict[{ann(t[1])}, {ann(t[2])}]"
    if k == "union":
        return " | ".join(ann(m) for m in t[1])
    if k == "literal":
        return "Literal[" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in t[1]) + "]"
    raise ValueError(t)


def names(t: Type) -> set[str]:
    """The names ``ann(t)`` uses (to import them, and to order models after the models they name)."""
    k = t[0]
    if k in ("prim", "special", "model", "enum"):
        return {t[1]}
    if k == "any":
        return {"Any"}
    if k == "literal":
        return {"Literal"}
    if k == "list":
        return names(t[1])
    if k == "dict":
        return names(t[1]) | names(t[2])
    if k == "union":
        return set().union(*(names(m) for m in t[1]))
    return set()


def core(t: Type) -> Type:
    """The type constraints apply to: T itself, or T of ``T | None``; ("other",) for real unions."""
    if t[0] == "union":
        rest = [m for m in t[1] if m != ("none",)]
        return rest[0] if len(rest) == 1 else ("other",)
    return t


def nullable(t: Type) -> bool:
    return t == ("none",) or t[0] == "any" or (t[0] == "union" and ("none",) in t[1])


def make_nullable(t: Type) -> Type:
    return t if nullable(t) else union([t, ("none",)])


def core_kind(c: Type) -> str:
    """The kind of a :func:`core` type that decides which constraints, defaults and samples fit."""
    if c[0] == "prim":
        return {"str": "str", "bytes": "str", "int": "int", "float": "float", "bool": "bool"}[c[1]]
    if c[0] == "special":
        return {"Decimal": "decimal"}.get(c[1], c[1].lower())
    return c[0]  # model, enum, list, dict, literal, any, other, none
