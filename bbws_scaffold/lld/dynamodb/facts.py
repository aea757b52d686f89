"""Facts the DynamoDB readers collect, and the value micro-grammars they share.

Every reader (markdown tables, paragraphs, headings, plain fences, HCL, CreateTable JSON, env
vars) turns what it recognises into small facts with a source line. ``tables`` then groups
the facts into tables. Keeping the facts dumb and positional lets the same grouping rules apply
whatever notation a document used, and lets conflicts between sections be reported by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers.document import Row, Section
from bbws_scaffold.lld.readers.document import Table as MdTable
from bbws_scaffold.lld.readers.document import split_row
from bbws_scaffold.lld.readers.grammar import Concept, Grammar, normalise_header
from bbws_scaffold.model import Attribute

_CODE_SPAN_RE = re.compile(r"`([^`]+)`")
_PLACEHOLDER_OR_HASH_RE = re.compile(r"[#{]")
_CONSTANT_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")


@dataclass
class TableNameFact:
    """A physical table name, as written, and where it was declared."""

    name: str
    line: int
    source: str
    fallback: bool = False  # only an env-var value: used when nothing else names a table


@dataclass
class EntityFact:
    """An entity (``name``) or, with ``name`` None, the keys of a table that names no entity."""

    name: str | None
    line: int
    source: str
    pk: str | None = None
    sk: str | None = None
    pk_attr: str | None = None
    sk_attr: str | None = None
    attributes: list[Attribute] = field(default_factory=list)
    gsi_keys: dict[str, list[str | None]] = field(default_factory=dict)
    table: str | None = None  # table name bound by the same construct (HCL, JSON, box)
    block: int = 0  # line of the block it came from: entities of one block stay together
    hash_only: bool = False  # the construct says there is no sort key


@dataclass
class GsiFact:
    name: str
    line: int
    source: str
    index: str | None = None
    pk: str | None = None
    sk: str | None = None
    pk_attr: str | None = None
    sk_attr: str | None = None
    projection: str | None = None
    table: str | None = None
    block: int = 0


@dataclass
class TableOption:
    """A table-level setting (TTL attribute, billing mode) found near a table."""

    line: int
    ttl: str | None = None
    billing: str | None = None
    table: str | None = None


@dataclass
class Facts:
    names: list[TableNameFact] = field(default_factory=list)
    entities: list[EntityFact] = field(default_factory=list)
    gsis: list[GsiFact] = field(default_factory=list)
    options: list[TableOption] = field(default_factory=list)
    no_dynamodb_line: int | None = None


@dataclass(frozen=True)
class Dialect:
    """The ``tables`` grammar, pre-compiled into what the readers ask for."""

    concept: Concept
    key_pattern: re.Pattern[str]
    shapes: dict[str, Concept]

    def value(self, name: str) -> re.Pattern[str]:
        return self.concept.value(name)

    def data(self, name: str) -> Any:
        return self.concept.data[name]

    def words(self, name: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in self.concept.data.get(name, []) or [])


_CACHE: dict[int, tuple[Grammar, Dialect]] = {}


def _dialect(grammar: Grammar) -> Dialect:
    cached = _CACHE.get(id(grammar))
    if cached is not None and cached[0] is grammar:
        return cached[1]
    concept = grammar["tables"]
    shapes = {
        shape: Concept(
            f"tables.{shape}",
            columns={fld: tuple(normalise_header(s) for s in syns) for fld, syns in cols.items()},
        )
        for shape, cols in (concept.data.get("shapes") or {}).items()
    }
    out = Dialect(concept, grammar["common"].value("key_pattern"), shapes)
    _CACHE[id(grammar)] = (grammar, out)
    return out


def dialect(ctx: Context) -> Dialect:
    return _dialect(ctx.grammar)


# ---------------------------------------------------------------------------------------------
# value micro-grammars


def clean(text: str) -> str:
    """Cell text without markup, surrounding quotes and trailing punctuation."""
    return re.sub(r"[`*]", "", text).strip().strip("\"'").strip()


def is_pattern(text: str | None) -> bool:
    """A key *value pattern* (constant parts or placeholders), not just an attribute name."""
    return bool(text) and bool(_PLACEHOLDER_OR_HASH_RE.search(text or ""))


def key_value(d: Dialect, raw_cell: str, text_cell: str, whole: bool = True) -> tuple[str | None, bool]:
    """The key pattern a cell states, and whether it offered alternatives (``A`` or ``B``: the first wins).

    Code spans win (``TENANT#{tenantId}`` in "`TENANT#{tenantId}` - Partition key"); else the
    whole cell when ``whole`` (GSI/entity key columns hold nothing else); else the first token that
    looks like a pattern (has ``#`` or ``{``) or is a lone CONSTANT.
    """
    spans = [s.strip() for s in _CODE_SPAN_RE.findall(raw_cell)]
    good = [s for s in spans if d.key_pattern.match(s)]
    if good:
        alternatives = len(good) > 1 and bool(re.search(r"\bor\b|\|", raw_cell, re.IGNORECASE))
        return good[0], alternatives
    text = clean(text_cell)
    if not text or text.lower() in _EMPTY:
        return None, False
    parts = [p for p in re.split(r"\s+or\s+", text, flags=re.IGNORECASE) if p.strip()]
    found = [v for v in (_key_in_text(d, part, whole) for part in parts) if v]
    return (found[0], len(found) > 1) if found else (None, False)


_EMPTY = {"-", "—", "–", "n/a", "none", "null", "tbd", "(none)"}


def _key_in_text(d: Dialect, text: str, whole: bool) -> str | None:
    text = text.strip().strip("\"'")
    if whole and d.key_pattern.match(text):
        return text
    tokens = [t.strip(",;.()\"'") for t in text.split()]
    for tok in tokens:
        if tok and d.key_pattern.match(tok) and is_pattern(tok):
            return tok
    if whole and tokens and d.key_pattern.match(tokens[0]) and len(tokens) <= 3:
        return tokens[0]
    if len(tokens) == 1 and _CONSTANT_RE.match(tokens[0]):
        return tokens[0]
    return None


def canonical_type(d: Dialect, raw: str | None) -> str:
    """LLD type name -> canonical type through the grammar's vocabulary (``string`` when unknown)."""
    if not raw:
        return "string"
    vocab = d.data("type_vocabulary") or {}
    key = clean(raw).lower()
    candidates = [key, re.sub(r"\s*\([^()]*\)", "", key).strip()]
    candidates.append(candidates[-1].split(" ")[0] if candidates[-1] else "")
    candidates.append(re.split(r"[\s(/,]", key)[0] if key else "")
    for cand in candidates:
        for canonical, names in vocab.items():
            if cand in {str(n).lower() for n in names}:
                return str(canonical)
    return "string"


def required_value(d: Dialect, raw: str) -> bool | None:
    text = clean(raw).lower()
    if not text:
        return None
    first = re.split(r"[\s(,]", text)[0]
    if text in d.words("required_yes") or first in d.words("required_yes"):
        return True
    if text in d.words("required_no") or first in d.words("required_no"):
        return False
    return None


def physical_index(text: str) -> str:
    """``gsi 1`` / ``GSI_1`` -> ``GSI1``."""
    return re.sub(r"[\s_]+", "", text).upper()


def attribute(d: Dialect, name: str, type_raw: str | None, line: int, **extra: Any) -> Attribute | None:
    name = clean(name)
    if not name or not naming.words(name) or not d.value("attribute_name").match(name):
        return None
    return Attribute(
        name=name, type=canonical_type(d, type_raw), type_raw=clean(type_raw or "") or None, line=line, **extra
    )


def strip_numbering(d: Dialect, text: str) -> str:
    prev = None
    text = text.strip()
    while prev != text:
        prev = text
        text = d.value("heading_numbering").sub("", text).strip()
    return text


def entity_from_label(d: Dialect, text: str) -> str | None:
    """``Tenant Entity`` / ``**Order Entity:**`` / ``Pattern 2: Tenant`` -> the entity name."""
    m = d.value("entity_label").match(clean(strip_numbering(d, text)))
    if not m:
        return None
    name = (m.group("name") or m.group("name2") or "").strip()
    return name if naming.words(name) else None


def gsi_from_label(d: Dialect, text: str) -> tuple[str, str | None] | None:
    """``GSI1: OrdersByDateIndex`` -> (``OrdersByDateIndex``, ``GSI1``); ``GSI: EmailIndex`` -> (name, None)."""
    m = d.value("gsi_label").match(clean(strip_numbering(d, text)))
    if not m:
        return None
    n = m.group("n")
    return m.group("name"), (f"GSI{n}" if n else None)


def raw_cells(ctx: Context, table: MdTable, row: Row) -> list[str]:
    """The row's cells as written (code spans kept), or the plain cells when they do not line up."""
    lines = ctx.doc.source.splitlines()
    raw = lines[row.line - 1] if 0 < row.line <= len(lines) else ""
    cells = [c.strip() for c in split_row(raw)]
    return cells if len(cells) == len(row.cells) else list(row.cells)


def ignored(d: Dialect, section: Section) -> bool:
    """Sections (troubleshooting, sequence diagrams, examples) whose content never declares a table."""
    skip = d.words("ignore_sections")
    return any(s.key in skip for s in section.ancestors())
