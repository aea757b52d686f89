"""DynamoDB facts from markdown: headings, ``**Key**: value`` lines and GFM tables.

Table shapes (DIALECT_SURVEY §4.2/§4.3), recognised by their columns and labels, never by
document: entity attribute tables whose PK/SK rows hold the key patterns, ``Key | Attribute |
Pattern`` key tables, one-row-per-entity tables, ``GSI Name | PK | SK`` index tables (plain or
overloaded) and two-row GSI key tables under a ``GSI: <Name>`` heading or bold label.
Access-pattern tables only *use* keys and are skipped.
"""

from __future__ import annotations

import re

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.dynamodb.facts import (
    Dialect,
    EntityFact,
    Facts,
    GsiFact,
    TableNameFact,
    TableOption,
    attribute,
    clean,
    entity_from_label,
    gsi_from_label,
    ignored,
    is_pattern,
    key_value,
    physical_index,
    raw_cells,
    required_value,
    strip_numbering,
)
from bbws_scaffold.lld.readers.document import Block, Heading, Paragraph, Row, Section
from bbws_scaffold.lld.readers.document import Table as MdTable
from bbws_scaffold.lld.readers.grammar import normalise_header
from bbws_scaffold.model import Attribute

_PAREN_RE = re.compile(r"\(([^()]*)\)")


def table_name_value(d: Dialect, raw: str) -> str | None:
    """The physical table name in a value as written (first code span, else first token)."""
    spans = re.findall(r"`([^`]+)`", raw)
    bare = re.sub(r"\s*\([^()]*\)\s*$", "", raw.replace("`", " ")).strip().split()
    candidates = spans or (bare if len(bare) == 1 else [])  # "see below" is prose, not a name
    for cand in candidates:
        value = clean(cand).rstrip(".,;:)")
        literal = re.sub(r"\$?\{[^{}]*\}", "", value)
        if d.value("table_name").match(value) and re.search(r"[A-Za-z]", literal):
            return value
    return None


def read_markdown(ctx: Context, d: Dialect, facts: Facts) -> None:
    """Walk the blocks once, in document order."""
    blocks = ctx.doc.blocks
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            _read_heading(d, block, facts)
        elif isinstance(block, Paragraph):
            _read_paragraph(d, block, facts)
        elif isinstance(block, MdTable):
            _no_dynamodb_rows(d, block, facts)
            if not ignored(d, block.section):
                _read_table(ctx, d, block, _labels(blocks, i), facts)


def _read_heading(d: Dialect, heading: Heading, facts: Facts) -> None:
    m = d.value("table_heading").search(strip_numbering(d, heading.text))
    if m:
        name = table_name_value(d, m.group("name"))
        if name:
            facts.names.append(TableNameFact(name, heading.line, "heading"))


def _read_paragraph(d: Dialect, para: Paragraph, facts: Facts) -> None:
    if facts.no_dynamodb_line is None and d.value("no_dynamodb").search(para.text):
        facts.no_dynamodb_line = para.line
    if ignored(d, para.section):
        return
    for line, raw in para.raw:
        m = d.value("table_name_line").match(raw)
        if m:
            name = table_name_value(d, m.group("value"))
            if name:
                facts.names.append(TableNameFact(name, line, "**Table Name** line"))
        m = d.value("ttl_line").search(raw)
        if m:
            facts.options.append(TableOption(line, ttl=m.group("attr")))
        m = d.value("billing_line").match(raw)
        if m:
            mode = billing_mode(d, m.group("value"))
            if mode:
                facts.options.append(TableOption(line, billing=mode))


def billing_mode(d: Dialect, text: str) -> str | None:
    low = clean(text).lower()
    for mode, names in (d.data("billing_modes") or {}).items():
        if any(str(n).lower() in low for n in names):
            return str(mode)
    return None


def _no_dynamodb_rows(d: Dialect, table: MdTable, facts: Facts) -> None:
    if facts.no_dynamodb_line is not None:
        return
    for row in table.rows:
        if d.value("no_dynamodb").search(" ".join(row.cells)):
            facts.no_dynamodb_line = row.line
            return


def _labels(blocks: list[Block], i: int) -> list[str]:
    """Paragraphs right before a table in the same section, nearest first (bold labels, captions)."""
    out: list[str] = []
    j = i - 1
    while j >= 0 and len(out) < 3:
        b = blocks[j]
        if not isinstance(b, Paragraph) or b.section is not blocks[i].section:
            break
        out.append(b.text)
        j -= 1
    return out


def _section_gsi(d: Dialect, section: Section) -> tuple[str, str | None] | None:
    return gsi_from_label(d, section.title) if section.level else None


