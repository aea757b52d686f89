"""Resource tags: tag tables under tagging sections, else HCL tag maps in code blocks.

The tags become terraform ``default_tags`` on every generated resource, so a glossary row that
slipped into a tag table ("SES | AWS Simple Email Service") would tag the whole stack with a
sentence. Rows are therefore filtered by the rules documented in ``lld_grammar/tags.yaml``.
"""

from __future__ import annotations

import re
from typing import Iterable

from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers.document import Fence, Table
from bbws_scaffold.lld.readers.grammar import Concept
from bbws_scaffold.lld.readers.values import strip_markup
from bbws_scaffold.model import Tag

_FUNCTION_WORDS = frozenset("a an and as at by for from in of on or the to with".split())


def extract(ctx: Context) -> list[Tag]:
    concept = ctx.grammar["tags"]
    tags = _from_tables(ctx, concept)
    if not tags:
        tags = _from_hcl(ctx, concept)
    return tags


# --- tables --------------------------------------------------------------------------------------


def _from_tables(ctx: Context, concept: Concept) -> list[Tag]:
    out: dict[str, Tag] = {}
    for table in ctx.doc.tables("tags"):
        cols = concept.match_columns(table.header)
        if "key" not in cols or "value" not in cols:
            continue
        for tag in _rows(ctx, table, cols, concept):
            out.setdefault(tag.key, tag)
    return list(out.values())


def _rows(ctx: Context, table: Table, cols: dict[str, int], concept: Concept) -> Iterable[Tag]:
    for row in table.rows:
        key = strip_markup(table.column(row, cols["key"])).strip()
        value = strip_markup(table.column(row, cols["value"])).strip()
        if not key and not value:
            continue
        reason = rejection(key, value, concept)
        if reason:
            ctx.sink.warn(row.line, f"tag row {key!r} skipped: {reason}")
            continue
        purpose = strip_markup(table.column(row, cols.get("purpose"))) or None
        yield Tag(line=row.line, key=key, value=value, purpose=purpose)


def rejection(key: str, value: str, concept: Concept) -> str | None:
    """Why a (key, value) pair is not a resource tag, or None when it is one."""
    if not key or not re.match(concept.data["key_pattern"], key):
        return "not a valid tag key"
    if len(key.split()) > int(concept.data.get("key_max_words", 3)):
        return "the key is a phrase, not a tag key"
    if not value:
        return "no value"
    if _is_prose(value, concept):
        return "the value is prose, not a tag value"
    if re.match(concept.data["acronym_key"], key) and _spells_out(key, value):
        return "an acronym and its expansion (a glossary entry), not a tag"
    return None


def _is_prose(value: str, concept: Concept) -> bool:
    if "{" in value or "$" in value:
        return False
    words = value.split()
    return len(words) >= int(concept.data.get("prose_min_words", 6)) or (len(words) > 2 and value.endswith("."))


def _spells_out(acronym: str, value: str) -> bool:
    """``PII`` / ``Personally Identifiable Information``; ``OTP`` / ``One-Time Password for ...``."""
    words = [w for w in re.split(r"[\s\-/]+", value) if w and w.lower() not in _FUNCTION_WORDS]
    initials = "".join(w[0] for w in words if w[0].isalpha()).upper()
    return len(words) >= 2 and acronym.upper() in initials


# --- HCL fallback --------------------------------------------------------------------------------


def _from_hcl(ctx: Context, concept: Concept) -> list[Tag]:
    """Tags from HCL maps: maps in a tagging section, else shared maps, else any resource map."""
    in_section: list[Tag] = []
    common: list[Tag] = []
    other: list[Tag] = []
    common_re = re.compile(concept.data["hcl_common_names"], re.IGNORECASE)
    for fence in ctx.doc.fences():
        for name, entries in _hcl_maps(fence, concept):
            target = in_section if fence.section.within("tags") else common if common_re.search(name) else other
            target.extend(entries)
    for group in (in_section, common, other):
        if group:
            first: dict[str, Tag] = {}
            for tag in group:
                first.setdefault(tag.key, tag)
            return list(first.values())
    return []


def _hcl_maps(fence: Fence, concept: Concept) -> list[tuple[str, list[Tag]]]:
    """``(map name, tags)`` for every tag map in a code block (read by content, any fence language)."""
    open_re = re.compile(concept.data["hcl_map_open"])
    var_re = re.compile(concept.data["hcl_tags_variable"])
    default_re = re.compile(concept.data["hcl_default_open"])
    block_re = re.compile(concept.data["hcl_block_open"])
    lines = list(fence.lines())
    maps: list[tuple[str, list[Tag]]] = []
    tags_var: str | None = None
    block: str | None = None
    i = 0
    while i < len(lines):
        text = lines[i][1]
        var, blk, m = var_re.match(text), block_re.match(text), open_re.match(text)
        if var:
            tags_var = var.group("var")
        if blk:
            block = blk.group("block")
        name = (block or m.group("name")) if m else None
        if m:
            block = None
        if name is None and tags_var and default_re.match(text):
            name = tags_var
        i += 1
        if name is None:
            continue
        entries, i = _map_entries(lines, i, concept)
        if entries:
            maps.append((name, entries))
    return maps


def _map_entries(lines: list[tuple[int, str]], i: int, concept: Concept) -> tuple[list[Tag], int]:
    """``Key = "value"`` lines until the map's closing brace (nested blocks are skipped)."""
    entry_re = re.compile(concept.data["hcl_entry"])
    out: list[Tag] = []
    depth = 1
    while i < len(lines) and depth > 0:
        line_no, text = lines[i]
        i += 1
        code = re.sub(r'"[^"]*"', '""', text)
        opened, closed = code.count("{"), code.count("}")
        if depth == 1 and opened == 0 and len(text) <= 400:
            m = entry_re.match(text)
            if m:
                key, value = m.group("k").strip(), _hcl_value(m.group("v"))
                if value and rejection(key, value, concept) is None:
                    out.append(Tag(line=line_no, key=key, value=value))
        depth += opened - closed
    return out, i


def _hcl_value(raw: str) -> str:
    raw = raw.strip().rstrip(",").strip()
    m = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', raw)
    return m.group(1) if m else raw
