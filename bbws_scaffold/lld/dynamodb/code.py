"""DynamoDB facts from code fences: HCL, CreateTable JSON/YAML, plain-text boxes and env vars.

Fences are classified by content first (``aws_dynamodb_table``, ``"TableName"``/``KeySchema``)
and by language second, because fence tags lie (DIALECT_SURVEY §11.3). Example items (JSON or
Python dicts with concrete ids) and sequence diagrams are never read as declarations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from io import StringIO
from typing import Any, Iterator

from ruamel.yaml import YAML

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
    key_value,
)
from bbws_scaffold.lld.dynamodb.markdown import billing_mode, entity_rows, table_name_value
from bbws_scaffold.lld.readers.document import Fence, Row
from bbws_scaffold.lld.readers.document import Table as MdTable

_BOX_RE = re.compile(r"[│┃║┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬╭╮╯╰]|[─━═]{2,}")
_TYPE_PAREN_RE = re.compile(r"\s*\(([^()]*)\)\s*$")


def read_fences(ctx: Context, d: Dialect, facts: Facts) -> None:
    for fence in ctx.doc.fences():
        if ignored(d, fence.section):
            continue
        content = fence.content
        try:
            if "aws_dynamodb_table" in content and fence.lang in d.words("hcl_fence_langs"):
                _read_hcl(d, fence, facts)
            elif fence.lang in d.words("json_fence_langs") and re.search(r'"(?:TableName|KeySchema)"', content):
                _read_create_table(d, fence, _load_json(content), facts)
            elif fence.lang in ("yaml", "yml") and "KeySchema" in content:
                _read_create_table(d, fence, _load_yaml(content), facts)
            elif fence.lang in d.words("plain_fence_langs"):
                consumed = _read_pseudo_table(ctx, d, fence, facts)
                _read_key_values(ctx, d, fence, facts, consumed)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            ctx.sink.warn(fence.line, f"cannot read DynamoDB definition in this code block: {exc}")


# ---------------------------------------------------------------------------------------------
# CreateTable JSON / CloudFormation-like YAML


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    stripped = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith(("//", "#")))
    stripped = re.sub(r",(\s*[}\]])", r"\1", stripped)
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def _load_yaml(text: str) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(StringIO(text))
    except Exception:  # noqa: BLE001 - ruamel raises many types; unreadable YAML is simply skipped
        return None


def _walk(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 20:
        return
    if isinstance(obj, dict):
        if "KeySchema" in obj and ("TableName" in obj or "AttributeDefinitions" in obj):
            yield obj
            return
        for v in obj.values():
            yield from _walk(v, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v, depth + 1)


def _key_schema(schema: Any) -> tuple[str | None, str | None]:
    pk = sk = None
    for k in schema if isinstance(schema, list) else []:
        if not isinstance(k, dict):
            continue
        kind = str(k.get("KeyType", "")).upper()
        name = k.get("AttributeName")
        if isinstance(name, str):
            if kind == "HASH":
                pk = name
            elif kind == "RANGE":
                sk = name
    return pk, sk


def _line_of(fence: Fence, needle: str, start: int = 0) -> int:
    for i, text in enumerate(fence.content.splitlines()):
        if i >= start and needle in text:
            return fence.line + 1 + i
    return fence.line


def _read_create_table(d: Dialect, fence: Fence, data: Any, facts: Facts) -> None:
    for spec in _walk(data):
        raw_name = spec.get("TableName")
        name = table_name_value(d, raw_name) if isinstance(raw_name, str) else None
        line = _line_of(fence, raw_name) if isinstance(raw_name, str) else fence.line
        if name:
            facts.names.append(TableNameFact(name, line, "CreateTable definition"))
        pk, sk = _key_schema(spec.get("KeySchema"))
        if pk:
            facts.entities.append(
                EntityFact(None, line, "CreateTable definition", pk_attr=pk, sk_attr=sk, table=name, block=fence.line)
            )
            facts.entities[-1].hash_only = sk is None
        for gsi in spec.get("GlobalSecondaryIndexes") or []:
            if not isinstance(gsi, dict) or not isinstance(gsi.get("IndexName"), str):
                continue
            gpk, gsk = _key_schema(gsi.get("KeySchema"))
            proj = gsi.get("Projection")
            facts.gsis.append(
                GsiFact(
                    gsi["IndexName"],
                    _line_of(fence, gsi["IndexName"]),
                    "CreateTable definition",
                    pk_attr=gpk,
                    sk_attr=gsk,
                    projection=str(proj.get("ProjectionType")) if isinstance(proj, dict) else None,
                    table=name,
                    block=fence.line,
                )
            )
        ttl = spec.get("TimeToLiveSpecification")
        billing = spec.get("BillingMode")
        if isinstance(ttl, dict) and isinstance(ttl.get("AttributeName"), str):
            facts.options.append(TableOption(line, ttl=ttl["AttributeName"], table=name))
        if isinstance(billing, str):
            facts.options.append(TableOption(line, billing=billing_mode(d, billing), table=name))


# ---------------------------------------------------------------------------------------------
# HCL aws_dynamodb_table


@dataclass
class _Block:
    type: str
    labels: list[str]
    line: int
    attrs: dict[str, tuple[str, int]] = field(default_factory=dict)
    children: list[_Block] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        """A literal string attribute (quotes removed); None for expressions such as ``var.name``."""
        value = self.attrs.get(key, ("", 0))[0].strip()
        m = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', value)
        if m:
            return m.group(1)
        return value if re.fullmatch(r"true|false|\d+", value) else None

    def blocks(self, kind: str) -> list[_Block]:
        return [c for c in self.children if c.type == kind]


_OPEN_RE = re.compile(r'^(?P<type>[A-Za-z_][\w-]*)\s*(?P<labels>(?:"[^"]*"\s*)*)(?:=\s*)?\{(?P<rest>.*)$')
_ASSIGN_RE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*=\s*(?P<value>.*?)$")
_INLINE_RE = re.compile(r'([A-Za-z_][\w-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s}]+)')


def _strip_comment(text: str) -> str:
    out, quoted = [], False
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        if not quoted and (ch == "#" or text.startswith("//", i)):
            break
        out.append(ch)
    return "".join(out).strip()


def parse_hcl(lines: list[tuple[int, str]]) -> _Block:
    """A forgiving HCL block reader that keeps line numbers (documentation snippets are often fragments)."""
    root = _Block("root", [], 0)
    stack = [root]
    depth_skip = 0
    for line, raw in lines:
        text = _strip_comment(raw)
        if not text:
            continue
        if depth_skip:
            depth_skip += text.count("[") - text.count("]")
            continue
        m = _OPEN_RE.match(text)
        if m:
            block = _Block(m.group("type"), re.findall(r'"([^"]*)"', m.group("labels")), line)
            stack[-1].children.append(block)
            rest = m.group("rest").strip()
            if rest.endswith("}"):
                for k, v in _INLINE_RE.findall(rest[:-1]):
                    block.attrs[k] = (v, line)
            else:
                stack.append(block)
            continue
        if text.startswith("}") or text.startswith("]"):
            if len(stack) > 1:
                stack.pop()
            continue
        m = _ASSIGN_RE.match(text)
        if m:
            value = m.group("value")
            if value.startswith("[") and value.count("[") > value.count("]"):
                depth_skip = value.count("[") - value.count("]")
            stack[-1].attrs[m.group("key")] = (value, line)
    return root


def _read_hcl(d: Dialect, fence: Fence, facts: Facts) -> None:
    root = parse_hcl(list(fence.lines()))
    for res in root.blocks("resource"):
        if not res.labels or res.labels[0] != "aws_dynamodb_table":
            continue
        raw_name = res.get("name")
        name = table_name_value(d, raw_name) if raw_name else None
        line = res.attrs.get("name", ("", res.line))[1]
        if name:
            facts.names.append(TableNameFact(name, line, "HCL aws_dynamodb_table"))
        pk, sk = res.get("hash_key"), res.get("range_key")
        if pk:
            ent = EntityFact(None, line, "HCL aws_dynamodb_table", pk_attr=pk, sk_attr=sk, table=name, block=fence.line)
            ent.hash_only = sk is None
            facts.entities.append(ent)
        for g in res.blocks("global_secondary_index"):
            gname = g.get("name")
            if gname:
                facts.gsis.append(
                    GsiFact(
                        gname,
                        g.line,
                        "HCL global_secondary_index",
                        pk_attr=g.get("hash_key"),
                        sk_attr=g.get("range_key"),
                        projection=g.get("projection_type"),
                        table=name,
                        block=fence.line,
                    )
                )
        for t in res.blocks("ttl"):
            if t.get("attribute_name") and t.get("enabled") != "false":
                facts.options.append(TableOption(t.line, ttl=t.get("attribute_name"), table=name))
        mode = res.get("billing_mode")
        if mode:
            facts.options.append(TableOption(line, billing=billing_mode(d, mode), table=name))


# ---------------------------------------------------------------------------------------------
# plain fences: pseudo-tables and key-value boxes


def _plain(text: str) -> str:
    """A line of a plain block without box-drawing borders, list bullets or comment markers."""
    text = _BOX_RE.sub(" ", text).strip().strip("|+").strip()
    return re.sub(r"^(?:[-*•#]+|\d+[.)])\s+", "", text)


def _read_pseudo_table(ctx: Context, d: Dialect, fence: Fence, facts: Facts) -> set[int]:
    """``PK | SK | Type`` rows with a ``───`` rule in a plain fence, read like an entity table.

    Returns the lines it consumed, so the key-value reader skips them.
    """
    rows = [(ln, [c.strip() for c in t.replace("│", "|").strip().strip("|").split("|")]) for ln, t in fence.lines()]
    rows = [(ln, cells) for ln, cells in rows if len(cells) >= 2]
    for i, (ln, header) in enumerate(rows):
        cols = d.shapes["entities"].match_columns(header)
        if "entity" in cols and "pk" in cols:
            body = [
                Row(cells + [""] * (len(header) - len(cells)), [False] * len(header), rl)
                for rl, cells in rows[i + 1 :]
                if not d.value("rule_line").match("|".join(cells))
            ]
            entity_rows(ctx, d, MdTable(ln, fence.section, header, body), cols, facts)
            return {ln} | {rl for rl, _ in rows[i + 1 :]}
    return set()


@dataclass
class _KvState:
    table: str | None = None
    entity: EntityFact | None = None
    gsi: GsiFact | None = None


def _fence_role(d: Dialect, key: str) -> str | None:
    low = re.sub(r"\s*\([^()]*\)", "", key).strip().lower()
    for role, names in (d.data("fence_keys") or {}).items():
        if low in {str(n).lower() for n in names}:
            return str(role)
    return None


def _read_key_values(ctx: Context, d: Dialect, fence: Fence, facts: Facts, skip: set[int]) -> None:
    """``Table: x`` / ``Entity: X`` / ``PK: ...`` / ``GSI1PK: ...`` / ``Name: GSI1`` lines (ASCII boxes)."""
    section_entity = entity_from_label(d, fence.section.title) if fence.section.level else None
    gsi_context = bool(gsi_from_label(d, fence.section.title)) or bool(
        re.search(r"\b(?:gsi|global secondary|index)", fence.section.key + " " + (fence.label or ""), re.I)
    )
    st = _KvState()
    for line, raw in fence.lines():
        if line in skip:
            continue
        for segment in re.split(r"\s{3,}", _plain(raw)):
            _kv_segment(ctx, d, fence, st, line, segment.strip(), section_entity, gsi_context, facts)
    _flush_entity(st, facts)
    _flush_gsi(st, facts)


def _kv_segment(
    ctx: Context,
    d: Dialect,
    fence: Fence,
    st: _KvState,
    line: int,
    segment: str,
    section_entity: str | None,
    gsi_context: bool,
    facts: Facts,
) -> None:
    m = d.value("gsi_shorthand").match(segment)
    if m:
        _flush_gsi(st, facts)
        pk, sk = m.group("pk"), m.group("sk")
        facts.gsis.append(
            GsiFact(m.group("name"), line, "plain block", pk=pk, sk=sk, pk_attr=pk, sk_attr=sk, table=st.table)
        )
        return
    m = d.value("fence_kv").match(segment)
    if not m:
        _kv_attribute(d, st, line, segment)
        return
    key, value = m.group("key").strip(), m.group("value").strip()
    role = _fence_role(d, key)
    if role == "table":
        name = table_name_value(d, value)
        if name:
            st.table = name
            facts.names.append(TableNameFact(name, line, "plain block"))
    elif role == "entity":
        _flush_entity(st, facts)
        name = clean(value)
        st.entity = EntityFact(name, line, "plain block", table=st.table, block=fence.line) if name else None
    elif role == "gsi_name":
        value = clean(value)
        if gsi_context or d.value("gsi_physical").match(value) or value.lower().endswith("index"):
            _flush_gsi(st, facts)
            st.gsi = GsiFact(value, line, "plain block", table=st.table, block=fence.line)
    elif role == "projection" and st.gsi is not None:
        st.gsi.projection = clean(value).split()[0].upper() if clean(value) else None
    elif role == "ttl":
        attr = clean(value).split()[0] if clean(value) else ""
        if re.fullmatch(r"[A-Za-z_]\w*", attr):
            facts.options.append(TableOption(line, ttl=attr, table=st.table))
    elif role in ("pk", "sk"):
        _kv_key(d, st, line, key, value, role, section_entity, fence)
    else:
        km = d.value("key_attribute").match(key)
        if km and km.group("index") and st.entity is not None:
            pattern, _ = key_value(d, value, clean(value), whole=True)
            keys = st.entity.gsi_keys.setdefault(re.sub(r"[\s_]+", "", km.group("index")).upper(), [None, None])
            keys[0 if km.group("kind").lower() == "pk" else 1] = pattern


_ATTR_VALUE_RE = re.compile(
    r"^(?P<attr>[A-Za-z_][\w\-]*)\s*(?:\((?P<paren>[^()]*)\))?\s*(?:(?:=|:|-|–)\s*(?P<value>.+))?$"
)


def _kv_key(
    d: Dialect, st: _KvState, line: int, key: str, value: str, role: str, section_entity: str | None, fence: Fence
) -> None:
    """A PK/SK line: a value pattern (``PK: TENANT#{id}``) or a key attribute (``Partition Key: PK (String) = ...``)."""
    attr, pattern = _key_line(d, key, value)
    if attr is None and pattern is None:
        return
    if st.gsi is not None:
        if role == "pk" and st.gsi.pk_attr is None:
            st.gsi.pk_attr, st.gsi.pk = attr, pattern or attr
        elif role == "sk" and st.gsi.sk_attr is None:
            st.gsi.sk_attr, st.gsi.sk = attr, pattern or attr
        return
    if st.entity is None:
        st.entity = EntityFact(section_entity, line, "plain block", table=st.table, block=fence.line)
    if role == "pk" and st.entity.pk_attr is None and st.entity.pk is None:
        st.entity.pk, st.entity.pk_attr = pattern, attr
    elif role == "sk" and st.entity.sk_attr is None and st.entity.sk is None:
        st.entity.sk, st.entity.sk_attr = pattern, attr


def _key_line(d: Dialect, key: str, value: str) -> tuple[str | None, str | None]:
    """(key attribute, value pattern) of one key line; either may be unknown."""
    text = clean(value)
    key_word = re.sub(r"\s*\([^()]*\)", "", key).strip()
    if key_word.lower() in ("pk", "sk"):  # the key names the attribute; the value is the pattern
        if _is_type_word(d, text) or _is_key_kind(d, text):
            return key_word, None
        pattern, _ = key_value(d, value, text, whole=True)
        return key_word, pattern
    m = _ATTR_VALUE_RE.match(text)  # "Partition Key: GSI1PK (String)" / "... PK (String) = \"TENANT#{id}\""
    if not m or _is_type_word(d, m.group("attr")):
        return None, None
    pattern = None
    if m.group("value"):
        pattern, _ = key_value(d, m.group("value"), clean(m.group("value")), whole=False)
    return m.group("attr"), pattern


def _is_key_kind(d: Dialect, text: str) -> bool:
    """``Partition Key (String)`` / ``Sort key``: a description of the key, not a pattern."""
    low = re.sub(r"\s*\([^()]*\)", "", text).strip().lower()
    return any(low in {str(n).lower() for n in names} for names in (d.data("key_names") or {}).values())


def _is_type_word(d: Dialect, text: str) -> bool:
    low = text.strip().lower()
    return any(low in {str(n).lower() for n in names} for names in (d.data("type_vocabulary") or {}).values())


_ATTR_LINE_RE = re.compile(r"^(?P<name>[A-Za-z_][\w]*)\s*\((?P<type>[A-Za-z][\w ]*?)\s*(?:[,:)]|$)")


def _kv_attribute(d: Dialect, st: _KvState, line: int, segment: str) -> None:
    """``subscriptionId (String, UUID)`` under an entity of a box: one attribute."""
    m = _ATTR_LINE_RE.match(segment)
    if st.entity is None or not m or d.value("key_attribute").match(m.group("name")):
        return
    if any(a.name == m.group("name") for a in st.entity.attributes):
        return
    attr = attribute(d, m.group("name"), m.group("type"), line)
    if attr is not None:
        st.entity.attributes.append(attr)


def _flush_entity(st: _KvState, facts: Facts) -> None:
    """A named entity needs a key pattern; an unnamed one (table keys) needs at least the key attribute."""
    ent = st.entity
    if ent is not None and (ent.pk is not None or (ent.name is None and ent.pk_attr is not None)):
        facts.entities.append(ent)
    st.entity = None


def _flush_gsi(st: _KvState, facts: Facts) -> None:
    if st.gsi is not None and (st.gsi.pk or st.gsi.pk_attr):
        facts.gsis.append(st.gsi)
    st.gsi = None