def _section_entity(d: Dialect, section: Section) -> str | None:
    """Entity named by the section heading: ``Tenant Entity``, else a bare name such as ``GenerationSessions``."""
    if not section.level:
        return None
    title = strip_numbering(d, section.title)
    named = entity_from_label(d, title)
    if named:
        return named
    if section.concepts or d.value("table_heading").search(title):
        return None
    generic = d.words("generic_title_words")
    if (
        re.fullmatch(r"[A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*){0,2}", title)
        and title.split()[-1].lower() not in generic
    ):
        return title
    return None


def _is_access_pattern(d: Dialect, header: list[str]) -> bool:
    words = d.words("access_pattern_headers")
    return any(normalise_header(h) in words for h in header)


def _read_table(ctx: Context, d: Dialect, table: MdTable, labels: list[str], facts: Facts) -> None:
    if _is_access_pattern(d, table.header):
        return
    _settings_rows(d, table, facts)
    gsi_cols = d.shapes["gsis"].match_columns(table.header)
    ent_cols = d.shapes["entities"].match_columns(table.header)
    key_cols = d.shapes["keys"].match_columns(table.header)
    attr_cols = d.shapes["attributes"].match_columns(table.header)
    gsi_label = next((g for g in (gsi_from_label(d, t) for t in labels) if g), None) or _section_gsi(d, table.section)
    if "gsi_name" in gsi_cols and "pk" in gsi_cols:
        _gsi_rows(ctx, d, table, gsi_cols, facts)
    elif "entity" in ent_cols and "pk" in ent_cols:
        entity_rows(ctx, d, table, ent_cols, facts)
    elif gsi_label and "attribute" in attr_cols:
        _gsi_key_table(ctx, d, table, attr_cols, gsi_label, facts)
    elif {"key", "attribute", "pattern"} <= key_cols.keys():
        _key_table(ctx, d, table, key_cols, labels, facts)
    elif "attribute" in attr_cols and ("type" in attr_cols or "key_type" in attr_cols):
        _attribute_table(ctx, d, table, attr_cols, labels, facts)


def _settings_rows(d: Dialect, table: MdTable, facts: Facts) -> None:
    """``| Table Name | `bbws-x-{env}` |`` / ``| TTL Attribute | ttl |`` rows of a Setting | Value table."""
    if len(table.header) > 3:
        return
    roles = {str(n).lower(): role for role, names in (d.data("settings_rows") or {}).items() for n in names}
    for row in table.rows:
        if len(row.cells) < 2:
            continue
        role = roles.get(clean(row.cells[0]).lower().rstrip(":"))
        value = clean(row.cells[1])
        if role == "table":
            name = table_name_value(d, row.cells[1]) if " " not in value or row.code[1] else None
            if name:
                facts.names.append(TableNameFact(name, row.line, "settings table"))
        elif role == "ttl" and re.fullmatch(r"[A-Za-z_]\w*", value):
            facts.options.append(TableOption(row.line, ttl=value))
        elif role == "billing":
            mode = billing_mode(d, value)
            if mode:
                facts.options.append(TableOption(row.line, billing=mode))


def _cell(ctx: Context, table: MdTable, row: Row, cols: dict[str, int], fld: str) -> tuple[str, str]:
    """(raw markdown, plain text) of one field of a row; empty strings when the column is absent."""
    idx = cols.get(fld)
    if idx is None or idx >= len(row.cells):
        return "", ""
    raw = raw_cells(ctx, table, row)
    return (raw[idx] if idx < len(raw) else row.cells[idx]), row.cells[idx]


def _key(ctx: Context, d: Dialect, table: MdTable, row: Row, cols: dict[str, int], fld: str, whole: bool) -> str | None:
    raw, text = _cell(ctx, table, row, cols, fld)
    value, alternatives = key_value(d, raw, text, whole)
    if alternatives:
        ctx.sink.warn(row.line, f"key cell {clean(text)!r} gives alternatives; using the first, {value!r}")
    return value


def _header_attrs(header: list[str], idx: int | None) -> list[str]:
    """``PK (GSI1PK/GSI2PK)`` -> [GSI1PK, GSI2PK]: the key attributes an overloaded column names."""
    if idx is None or idx >= len(header):
        return []
    m = _PAREN_RE.search(header[idx])
    if not m:
        return []
    return [a for a in (clean(x) for x in re.split(r"[/,|]|\bor\b", m.group(1))) if re.fullmatch(r"\w+", a)]


def _pick_attr(attrs: list[str], *names: str | None) -> str | None:
    """The header attribute that belongs to this index (``GSI2`` -> ``GSI2PK``)."""
    for name in names:
        digits = re.findall(r"\d+", name or "")
        if digits:
            hit = [a for a in attrs if re.search(rf"(?<!\d){digits[0]}(?!\d)", a)]
            if len(hit) == 1:
                return hit[0]
    return attrs[0] if len(attrs) == 1 else None


