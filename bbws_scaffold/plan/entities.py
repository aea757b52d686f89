"""The entity plan: what the models, repositories, services and tests of a Lambda service read.

Per table: its physical key attributes and distinct GSIs (``tests/conftest.py`` creates them in
moto). Per entity: the pydantic class and its fields (attribute types mapped to annotations,
key fields, reserved names renamed), its key patterns cut into the pieces
``src/repositories/base.key(...)`` is called with, and the GSIs it writes and queries.

Strings are raw LLD text unless the field says otherwise: names, patterns and descriptions go
through ``_macros/python.jinja`` (``pystr``, ``doctext``); identifiers (``ident``,
``class_name``, ``sig``) come from the model's normalised names and are emitted as they are.
"""

from __future__ import annotations

import re

from pydantic import Field

from bbws_scaffold.model import Entity, ServiceSpec, Table, path_params, split_params
from bbws_scaffold.plan.node import PlanNode

ATTRIBUTE_ANNOTATIONS = {
    "string": "str",
    "number": "Decimal",
    "integer": "int",
    "boolean": "bool",
    "list": "list[Any]",
    "map": "dict[str, Any]",
    "binary": "str",
    "string_set": "list[str]",
    "number_set": "list[Decimal]",
    "datetime": "str",
}
"""Canonical attribute type -> annotation of the entity field (anything else: ``Any``)."""

_ANNOTATION_IMPORTS = (("Decimal", "from decimal import Decimal"), ("Any", "from typing import Any"))

DEFAULT_SK = "METADATA"
"""The sort key value of an entity with no SK pattern in a table that has a sort key."""

_PREFIX_END_RE = re.compile(r"[{<].*$")  # a key prefix ends at the first brace, placeholder or not


class KeyPart(PlanNode):
    """One argument of ``key(...)``: literal text, or the field a placeholder names."""

    text: str = Field(description="literal text (raw), or the ident of the field ('' when no field has that name)")
    field: bool = Field(description="a placeholder: emit the field (with an object prefix), not a string")


class TableGsi(PlanNode):
    index: str = Field(description="physical index name (raw)")
    hash: str = Field(description="partition key attribute")
    range: str | None = Field(description="sort key attribute")


class TablePlan(PlanNode):
    name: str = Field(description="Table.name as written (raw)")
    ident: str
    slug: str
    env: str = Field(description="environment variable holding the physical name, <IDENT>_TABLE_NAME")
    pk_attr: str
    sk_attr: str | None = Field(description="None when neither the table nor any entity has a sort key")
    gsis: list[TableGsi] = Field(description="distinct physical GSIs with a partition key, in spec order")
    attributes: list[str] = Field(description="key attributes of the table and its GSIs, each once")


class EntityField(PlanNode):
    name: str = Field(description="attribute name as stored (raw)")
    ident: str = Field(description="Python name (reserved names get a trailing _)")
    ann: str = Field(description="annotation, Python source")
    key: bool = Field(description="a placeholder of the entity's PK/SK: part of every key")
    sig: str = Field(description="'ident: ann'")
    required: bool
    description: str | None = Field(description="raw")
    id: bool = Field(description="a key field named id/*_id: generated (uuid4) when a create omits it")


class EntityGsi(PlanNode):
    name: str = Field(description="logical GSI name (raw)")
    ident: str
    index: str = Field(description="physical index name (raw)")
    hash_attr: str
    hash: str = Field(description="partition key pattern (raw)")
    hash_params: list[str] = Field(description="placeholders of the partition key pattern")
    hash_key: list[KeyPart]
    write_hash: bool = Field(description="the item stores the GSI partition key itself (no field of that name)")
    range_attr: str | None = None
    range: str | None = Field(default=None, description="sort key pattern (raw), when every placeholder is a field")
    range_key: list[KeyPart] = Field(default_factory=list)
    range_prefix: str = Field(default="", description="literal text before the first placeholder of range (raw)")
    write_range: bool = False
    params: list[str] = Field(description="placeholders of hash and range")


