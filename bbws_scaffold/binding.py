"""Binds endpoints and functions onto tables: the derived part of a ``ServiceSpec``.

Called at the end of ``ServiceSpec`` validation. It is deterministic and idempotent: running it
on its own output changes nothing, so a spec round-trips through JSON exactly.

What it derives (templates only read the results):

* ``Table.entities``: a table that names an entity and keys but lists no entities gets one.
* ``GSI.pk_attr``/``sk_attr`` when the LLD gives none: a bare attribute name (``category``) or a
  whole-value placeholder (``{category}``) is its own key attribute; a pattern
  (``TENANT#{tenantId}``) is stored in ``<physical index>PK``/``SK``.
* ``Entity.gsi_keys`` when empty: every GSI of a single-entity table; in a multi-entity table
  the GSIs whose key placeholders are all fields of the entity.
* ``Entity.attributes``: key placeholders the attribute table does not list are appended
  (``line=None``) so that every entity field exists as an attribute.
* Per endpoint ``operation`` (create/get/list/query/update/delete/custom), ``entity``,
  ``table`` and ``index`` (the GSI's logical name), from method + path shape.
* A ``Function(synthesized=True)`` per endpoint group that the LLD pairs with no function;
  ``endpoint.handler`` names the function module that serves it.
* ``Function.access``: least-privilege ``TableAccess`` per function (index names are physical).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bbws_scaffold import naming
from bbws_scaffold.nodes import (
    GSI,
    Attribute,
    Binding,
    Endpoint,
    Entity,
    Function,
    Table,
    TableAccess,
    path_params,
    split_params,
)

if TYPE_CHECKING:  # binding runs inside ServiceSpec's validation: the type only, no import cycle
    from bbws_scaffold.model import ServiceSpec

_VERSION_RE = re.compile(r"^v\d+(\.\d+)*$", re.IGNORECASE)
_BARE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WHOLE_PARAM_RE = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_\-]*)\}$")

# canonical order of DynamoDB actions in TableAccess.actions
ACTION_ORDER = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
OPERATION_ACTIONS: dict[str, list[str]] = {
    "create": ["dynamodb:PutItem"],
    "get": ["dynamodb:GetItem"],
    "list": ["dynamodb:Scan"],
    "query": ["dynamodb:Query"],
    "update": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
    "delete": ["dynamodb:DeleteItem"],
    "custom": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
}


def bind(spec: ServiceSpec) -> None:
    """Derive entities, GSI attributes, endpoint bindings, synthesized functions and table access."""
    for table in spec.tables:
        _complete_table(table)
    for ep in spec.endpoints:
        _bind_endpoint(spec, ep)
        _explain(ep)
    _pair_functions(spec)
    _compute_access(spec)
    _link_stories(spec)


# --------------------------------------------------------------------------- tables


def _complete_table(table: Table) -> None:

    if not table.entities and (table.entity or table.pk):
        table.entities = [Entity(name=table.entity or table.name, pk=table.pk, sk=table.sk)]
    for gsi in table.gsis:
        physical = gsi.index or gsi.name
        if gsi.pk_attr is None and gsi.pk is not None:
            gsi.pk_attr = _bare_attr(gsi.pk) or f"{physical}PK"
        if gsi.sk_attr is None and gsi.sk is not None:
            gsi.sk_attr = _bare_attr(gsi.sk) or f"{physical}SK"
    for entity in table.entities:
        known = {naming.snake(a.name) for a in entity.attributes if naming.words(a.name)}
        for p in entity.params:
            if p.ident not in known:
                entity.attributes.append(Attribute(name=p.name, type="string", required=True))
                known.add(p.ident)
        if not entity.gsi_keys:
            fields = _entity_fields(entity)
            for gsi in table.gsis:
                pk, sk = _gsi_pattern(gsi.pk), _gsi_pattern(gsi.sk)
                if len(table.entities) == 1 or (pk and _pattern_idents(pk) <= fields):
                    if gsi.name not in entity.gsi_keys:
                        entity.gsi_keys[gsi.name] = [pk, sk]


def _bare_attr(pattern: str) -> str | None:
    """``category`` -> ``category``; ``{category}`` -> ``category``; a pattern -> None."""
    if _BARE_RE.match(pattern):
        return pattern
    m = _WHOLE_PARAM_RE.match(pattern)
    return m.group(1) if m else None


def _gsi_pattern(pattern: str | None) -> str | None:
    """A GSI key as a value pattern: a bare attribute name ``category`` becomes ``{category}``."""
    if pattern is None:
        return None
    return "{" + pattern + "}" if _BARE_RE.match(pattern) else pattern


def _pattern_idents(pattern: str | None) -> set[str]:

    return {naming.snake(p) for p in path_params(pattern or "") if naming.words(p)}


def _entity_fields(entity: Entity) -> set[str]:
    return {p.ident for p in entity.params} | {naming.snake(a.name) for a in entity.attributes if naming.words(a.name)}


# --------------------------------------------------------------------------- endpoints


@dataclass
class _Seg:
    text: str
    param: str | None  # ident of a placeholder segment


def _segments(path: str) -> list[_Seg]:
    out: list[_Seg] = []
    for raw in path.split("?")[0].split("/"):
        if not raw or _VERSION_RE.match(raw):
            continue
        parts = split_params(raw)
        if len(parts) == 1 and parts[0][1] is not None:  # the whole segment is one placeholder
            name = parts[0][1]
            out.append(_Seg(raw, naming.snake(name) if naming.words(name) else None))
        elif naming.words(raw):
            out.append(_Seg(raw, None))
    return out


def _singular(word: str) -> str:
    w = word.lower().replace("-", "").replace("_", "")
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if w.endswith(suffix):
            return w[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def _entities(spec: ServiceSpec) -> list[tuple[Table, Entity]]:
    return [(t, e) for t in spec.tables for e in t.entities if e.pk]


def _match_collection(spec: ServiceSpec, word: str) -> list[tuple[Table, Entity]]:
    """Entities a collection segment names: exact singular match first, then a prefix match."""
    target = _singular(word)
    if not target:
        return []
    exact = [(t, e) for t, e in _entities(spec) if e.ident.replace("_", "") == target]
    if exact:
        return exact
    return [
        (t, e)
        for t, e in _entities(spec)
        if target in (e.ident.split("_")[0], e.ident.split("_")[-1])
        or (len(target) > 3 and e.ident.replace("_", "").startswith(target))
    ]


def _pick(cands: list[tuple[Table, Entity]], path_params: set[str]) -> tuple[Table, Entity] | None:
    if not cands:
        return None
    return max(cands, key=lambda c: len({p.ident for p in c[1].params} & path_params))


def _bind_endpoint(spec: ServiceSpec, ep: Endpoint) -> None:
    ep.operation, ep.entity, ep.table, ep.index = "custom", None, None, None
    segs = _segments(ep.path)
    if not segs:
        return
    params = {s.param for s in segs if s.param}
    last = segs[-1]
    if last.param is not None:
        # item path: /products/{productId}
        coll = segs[-2] if len(segs) >= 2 and segs[-2].param is None else None
        hit = _pick(_match_collection(spec, coll.text), params) if coll else None
        if hit is None:
            return
        table, entity = hit
        ep.entity, ep.table = entity.name, table.name
        if not _item_keys_covered(entity, segs):
            return
        op = {"GET": "get", "PUT": "update", "PATCH": "update", "DELETE": "delete"}.get(ep.method)
        if op:
            ep.operation = op  # type: ignore[assignment]
        return
    hit = _pick(_match_collection(spec, last.text), params)
    if hit is None:
        # an action on an item (/products/{productId}/publish): custom, addressing that item's entity
        for i in range(len(segs) - 2, 0, -1):
            if segs[i].param is not None and segs[i - 1].param is None:
                owner = _pick(_match_collection(spec, segs[i - 1].text), params)
                if owner is not None:
                    ep.table, ep.entity = owner[0].name, owner[1].name
                break
        return
    table, entity = hit
    ep.entity, ep.table = entity.name, table.name
    if ep.method == "POST":
        ep.operation = "create"
    elif ep.method == "GET":
        pk_params = _pattern_idents(entity.pk)
        if pk_params and pk_params <= params:
            ep.operation = "query"  # the entity's partition on the base table
        elif not pk_params and not params:
            ep.operation = "query"  # constant partition key (PK = "TEMPLATE")
        elif params:
            for name, (gpk, _gsk) in sorted(entity.gsi_keys.items()):
                hk = _pattern_idents(gpk)
                if hk and hk <= params:
                    ep.operation, ep.index = "query", name
                    break
        elif pk_params <= {"id", entity.ident + "_id"}:
            ep.operation = "list"  # the partition key is the item's own id: a (paginated) scan


def _explain(ep: Endpoint) -> None:
    """``Endpoint.binding``: the decision in words, for ``lld parse`` and the generated stubs."""
    if ep.operation != "custom" and ep.entity:
        ep.binding = Binding(kind="crud", reason=f"CRUD {ep.operation} on {naming.pascal(ep.entity)}")
    elif ep.entity:
        ep.binding = Binding(kind="stub", reason=f"stub: not a plain CRUD operation on {naming.pascal(ep.entity)}")
    else:
        ep.binding = Binding(kind="stub", reason="stub: no table entity matches the path")


def _item_keys_covered(entity: Entity, segs: list[_Seg]) -> bool:
    """Every key placeholder of the entity comes from the path (the last path placeholder may be
    spelled differently, e.g. ``{id}`` for ``productId``)."""
    path_params = [s.param for s in segs if s.param]
    missing = [p.ident for p in entity.params if p.ident not in path_params]
    if not missing:
        return True
    unmatched = [p for p in path_params if p not in {q.ident for q in entity.params}]
    return len(missing) == 1 and len(unmatched) == 1 and unmatched[-1] == path_params[-1]


# --------------------------------------------------------------------------- functions


def _pair_functions(spec: ServiceSpec) -> None:

    spec.functions = [f for f in spec.functions if not f.synthesized]
    by_ident = {f.ident: f for f in spec.functions}
    by_route = {(f.method, f.path): f for f in spec.functions if f.method and f.path}
    synth: dict[str, Function] = {}
    for ep in spec.endpoints:
        if ep.handler in by_ident:
            continue
        fn = by_route.get((ep.method, ep.path)) if not ep.function else None
        if fn is not None:
            ep.handler = fn.ident
            continue
        if ep.handler not in synth:
            synth[ep.handler] = Function(
                name=ep.handler,
                trigger="http",
                method=ep.method,
                path=ep.path,
                description=ep.summary,
                synthesized=True,
            )
    spec.functions.extend(synth.values())


def _compute_access(spec: ServiceSpec) -> None:

    tables = {t.name: t for t in spec.tables}
    for fn in spec.functions:
        want: dict[str, tuple[set[str], set[str]]] = {}
        eps = [e for e in spec.endpoints if e.handler == fn.ident]
        fn.logic = not eps or any(e.operation == "custom" for e in eps)
        for ep in eps:
            if ep.table is None or ep.table not in tables:
                continue
            actions, indexes = want.setdefault(ep.table, (set(), set()))
            actions.update(OPERATION_ACTIONS[ep.operation])
            if ep.index:
                gsi = _gsi_by_name(tables[ep.table], ep.index)
                if gsi is not None:
                    indexes.add(gsi.index or gsi.name)
        if not eps and fn.trigger != "http":
            for table in _tables_named_by(spec, fn):
                want.setdefault(table.name, (set(), set()))[0].update(OPERATION_ACTIONS["custom"])
        fn.access = [
            TableAccess(
                table=name,
                actions=[a for a in ACTION_ORDER if a in actions],
                indexes=sorted(indexes),
            )
            for name, (actions, indexes) in sorted(want.items())
        ]


def _gsi_by_name(table: Table, name: str) -> GSI | None:
    return next((g for g in table.gsis if g.name == name), None)


def _tables_named_by(spec: ServiceSpec, fn: Function) -> list[Table]:
    """Tables a non-HTTP function's description, source or scoped env vars clearly point at."""
    texts = [fn.name, fn.description or "", fn.source_name or ""]
    texts += [e.name for e in spec.env_vars if fn.name in e.functions or fn.ident in e.functions]
    words = set()
    for t in texts:
        w = naming.words(t)
        words.update(w)
        words.update(_singular(x) for x in w)
    out = []
    for table in spec.tables:
        names = {_singular(e.ident.replace("_", "")) for e in table.entities}
        if table.entity and naming.words(table.entity):
            names.add(_singular(naming.snake(table.entity).replace("_", "")))
        if names & words:
            out.append(table)
    return out


# --------------------------------------------------------------------------- user stories


def _stem(word: str) -> str:
    """Crude singular: 'products' -> 'product', 'categories' -> 'category' (enough to match story prose)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _link_stories(spec: ServiceSpec) -> None:
    """``Function.stories``: the stories that name the function, else those whose story text (not the
    scenarios, which mention other operations freely) holds every word of the function's name.

    Story tables often have no function column (template-style LLDs); the generated xfail stubs
    must still name the story they stand for. A story that names functions is never re-linked.
    """
    declared: dict[str, list[str]] = {}
    prose: list[tuple[str, set[str]]] = []
    for story in spec.user_stories:
        if story.functions:
            for name in story.functions:
                if naming.words(name):
                    declared.setdefault(naming.snake(name), []).append(story.id)
        else:
            prose.append((story.id, {_stem(w) for w in naming.words(story.story)}))
    for fn in spec.functions:
        ids = declared.get(fn.ident, [])
        if not ids:
            needed = {_stem(w) for w in naming.words(fn.name)} - {"v1", "api", "handler", "lambda"}
            ids = [sid for sid, words in prose if needed and needed <= words]
        fn.stories = list(dict.fromkeys(ids))