def _gsi_rows(ctx: Context, d: Dialect, table: MdTable, cols: dict[str, int], facts: Facts) -> None:
    """``GSI Name | PK | SK | Purpose`` and the overloaded ``Index | PK (GSI1PK/GSI2PK) | ...`` form."""
    pk_attrs = _header_attrs(table.header, cols.get("pk"))
    sk_attrs = _header_attrs(table.header, cols.get("sk"))
    for row in table.rows:
        cell = clean(table.column(row, cols["gsi_name"]))
        if not cell or not naming.words(cell):
            continue
        name, index = cell, None
        m = d.value("gsi_logical").match(cell)
        if m:
            name = m.group("name") or m.group("name2")
            index = physical_index(m.group("index") or m.group("index2"))
        pk = _key(ctx, d, table, row, cols, "pk", whole=True)
        sk = _key(ctx, d, table, row, cols, "sk", whole=True)
        gsi = GsiFact(name, row.line, "GSI table", index=index, pk=pk, sk=sk, block=table.line)
        gsi.pk_attr = _as_attr(d, pk) or _pick_attr(pk_attrs, index, name)
        gsi.sk_attr = _as_attr(d, sk) or (_pick_attr(sk_attrs, index, name) if sk else None)
        proj = clean(table.column(row, cols.get("projection")))
        gsi.projection = proj.upper() if proj else None
        facts.gsis.append(gsi)


def _as_attr(d: Dialect, value: str | None) -> str | None:
    """A key cell that holds an attribute name (``email``, ``GSI1PK``) rather than a value pattern."""
    if value and not is_pattern(value) and d.value("attribute_name").match(value):
        return value
    return None


def entity_rows(ctx: Context, d: Dialect, table: MdTable, cols: dict[str, int], facts: Facts) -> None:
    """One row per entity: ``Entity | PK | SK | Attributes`` (also pseudo-tables from plain fences)."""
    for row in table.rows:
        name = clean(table.column(row, cols["entity"]))
        if not name or not naming.words(name):
            continue
        pk = _key(ctx, d, table, row, cols, "pk", whole=True)
        if pk is None:
            continue
        sk = _key(ctx, d, table, row, cols, "sk", whole=True) if "sk" in cols else None
        ent = EntityFact(name, row.line, "entity table", pk=pk, sk=sk, block=table.line)
        ent.attributes = _attribute_list(d, table.column(row, cols.get("attributes")), row.line)
        facts.entities.append(ent)


_PAREN_TAIL_RE = re.compile(r"\s*\([^()]*\)\s*$")


def _attribute_list(d: Dialect, cell: str, line: int) -> list[Attribute]:
    """``email, firstName, mfaSecret (encrypted)`` -> attributes (prose such as "All ticket fields" yields none)."""
    out: list[Attribute] = []
    for part in cell.split(","):
        name = _PAREN_TAIL_RE.sub("", part).strip()
        attr = attribute(d, name, None, line)
        if attr is not None and " " not in name:
            out.append(attr)
    return out


def _gsi_key_role(d: Dialect, attr_cell: str, key_type: str) -> tuple[str, str] | None:
    """(``pk``|``sk``, attribute) of one row of a GSI key table."""
    m = d.value("gsi_key_cell").match(attr_cell)
    if m:
        kind = m.group("kind").lower()
        return ("pk" if kind.startswith(("pk", "partition", "hash")) else "sk"), m.group("attr").strip("` ")
    role = _key_type_role(d, key_type)
    if role:
        return role.replace("gsi_", ""), attr_cell
    m = d.value("key_attribute").match(attr_cell)
    if m and m.group("kind"):
        return m.group("kind").lower(), attr_cell
    return None


def _key_type_role(d: Dialect, text: str) -> str | None:
    low = normalise_header(text)
    if not low:
        return None
    for role, names in (d.data("key_type_values") or {}).items():
        if low in {str(n).lower() for n in names}:
            return str(role)
    return None


def _gsi_key_table(
    ctx: Context,
    d: Dialect,
    table: MdTable,
    cols: dict[str, int],
    label: tuple[str, str | None],
    facts: Facts,
) -> None:
    """Two-row key table under ``GSI: EmailIndex`` / ``**GSI1: OrdersByDateIndex**``."""
    gsi = GsiFact(label[0], table.line, "GSI key table", index=label[1], block=table.line)
    for row in table.rows:
        attr_cell = clean(table.column(row, cols["attribute"]))
        role = _gsi_key_role(d, attr_cell, table.column(row, cols.get("key_type")))
        if role is None:
            continue
        kind, attr = role
        pattern = _key(ctx, d, table, row, cols, "description", whole=False) if "description" in cols else None
        if kind == "pk" and gsi.pk_attr is None:
            gsi.pk_attr, gsi.pk = attr, pattern or attr
            gsi.line = row.line
        elif kind == "sk" and gsi.sk_attr is None:
            gsi.sk_attr, gsi.sk = attr, pattern or attr
    if gsi.pk_attr is not None:
        facts.gsis.append(gsi)


