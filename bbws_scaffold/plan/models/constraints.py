"""Field constraints as the LLD writes them, kept only where they fit the field's type.

``min_length``/``max_length``/``ge``/``gt``/``le``/``lt``/``multiple_of``/``pattern``/
``max_digits``/``decimal_places`` (and their synonyms) survive when their value has the right
kind for the field's type; anything else is reported back to be dropped with a comment.
"""

from __future__ import annotations

import math
import re
from typing import Any

from bbws_scaffold.model import ModelField
from bbws_scaffold.plan.models.regex import pattern_ok
from bbws_scaffold.plan.models.types import Type, core_kind

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

LENGTH_KEYS = ("min_length", "max_length")
BOUND_KEYS = ("ge", "gt", "le", "lt", "multiple_of")
DECIMAL_KEYS = ("max_digits", "decimal_places")
KEY_SYNONYMS = {"regex": "pattern", "min_items": "min_length", "max_items": "max_length",
                "minLength": "min_length", "maxLength": "max_length", "minItems": "min_length",
                "maxItems": "max_length", "minimum": "ge", "maximum": "le"}  # fmt: skip
# The order constraints are written in, whatever order the spec's mapping holds them in (the
# answers file stores mappings sorted, so a replayed spec must render exactly like a fresh one).
CANONICAL_KEYS = (*LENGTH_KEYS, *BOUND_KEYS, *DECIMAL_KEYS, "pattern")

_NUM_RE = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


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


def constraints(f: ModelField, core: Type, email: bool) -> tuple[dict[str, Any], list[str]]:
    """(kept constraints in canonical order and spelling, ``key=value`` texts of dropped ones)."""
    kind = core_kind(core)
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
        elif key == "pattern" and kind == "str" and isinstance(value, str) and pattern_ok(value):
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