class EntityPlan(PlanNode):
    class_name: str
    ident: str
    name: str = Field(description="raw")
    table: TablePlan
    pk: str | None = Field(description="partition key pattern (raw); None: no repository")
    sk: str | None = Field(description=f"sort key pattern (raw); {DEFAULT_SK} when only the table has one")
    pk_params: list[str] = Field(description="placeholders of pk")
    pk_key: list[KeyPart]
    sk_key: list[KeyPart]
    pk_prefix: str = Field(description="literal text before the first placeholder of pk (raw)")
    sk_prefix: str = Field(description="literal text before the first placeholder of sk (raw)")
    fields: list[EntityField] = Field(description="non-key attributes (key attributes of the table and GSIs excluded)")
    imports: list[str] = Field(description="standard-library imports its annotations need (the model module's)")
    gsis: list[EntityGsi] = Field(description="GSIs whose partition key the entity's fields fill, by GSI name")
    has_repo: bool = Field(description="it has a PK pattern: a repository and a service are generated")
    version: EntityField | None = Field(
        default=None, description="its numeric version field: updates are conditional on it (optimistic lock)"
    )
    server_owned: list[str] = Field(
        default_factory=list,
        description="stored names of the fields the service sets itself: generated ids, timestamps, version (raw)",
    )


def key_prefix(pattern: str | None) -> str:
    return _PREFIX_END_RE.sub("", pattern or "")


def _literal_tokens(text: str) -> list[str]:
    """Literal text as ``key(...)`` arguments: runs without braces, and each stray brace alone."""
    out: list[str] = []
    run = ""
    for ch in text:
        if ch in "{<":
            if run:
                out.append(run)
                run = ""
            out.append(ch)
        else:
            run += ch
    if run:
        out.append(run)
    return out


def key_parts(pattern: str | None, fields: list[EntityField]) -> list[KeyPart]:
    """``PRODUCT#{productId}`` -> ``[KeyPart("PRODUCT#"), KeyPart("product_id", field=True)]``."""
    parts: list[KeyPart] = []
    for text, name in split_params(pattern or ""):
        if name is None:
            parts += [KeyPart(text=tok, field=False) for tok in _literal_tokens(text)]
        else:
            ident = next((f.ident for f in fields if f.name == name), "")
            parts.append(KeyPart(text=ident, field=True))
    return parts


def table_plan(t: Table) -> TablePlan:
    has_sk = t.sk is not None or any(e.sk is not None for e in t.entities)
    gsis: list[TableGsi] = []
    for g in t.gsis:
        index = g.index or g.name
        if g.pk_attr and all(x.index != index for x in gsis):
            gsis.append(TableGsi(index=index, hash=g.pk_attr, range=g.sk_attr))
    sk_attr = (t.sk_attr or "SK") if has_sk else None
    attributes = [t.pk_attr] + ([sk_attr] if sk_attr else [])
    for tg in gsis:
        for a in (tg.hash, tg.range):
            if a and a not in attributes:
                attributes.append(a)
    return TablePlan(
        name=t.name,
        ident=t.ident,
        slug=t.slug,
        env=f"{t.ident.upper()}_TABLE_NAME",
        pk_attr=t.pk_attr,
        sk_attr=sk_attr,
        gsis=gsis,
        attributes=attributes,
    )


def _fields(t: Table, table: TablePlan, e: Entity) -> list[EntityField]:
    """The entity's attributes minus the key attributes the table and its GSIs store themselves."""
    key_attrs: list[str | None] = [t.pk_attr, table.sk_attr]
    for g in t.gsis:
        for pattern, attr in ((g.pk, g.pk_attr), (g.sk, g.sk_attr)):
            if pattern is not None and attr and attr != pattern and "{" + attr + "}" != pattern:
                key_attrs.append(attr)
    key_params = [p.name for p in e.params]
    fields: list[EntityField] = []
    seen: list[str] = []
    for a in e.attributes:
        if a.name in key_attrs or a.ident in seen:
            continue
        seen.append(a.ident)
        ident = a.ident  # naming.var_ident: already off ENTITY_RESERVED and pydantic's model_* names
        is_key = a.name in key_params
        ann = "str" if (is_key and a.type not in ("integer", "number")) else ATTRIBUTE_ANNOTATIONS.get(a.type, "Any")
        fields.append(
            EntityField(
                name=a.name,
                ident=ident,
                ann=ann,
                key=is_key,
                sig=f"{ident}: {ann}",
                required=is_key or a.required is True,
                description=a.description,
                id=is_key and (ident == "id" or ident.endswith("_id")),
            )
        )
    return fields


