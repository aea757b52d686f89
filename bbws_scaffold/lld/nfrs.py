"""Non-functional requirements: metric/target tables and bullets under NFR headings, with typed targets.

Targets are free text (``< 500ms``, ``99.9% (SLA)``, ``1000 req/s``). The kinds that CloudWatch
alarms can use (latency, error rate, availability, throughput, cold start) are recognised by the
rules in ``lld_grammar/nfrs.yaml``; everything else is kept verbatim as kind ``other`` so nothing
the author wrote is lost, but no alarm is built from a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers.document import Paragraph, Section, Table
from bbws_scaffold.lld.readers.grammar import Concept
from bbws_scaffold.lld.readers.values import strip_markup
from bbws_scaffold.model import Nfr

_NUMBERING_RE = re.compile(
    r"^\s*(?:(?:appendix|annex)\s+[A-Za-z0-9]+|\d+(?:\.\d+)*[A-Za-z]?|[A-Za-z]\.\d+(?:\.\d+)*)[.:)]?\s+"
)
_TRAILING_PAREN_RE = re.compile(r"\s*\([^()]*\)\s*$")
_EMPTY = ("", "-", "—", "n/a", "tbd", "tbc")

_MS_PER = {"ms": 1.0, "mi": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PER_SECOND = {"s": 1.0, "m": 1 / 60, "h": 1 / 3600}


def display_title(title: str) -> str:
    """A heading as a label: numbering and a trailing parenthetical removed, case kept."""
    t = re.sub(r"[`*_]+", "", title).strip()
    prev = None
    while prev != t:
        prev = t
        t = _NUMBERING_RE.sub("", t)
    return _TRAILING_PAREN_RE.sub("", t).strip(" .:-—")


def extract(ctx: Context) -> list[Nfr]:
    concept = ctx.grammar["nfrs"]
    categories = frozenset(c.lower() for c in concept.data.get("category_sections") or [])
    out: list[Nfr] = []
    for block in ctx.doc.blocks:
        scope = _scope(block.section, concept, categories)
        if scope is None:
            continue
        if isinstance(block, Table):
            out.extend(_table(block, scope, concept))
        elif isinstance(block, Paragraph) and block.in_list and scope.root is not None:
            nfr = _bullet(block, scope, concept)
            if nfr is not None:
                out.append(nfr)
    return out


@dataclass
class _Scope:
    root: Section | None  # the NFR section above, if any
    category: str | None


def _scope(section: Section, concept: Concept, categories: frozenset[str]) -> _Scope | None:
    """Where a block sits: under an NFR root (any depth) or under a stand-alone category heading."""
    root = section.within("nfrs")
    if root is not None:
        sub = _category_section(section, root)
        return _Scope(root, _category(sub.title, concept) if sub is not None else None)
    for sec in section.ancestors():
        if sec.key in categories:
            return _Scope(None, _category(sec.title, concept))
    return None


def _category_section(section: Section, root: Section) -> Section | None:
    """The child of the NFR root that contains ``section`` (the sub-heading naming the category)."""
    node: Section | None = section
    while node is not None and node.parent is not root:
        node = node.parent
    return node


def _category(title: str, concept: Concept) -> str | None:
    text = display_title(title)
    suffixes = [s.lower() for s in concept.data.get("category_suffixes") or []]
    words = text.split()
    while len(words) > 1 and words[-1].lower() in suffixes:
        words.pop()
    return " ".join(words) or None


def _table(table: Table, scope: _Scope, concept: Concept) -> Iterable[Nfr]:
    cols = concept.match_columns(table.header)
    if scope.root is None and not ("metric" in cols and "target" in cols):
        return
    if len(table.header) < 2:
        return
    metric_col = cols.get("metric", 0)
    target_col = cols.get("target", 1 if metric_col != 1 else 0)
    if metric_col == target_col:
        return
    for row in table.rows:
        metric = strip_markup(table.column(row, metric_col))
        target = strip_markup(table.column(row, target_col))
        if metric.lower() in _EMPTY or target.lower() in _EMPTY:
            continue
        measurement = strip_markup(table.column(row, cols.get("measurement"))) or None
        yield build(metric, target, scope.category, row.line, concept, measurement)


def _bullet(para: Paragraph, scope: _Scope, concept: Concept) -> Nfr | None:
    raw = para.raw[0][1] if para.raw else para.text
    if re.match(r"^\s*(?:[-*+]\s+)?\[[ xX]\]", raw):  # a checklist item is a to-do, not a requirement
        return None
    m = re.match(concept.data["bullet_pair"], raw)
    if m and len(para.raw) == 1:
        metric = strip_markup(m.group("bk") or m.group("k") or "")
        target = strip_markup(m.group("v"))
        if metric and target:
            return build(metric, target, scope.category, para.line, concept)
    text = para.text.strip()
    if not text:
        return None
    return Nfr(line=para.line, category=scope.category, metric=text, target="", kind="other")


def build(
    metric: str, target: str, category: str | None, line: int, concept: Concept, measurement: str | None = None
) -> Nfr:
    """An NFR with its target typed by the first kind rule that holds (else kind ``other``)."""
    nfr = Nfr(line=line, category=category, metric=metric, target=target, measurement=measurement)
    for rule in concept.data.get("kinds") or []:
        typed = _apply(rule, nfr, concept)
        if typed is not None:
            return typed
    return nfr


def _apply(rule: dict[str, Any], nfr: Nfr, concept: Concept) -> Nfr | None:
    metric, category = nfr.metric, nfr.category or ""
    if rule.get("exclude") and re.search(rule["exclude"], metric, re.IGNORECASE):
        return None
    row = " | ".join((metric, nfr.target, nfr.measurement or ""))
    if rule.get("row") and not re.search(rule["row"], row, re.IGNORECASE):
        return None
    value = concept.value(rule["target"]).search(_plain_number(nfr.target))
    if value is None:
        return None
    metric_ok = bool(rule.get("metric")) and bool(re.search(rule["metric"], metric, re.IGNORECASE))
    category_ok = bool(rule.get("category")) and bool(re.search(rule["category"], category, re.IGNORECASE))
    if rule.get("bounded"):
        if not (metric_ok or value.groupdict().get("cmp")):
            return None
    elif (rule.get("metric") or rule.get("category")) and not (metric_ok or category_ok):
        return None
    threshold, unit = _threshold(rule["target"], value)
    percentile = _percentile(f"{metric} {nfr.target}", concept) if rule["kind"] == "latency" else None
    return nfr.model_copy(update={"kind": rule["kind"], "threshold": threshold, "unit": unit, "percentile": percentile})


def _plain_number(text: str) -> str:
    """``10,000`` -> ``10000`` so a thousands separator does not split a number."""
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)


def _threshold(kind: str, m: re.Match[str]) -> tuple[float, str]:
    n = float(m.group("n"))
    if kind == "duration":
        unit = m.group("unit").lower()
        key = "ms" if unit.startswith("ms") or unit.startswith("milli") else unit[:1]
        return round(n * _MS_PER.get(key, 1.0), 3), "ms"
    if kind == "rate":
        return round(n * _PER_SECOND.get(m.group("per").lower()[:1], 1.0), 6), "/s"
    if kind == "count":
        return n, "concurrent executions"
    return n, "%"


def _percentile(text: str, concept: Concept) -> str | None:
    m = concept.value("percentile").search(text)
    if not m:
        return None
    return "p" + (m.group("p") or m.group("q"))