def _key_table(ctx: Context, d: Dialect, table: MdTable, cols: dict[str, int], labels: list[str], facts: Facts) -> None:
    """``Key | Attribute | Pattern | Example``: the table's keys, for the entity a label names if any."""
    ent = EntityFact(_label_entity(d, labels, table.section), table.line, "key table", block=table.line)
    names = d.data("key_names") or {}
    for row in table.rows:
        key = normalise_header(table.column(row, cols["key"]))
        role = next((r for r, syns in names.items() if key in syns or key.split(" ")[0] in syns), None)
        attr = clean(table.column(row, cols["attribute"])) or None
        pattern = _key(ctx, d, table, row, cols, "pattern", whole=True)
        if role == "pk" and ent.pk is None:
            ent.pk, ent.pk_attr, ent.line = pattern or attr, attr, row.line
        elif role == "sk" and ent.sk is None:
            ent.sk, ent.sk_attr = pattern or attr, attr
    if ent.pk is not None:
        facts.entities.append(ent)


def _label_entity(d: Dialect, labels: list[str], section: Section) -> str | None:
    for text in labels:
        name = entity_from_label(d, text)
        if name:
            return name
    return _section_entity(d, section)


def _attribute_table(
    ctx: Context, d: Dialect, table: MdTable, cols: dict[str, int], labels: list[str], facts: Facts
) -> None:
    """``Attribute | Type | [Key Type] | [Required] | Description`` whose PK/SK rows carry the key patterns."""
    ent = EntityFact(None, table.line, "entity attribute table", block=table.line)
    ttl: tuple[str, int] | None = None
    for row in table.rows:
        attr_cell = clean(table.column(row, cols["attribute"]))
        if not attr_cell or not any(c.strip() for i, c in enumerate(row.cells) if i != cols["attribute"]):
            continue  # empty or a bold group-separator row
        role = _row_role(d, attr_cell, table.column(row, cols.get("key_type")))
        pattern = _key(ctx, d, table, row, cols, "description", whole=False) if role else None
        if role == "pk" and ent.pk is None:
            ent.pk, ent.pk_attr, ent.line = pattern or attr_cell, attr_cell, row.line
        elif role == "sk" and ent.sk is None:
            ent.sk, ent.sk_attr = pattern or attr_cell, attr_cell
        elif role and role.startswith("gsi"):
            _gsi_key(d, ent, attr_cell, role, pattern)
        if d.value("key_attribute").match(attr_cell):
            continue  # PK, SK, GSI1PK: keys, not domain fields
        desc = table.column(row, cols.get("description"))
        attr = attribute(
            d,
            attr_cell,
            table.column(row, cols.get("type")),
            row.line,
            description=desc or None,
            required=required_value(d, table.column(row, cols.get("required"))) if "required" in cols else None,
        )
        if attr is not None:
            ent.attributes.append(attr)
            if ttl is None and (attr_cell.lower() == "ttl" or d.value("ttl_description").search(desc)):
                ttl = (attr_cell, row.line)
    if ent.pk is None:
        return
    ent.name = _label_entity(d, labels, table.section)
    facts.entities.append(ent)
    if ttl:
        facts.options.append(TableOption(ttl[1], ttl=ttl[0]))


def _row_role(d: Dialect, attr_cell: str, key_type: str) -> str | None:
    """pk / sk / gsi_pk / gsi_sk for a row of an attribute table, from its Key Type cell or its name."""
    role = _key_type_role(d, key_type)
    if role:
        return role
    low = normalise_header(attr_cell)
    for r, syns in (d.data("key_names") or {}).items():
        if low in ("pk", "sk") and low == r:
            return str(r)
        if low in {str(s).lower() for s in syns} and " " in low:
            return str(r)
    m = d.value("key_attribute").match(attr_cell)
    if m and m.group("index"):
        return f"gsi_{m.group('kind').lower()}"
    return None


def _gsi_key(d: Dialect, ent: EntityFact, attr_cell: str, role: str, pattern: str | None) -> None:
    """``GSI1_PK`` row of an entity table -> the entity's per-index key pattern."""
    m = d.value("key_attribute").match(attr_cell)
    if not m or not m.group("index"):
        return
    keys = ent.gsi_keys.setdefault(physical_index(m.group("index")), [None, None])
    keys[0 if role == "gsi_pk" else 1] = pattern
