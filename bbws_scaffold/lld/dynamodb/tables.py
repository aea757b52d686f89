"""DynamoDB tables, entities, keys and GSIs (DIALECT_SURVEY §4).

Readers in ``markdown`` and ``code`` turn every notation into positional facts;
this module groups them into ``Table`` nodes, following the ground-truth conventions:

* ``name`` is the physical table name when the document gives one (``**Table Name**`` line,
  heading, plain block, HCL, CreateTable JSON; failing those, the single value of a
  ``*_TABLE[_NAME]`` environment variable), else the entity name.
* A named table collects every entity and GSI declared after its name (declarations before the
  first name belong to the first table); a construct that names its own table (HCL, JSON, box)
  binds its keys and indexes to that table wherever it sits.
* Without a table name, each entity is its own table, except an aggregate (a root item with
  a constant sort key and the child items under its partition key), which is one table. GSIs go
  to the entity that carries their key attribute, else to the first entity of the nearest
  preceding entity block.
* The first declaration of an entity or index wins; later, different ones are reported with
  both lines.
* An explicit "No DynamoDB" statement with nothing declared yields no table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.dynamodb.code import read_fences
from bbws_scaffold.lld.dynamodb.facts import (
    Dialect,
    EntityFact,
    Facts,
    GsiFact,
    TableNameFact,
    TableOption,
    dialect,
    is_pattern,
)
from bbws_scaffold.lld.dynamodb.markdown import read_markdown, table_name_value
from bbws_scaffold.model import GSI, Entity, EnvVar, Table, path_params


@dataclass
class _Group:
    """Everything known about one table while the facts are folded together."""

    name: str
    line: int
    physical: bool
    entities: list[EntityFact] = field(default_factory=list)
    keys: list[EntityFact] = field(default_factory=list)  # keys without an entity name (HCL, key tables)
    gsis: list[GsiFact] = field(default_factory=list)
    options: list[TableOption] = field(default_factory=list)


def extract(ctx: Context, env_vars: Sequence[EnvVar] = ()) -> list[Table]:
    """Tables from every notation; ``env_vars`` (already extracted) name a table only as a last resort."""
    d = dialect(ctx)
    facts = Facts()
    read_markdown(ctx, d, facts)
    read_fences(ctx, d, facts)
    if facts.no_dynamodb_line is not None:
        if not facts.names and not facts.entities:
            return []
        ctx.sink.warn(
            facts.no_dynamodb_line, "the document says there is no DynamoDB table, yet it declares one; reading it"
        )
    if not facts.names and not facts.entities and not facts.gsis:
        return []
    if not facts.names and facts.entities:
        _env_fallback(ctx, d, facts, env_vars)
    groups = _named_groups(ctx, d, facts) if facts.names else _entity_groups(ctx, facts)
    return [t for t in (_table(ctx, g) for g in groups) if t is not None]


def _template(d: Dialect, name: str) -> str:
    """Comparison key of a physical name: the environment part (``{env}``, ``${var.environment}``) dropped.

    ``bbws-orders-{environment}`` and ``bbws-orders-${var.environment}`` are one table, and so are
    ``Tenants`` and ``${var.environment}-Tenants`` (a prefix in one section, none in another).
    """
    key = d.value("env_placeholder").sub("{env}", name).lower()
    return re.sub(r"[-_.]?\{env\}[-_.]?", "", key) or key


def _env_fallback(ctx: Context, d: Dialect, facts: Facts, env_vars: Sequence[EnvVar]) -> None:
    """Name the table after the one ``*_TABLE_NAME`` env value when nothing else names it."""
    var_re = d.value("table_env_var")
    found = [
        TableNameFact(name, var.line or 0, f"env var {var.name}", fallback=True)
        for var in env_vars
        if var_re.match(var.name) and (name := table_name_value(d, var.example or ""))
    ]
    distinct = {_template(d, n.name): n for n in reversed(found)}
    if len(distinct) == 1:
        facts.names.append(next(iter(distinct.values())))
    elif len(distinct) > 1:
        listed = ", ".join(sorted(n.name for n in distinct.values()))
        ctx.sink.warn(
            min(n.line for n in found),
            f"environment variables name several tables ({listed}) and the data model names none; "
            "tables are named after their entities",
        )


# ---------------------------------------------------------------------------------------------
# grouping


def _named_groups(ctx: Context, d: Dialect, facts: Facts) -> list[_Group]:
    groups: dict[str, _Group] = {}
    order: list[tuple[int, str]] = []
    for fact in sorted(facts.names, key=lambda n: n.line):
        key = _template(d, fact.name)
        if key not in groups:
            groups[key] = _Group(fact.name, fact.line, True)
        order.append((fact.line, key))
    explicit = [(ln, k) for ln, k in order if not _is_fallback(facts, ln)] or order

    def owner(line: int, table: str | None) -> _Group:
        if table and _template(d, table) in groups:
            return groups[_template(d, table)]
        before = [k for ln, k in explicit if ln <= line]
        return groups[before[-1] if before else explicit[0][1]]

    for ent in sorted(facts.entities, key=lambda e: e.line):
        grp = owner(ent.line, ent.table)
        (grp.entities if ent.name else grp.keys).append(ent)
    for gsi in sorted(facts.gsis, key=lambda g: g.line):
        owner(gsi.line, gsi.table).gsis.append(gsi)
    for opt in sorted(facts.options, key=lambda o: o.line):
        owner(opt.line, opt.table).options.append(opt)
    for key, grp in groups.items():
        if all(_is_fallback(facts, ln) for ln, k in order if k == key):
            grp.line = min([e.line for e in grp.entities + grp.keys] + [grp.line])  # an env var is no declaration
    return list(groups.values())


def _is_fallback(facts: Facts, line: int) -> bool:
    return any(n.line == line and n.fallback for n in facts.names)


def _entity_groups(ctx: Context, facts: Facts) -> list[_Group]:
    """No table name: one table per entity (keys-only facts join the nearest entity)."""
    groups: dict[str, _Group] = {}
    named = sorted((e for e in facts.entities if e.name), key=lambda e: e.line)
    roots = _aggregate_roots(named)
    for ent in named:
        root = roots.get(ent.pk or "")
        key = naming.pascal(root or ent.name or "")
        if key not in groups:
            groups[key] = _Group(root or ent.name or "", ent.line, False)
        groups[key].entities.append(ent)
    for ent in sorted((e for e in facts.entities if not e.name), key=lambda e: e.line):
        if named:
            near = min(named, key=lambda e: abs(e.line - ent.line))
            groups[naming.pascal(near.name or "")].keys.append(ent)
        else:
            ctx.sink.warn(ent.line, "table keys without a table or entity name; naming the table 'Item'")
            groups.setdefault("Item", _Group("Item", ent.line, False)).keys.append(ent)
    if not groups:
        return []
    ordered = list(groups.values())
    for gsi in sorted(facts.gsis, key=lambda g: g.line):
        _gsi_owner(gsi, ordered, facts.entities).gsis.append(gsi)
    for opt in sorted(facts.options, key=lambda o: o.line):
        _option_owner(opt, ordered).options.append(opt)
    return ordered


def _aggregate_roots(named: list[EntityFact]) -> dict[str, str]:
    """PK pattern -> the name of the aggregate root whose table holds that partition.

    An aggregate is items under one partition: a root item with a constant sort key (``CART#{cartId}``
    / ``METADATA``) and its children (``CART#{cartId}`` / ``ITEM#{itemId}``). They are one table, or
    reading the root's partition would never return its children. Entities that merely share a
    partition key with no root among them (two child types under another entity's id) keep the
    one-table-per-entity rule.
    """
    out: dict[str, str] = {}
    for ent in named:
        if ent.pk and is_pattern(ent.pk) and ent.sk and not path_params(ent.sk) and ent.pk not in out:
            siblings = [e for e in named if e.pk == ent.pk and e is not ent]
            if siblings:
                out[ent.pk] = ent.name or ""
    return out


def _gsi_owner(gsi: GsiFact, groups: list[_Group], entities: list[EntityFact]) -> _Group:
    """The entity table a GSI indexes: by key attribute, by per-entity GSI keys, else by position."""
    for grp in groups:
        for ent in grp.entities:
            if gsi.pk_attr and any(a.name == gsi.pk_attr for a in ent.attributes):
                return grp
            if (gsi.index and gsi.index in ent.gsi_keys) or gsi.name in ent.gsi_keys:
                return grp
    before = [e for e in entities if e.name and e.line < gsi.line]
    if before:
        block = max(e.block for e in before)
        first = min((e for e in before if e.block == block), key=lambda e: e.line)
        for grp in groups:
            if first in grp.entities:
                return grp
    return groups[0]


def _option_owner(opt: TableOption, groups: list[_Group]) -> _Group:
    """A TTL stated near an entity belongs to that entity's table (nearest preceding, else first)."""
    if opt.ttl:
        for grp in groups:
            if any(any(a.name == opt.ttl for a in e.attributes) for e in grp.entities):
                return grp
    before = [g for g in groups if g.line <= opt.line]
    return before[-1] if before else groups[0]


# ---------------------------------------------------------------------------------------------
# building model nodes


def _table(ctx: Context, grp: _Group) -> Table | None:
    entities = _merge_entities(ctx, grp.entities)
    keys = grp.keys
    pk = sk = None
    if not entities:
        first = next((k for k in keys if k.pk is not None), None)
        pk, sk = (first.pk, first.sk) if first else (None, None)
    else:
        _check_keys(ctx, entities[0], keys)
    all_facts = sorted(grp.entities + keys, key=lambda e: e.line)
    pk_attr = next((e.pk_attr for e in all_facts if e.pk_attr), None)
    sk_attr = next((e.sk_attr for e in all_facts if e.sk_attr), None)
    if pk is None and not entities:
        pk = pk_attr
        sk = sk or sk_attr
    if not entities and pk is not None:
        # keys without an entity name (HCL, CreateTable, an attribute table under a table heading)
        # describe the table's one item type, named after the table
        base = next((k for k in keys if k.attributes), None) or next((k for k in keys if k.pk_attr), None)
        if base is not None:
            entities = _merge_entities(ctx, [EntityFact(**{**base.__dict__, "name": grp.name, "pk": pk, "sk": sk})])
    has_sk = any(e.sk for e in all_facts) or sk_attr is not None
    hash_only = not has_sk and (any(e.hash_only for e in all_facts) or any(e.pk for e in all_facts))
    if not entities and pk is None and not grp.gsis:
        ctx.sink.warn(grp.line, f"table {grp.name!r} is named but its keys are not declared")
    ttl = next((o.ttl for o in grp.options if o.ttl), None)
    billing = next((o.billing for o in grp.options if o.billing), None)
    try:
        return Table(
            name=grp.name,
            table_name=grp.name if grp.physical else None,
            line=grp.line,
            pk=pk,
            sk=sk,
            pk_attr=pk_attr or "PK",
            sk_attr=None if hash_only else (sk_attr or "SK"),
            entities=entities,
            gsis=_merge_gsis(ctx, grp.gsis),
            ttl_attribute=ttl,
            billing_mode="PROVISIONED" if billing == "PROVISIONED" else "PAY_PER_REQUEST",
        )
    except ValueError as exc:
        ctx.sink.warn(grp.line, f"cannot use table {grp.name!r}: {exc}")
        return None


def _check_keys(ctx: Context, first: Entity, keys: list[EntityFact]) -> None:
    """A key table that disagrees with the first entity's keys is reported; the entity wins."""
    for k in keys:
        if k.pk and is_pattern(k.pk) and first.pk and k.pk != first.pk:
            ctx.sink.warn(
                k.line, f"table key {k.pk!r} differs from entity {first.name!r} (line {first.line}): {first.pk!r}"
            )


def _merge_entities(ctx: Context, facts: list[EntityFact]) -> list[Entity]:
    merged: dict[str, EntityFact] = {}
    for fact in sorted(facts, key=lambda e: e.line):
        key = naming.pascal(fact.name or "")
        same_keys = next((e for e in merged.values() if _same_keys(e, fact)), None)
        if key not in merged and same_keys is not None:
            ctx.sink.warn(
                fact.line,
                f"entity {fact.name!r} has the same keys as {same_keys.name!r} (line {same_keys.line}); "
                f"reading it as {same_keys.name!r}",
            )
            _merge_entity(ctx, same_keys, fact)
        elif key not in merged:
            merged[key] = EntityFact(**{**fact.__dict__, "attributes": list(fact.attributes)})
        else:
            _merge_entity(ctx, merged[key], fact)
    out: list[Entity] = []
    for fact in merged.values():
        try:
            out.append(
                Entity(
                    name=fact.name or "",
                    line=fact.line,
                    pk=fact.pk,
                    sk=fact.sk,
                    attributes=fact.attributes,
                    gsi_keys=fact.gsi_keys,
                )
            )
        except ValueError as exc:
            ctx.sink.warn(fact.line, f"cannot use entity {fact.name!r}: {exc}")
    return out


def _same_keys(a: EntityFact, b: EntityFact) -> bool:
    """Two names for one item type: identical PK and SK patterns (a table cannot hold both)."""
    return bool(a.pk and a.sk and is_pattern(a.pk) and (a.pk, a.sk) == (b.pk, b.sk))


def _merge_entity(ctx: Context, first: EntityFact, later: EntityFact) -> None:
    for fld in ("pk", "sk"):
        a, b = getattr(first, fld), getattr(later, fld)
        if a is None:
            setattr(first, fld, b)
        elif b is not None and a != b:
            ctx.sink.warn(
                later.line,
                f"entity {first.name!r}: {fld.upper()} {b!r} here disagrees with {a!r} (line {first.line}); "
                "keeping the first",
            )
    first.pk_attr = first.pk_attr or later.pk_attr
    first.sk_attr = first.sk_attr or later.sk_attr
    known = {a.name for a in first.attributes}
    first.attributes += [a for a in later.attributes if a.name not in known]
    for idx, keys in later.gsi_keys.items():
        first.gsi_keys.setdefault(idx, keys)


def _merge_gsis(ctx: Context, facts: list[GsiFact]) -> list[GSI]:
    """Rows of one block stay separate (overloaded GSIs); other blocks fill or conflict with them."""
    kept: list[GsiFact] = []
    for fact in sorted(facts, key=lambda g: g.line):
        same = [g for g in kept if g.name == fact.name and g.block != fact.block]
        if not same:
            kept.append(GsiFact(**fact.__dict__))
            continue
        for g in same:
            _merge_gsi(ctx, g, fact)
    out: list[GSI] = []
    for g in kept:
        try:
            out.append(
                GSI(
                    name=g.name,
                    line=g.line,
                    index=g.index,
                    pk=g.pk or g.pk_attr,
                    sk=g.sk or g.sk_attr,
                    pk_attr=g.pk_attr,
                    sk_attr=g.sk_attr,
                    projection=(g.projection or "ALL").upper(),
                )
            )
        except ValueError as exc:
            ctx.sink.warn(g.line, f"cannot use index {g.name!r}: {exc}")
    return out


def _merge_gsi(ctx: Context, first: GsiFact, later: GsiFact) -> None:
    for fld in ("pk_attr", "sk_attr", "pk", "sk"):
        a, b = getattr(first, fld), getattr(later, fld)
        if a is None:
            setattr(first, fld, b)
        elif b is not None and a != b and (fld.endswith("attr") or (is_pattern(a) and is_pattern(b))):
            ctx.sink.warn(
                later.line,
                f"index {first.name!r}: {fld} {b!r} here disagrees with {a!r} (line {first.line}); keeping the first",
            )
    first.index = first.index or later.index
    first.projection = first.projection or later.projection