def _gsis(t: Table, e: Entity, fields: list[EntityField]) -> list[EntityGsi]:
    """The GSIs the entity takes part in: those whose partition key placeholders are all fields.

    ``gsi_keys`` is read in key order, the order the stored (sorted) spec answer holds it in."""
    field_names = [f.name for f in fields]
    out: list[EntityGsi] = []
    for gname, pair in sorted(e.gsi_keys.items()):
        hash_pattern, range_pattern = (pair + [None, None])[:2]
        g = next((x for x in t.gsis if x.name == gname), None)
        if g is None or not g.pk_attr or not hash_pattern:
            continue
        hash_params = path_params(hash_pattern)
        if any(p not in field_names for p in hash_params):
            continue
        range_ok = (
            range_pattern is not None and bool(g.sk_attr) and all(p in field_names for p in path_params(range_pattern))
        )
        range_ = range_pattern if range_ok else None
        out.append(
            EntityGsi(
                name=g.name,
                ident=g.ident,
                index=g.index or g.name,
                hash_attr=g.pk_attr,
                hash=hash_pattern,
                hash_params=hash_params,
                hash_key=key_parts(hash_pattern, fields),
                write_hash=g.pk_attr not in field_names,
                range_attr=g.sk_attr if range_ok else None,
                range=range_,
                range_key=key_parts(range_, fields) if range_ else [],
                range_prefix=key_prefix(range_),
                write_range=range_ok and g.sk_attr not in field_names,
                params=hash_params + path_params(range_ or ""),
            )
        )
    return out


VERSION_IDENTS = ("version",)
"""Field names of an optimistic-lock counter (with an integer or number type)."""

STAMP_IDENTS = ("created_at", "updated_at")
"""Timestamp fields the service sets on create/update (string-typed)."""


def _version(fields: list[EntityField]) -> EntityField | None:
    return next((f for f in fields if not f.key and f.ident in VERSION_IDENTS and f.ann in ("int", "Decimal")), None)


def _server_owned(fields: list[EntityField], version: EntityField | None) -> list[str]:
    """What the generated service sets on every write, so a client can never set it."""
    owned = [f.name for f in fields if f.id and f.ann == "str"]
    owned += [f.name for f in fields if f.ident in STAMP_IDENTS and f.ann == "str"]
    return owned + ([version.name] if version else [])


def entity_plan(t: Table, table: TablePlan, e: Entity) -> EntityPlan:
    fields = _fields(t, table, e)
    version = _version(fields)
    sk = e.sk if e.sk is not None else (DEFAULT_SK if table.sk_attr else None)
    return EntityPlan(
        class_name=e.class_name,
        ident=e.ident,
        name=e.name,
        table=table,
        pk=e.pk,
        sk=sk,
        pk_params=path_params(e.pk or ""),
        pk_key=key_parts(e.pk, fields),
        sk_key=key_parts(sk, fields),
        pk_prefix=key_prefix(e.pk),
        sk_prefix=key_prefix(sk),
        fields=fields,
        imports=[line for name, line in _ANNOTATION_IMPORTS if any(name in f.ann for f in fields)],
        gsis=_gsis(t, e, fields),
        has_repo=bool(e.pk),
        version=version,
        server_owned=_server_owned(fields, version),
    )


def build_tables(spec: ServiceSpec) -> list[TablePlan]:
    return [table_plan(t) for t in spec.tables]


def build_entities(spec: ServiceSpec, tables: list[TablePlan]) -> list[EntityPlan]:
    """Every entity of every table, in spec order (``tables`` is :func:`build_tables` of ``spec``)."""
    return [entity_plan(t, table, e) for t, table in zip(spec.tables, tables) for e in t.entities]
