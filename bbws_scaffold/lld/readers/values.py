"""Value micro-grammars shared by several extractors (sizes, durations, key patterns, cells).

The regexes live in ``lld_grammar/common.yaml``; this module only applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bbws_scaffold.lld.readers.grammar import Grammar


@dataclass(frozen=True)
class Quantity:
    value: int
    label: str | None = None


@dataclass(frozen=True)
class QuantityList:
    """``256MB (default), 512MB (dashboard)`` / ``256-512MB`` / ``30 seconds``."""

    items: tuple[Quantity, ...]
    is_range: bool = False

    def default(self, default_labels: tuple[str, ...]) -> int | None:
        """The single value, or the one labelled as the default; None for ranges and unlabelled lists."""
        if self.is_range or not self.items:
            return None
        if len(self.items) == 1:
            return self.items[0].value
        for item in self.items:
            if item.label and item.label.strip().lower() in default_labels:
                return item.value
        return None

    def by_label(self) -> dict[str, int]:
        return {i.label: i.value for i in self.items if i.label}


def parse_quantities(text: str, grammar: Grammar, unit: str) -> QuantityList | None:
    """Parse sizes (``unit='size'``, MB) or durations (``unit='duration'``, seconds)."""
    common = grammar["common"]
    text = text.replace("`", "").strip()
    rng = common.value(f"{unit}_range").search(text)
    if rng:
        lo, hi = _to_int(rng.group("lo"), rng.groupdict().get("unit"), unit), _to_int(
            rng.group("hi"), rng.groupdict().get("unit"), unit
        )
        return QuantityList((Quantity(lo), Quantity(hi)), is_range=True)
    items = []
    for m in common.value(f"{unit}_item").finditer(text):
        items.append(Quantity(_to_int(m.group("n"), m.groupdict().get("unit"), unit), m.groupdict().get("label")))
    return QuantityList(tuple(items)) if items else None


def _to_int(number: str, unit_text: str | None, unit: str) -> int:
    n = float(number)
    u = (unit_text or "").lower()
    if unit == "size" and u.startswith("g"):
        n *= 1024
    if unit == "duration" and u.startswith("m") and not u.startswith("ms"):
        n *= 60
    if unit == "duration" and u.startswith("ms"):
        n /= 1000
    return int(round(n))


_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)\s]+)[^)]*\)")


def link_target(markdown: str) -> str | None:
    """The target of the first markdown link in a raw value, e.g. ``[HLD](../x.md) - Epic 6`` -> ``../x.md``."""
    m = _MD_LINK_RE.search(markdown)
    return m.group(2) if m else None


def strip_markup(text: str) -> str:
    text = _MD_LINK_RE.sub(lambda m: m.group(1), text)
    return re.sub(r"[`*]", "", text).strip()
