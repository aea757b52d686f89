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
* ``Endpoint.access`` when not given (a spec built in code): :func:`bbws_scaffold.access.derive`;
  ``Access.caller_keys``: key parts the path lacks that the verified caller gives (its tenant, its
  user id from the claim the LLD's code reads), never the client.
* ``Attribute.type`` of an attribute listed without one: the scalar type of the same-named model.
* ``Function.access``: least-privilege ``TableAccess`` per function (index names are physical).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bbws_scaffold import access, naming
from bbws_scaffold.lld.readers.grammar import load_grammar
from bbws_scaffold.nodes import (
    GSI,
    Attribute,
    Binding,
    CallerField,
    DataModel,
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
    models = {m.class_name: m for m in spec.models if m.kind == "model"}
    for table in spec.tables:
        _complete_table(table)
        for each in table.entities:
            _adopt_model_types(each, models.get(each.class_name))
    for ep in spec.endpoints:
        if "access" not in ep.model_fields_set:  # a spec built in code: the parser sets it otherwise
            ep.access = access.derive(ep)
        shape = _bind_endpoint(spec, ep)
        entity = _entity_of(spec, ep)
        request = models.get(naming.pascal(ep.request_model)) if ep.request_model else None
        ep.contract.server_owned = _server_owned(ep, entity, request)
        _decide(ep, shape, entity, request, spec.tables)
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
        known = {a.ident for a in entity.attributes if naming.words(a.name)}
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


@lru_cache(maxsize=1)
def _scalar_types() -> dict[str, str]:
    """Type names the grammar's ``type_vocabulary`` (``lld_grammar/tables.yaml``) reads as a
    non-string scalar: ``bool`` -> boolean, ``int`` -> integer, ``Decimal`` -> number."""
    vocab = load_grammar()["tables"].data.get("type_vocabulary") or {}
    return {
        str(n).lower(): str(k) for k, names in vocab.items() if k in ("boolean", "integer", "number") for n in names
    }


_OPTIONAL_RE = re.compile(r"^Optional\[(.*)\]$|^(.*?)\s*\|\s*None$")


def _adopt_model_types(entity: Entity, model: DataModel | None) -> None:
    """An attribute the data-model table lists without a type (``email, inApp, sms``) takes the
    scalar type the LLD's model of the same name states (``email: bool``): one type per field."""
    if model is None:
        return
    typed: dict[str, str] = {}
    for f in model.fields:
        ann = f.type.strip()
        m = _OPTIONAL_RE.match(ann)
        ann = (m.group(1) or m.group(2)).strip() if m else ann
        kind = _scalar_types().get(ann.lower())
        if kind:
            typed[naming.snake(f.alias or f.name)] = kind
    for a in entity.attributes:
        if a.type_raw is None and a.type == "string" and a.ident in typed:
            a.type = typed[a.ident]


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

    return {naming.var_ident(p) for p in path_params(pattern or "") if naming.words(p)}


def _entity_fields(entity: Entity) -> set[str]:
    return {p.ident for p in entity.params} | {a.ident for a in entity.attributes if naming.words(a.name)}


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


def _bind_endpoint(spec: ServiceSpec, ep: Endpoint) -> str | None:
    """Operation, entity, table and index from method + path shape; the reason when it is custom."""
    ep.operation, ep.entity, ep.table, ep.index = "custom", None, None, None
    ep.access.caller_keys = {}
    if ep.access.tenant_scope == "caller":
        ep.access.tenant_scope = "none"
    segs = _segments(ep.path)
    if not segs:
        return "no table entity matches the path"
    params = {s.param for s in segs if s.param}
    last = segs[-1]
    if last.param is not None:
        # item path: /products/{productId}
        coll = segs[-2] if len(segs) >= 2 and segs[-2].param is None else None
        hit = _pick(_match_collection(spec, coll.text), params) if coll else None
        if hit is None:
            return "no table entity matches the path"
        table, entity = hit
        ep.entity, ep.table = entity.name, table.name
        caller = {k: v for k, v in _caller_keys(spec, ep, entity).items() if k not in params}
        missing = _uncovered_keys(entity, segs, set(caller))
        if not missing:
            _take_from_caller(ep, caller)
        if missing:
            key = _written(entity, missing[0], ep)
            return f"key part {key} of {entity.class_name} is not in the path (key {_key_text(entity)})"
        op = {"GET": "get", "PUT": "update", "PATCH": "update", "DELETE": "delete"}.get(ep.method)
        if op is None:
            return f"{ep.method} on one {entity.class_name} is no CRUD operation"
        ep.operation = op  # type: ignore[assignment]
        return None
    hit = _pick(_match_collection(spec, last.text), params)
    if hit is None:
        # an action on an item (/products/{productId}/publish): custom, addressing that item's entity
        for i in range(len(segs) - 2, 0, -1):
            if segs[i].param is not None and segs[i - 1].param is None:
                owner = _pick(_match_collection(spec, segs[i - 1].text), params)
                if owner is not None:
                    ep.table, ep.entity = owner[0].name, owner[1].name
                    return _action_reason(last.text, owner[1])
                break
        return "no table entity matches the path"
    table, entity = hit
    ep.entity, ep.table = entity.name, table.name
    caller = {k: v for k, v in _caller_keys(spec, ep, entity).items() if k not in params}
    given = params | set(caller)
    single = {"GET": "get", "PUT": "update", "PATCH": "update", "DELETE": "delete"}.get(ep.method)
    if single and caller and {p.ident for p in entity.params} <= given:
        # the path and the caller give the whole key (USER#{userId} / PREFERENCES): one item, the caller's
        ep.operation = single  # type: ignore[assignment]
        _take_from_caller(ep, caller)
        return None
    if ep.method == "POST":
        ep.operation = "create"
        _take_from_caller(ep, caller)
    elif ep.method == "GET":
        pk_params = _pattern_idents(entity.pk)
        if pk_params and pk_params <= given:
            ep.operation = "query"  # the entity's partition on the base table
            _take_from_caller(ep, {k: v for k, v in caller.items() if k in pk_params})
        elif not pk_params and not params:
            ep.operation = "query"  # constant partition key (PK = "TEMPLATE")
        elif given:
            for name, (gpk, _gsk) in sorted(entity.gsi_keys.items()):
                hk = _pattern_idents(gpk)
                if hk and hk <= given:
                    ep.operation, ep.index = "query", name
                    _take_from_caller(ep, {k: v for k, v in caller.items() if k in hk})
                    break
        if ep.operation == "custom" and not params and pk_params <= {"id", entity.ident + "_id"}:
            ep.operation = "list"  # the partition key is the item's own id: a (paginated) scan
        if ep.operation == "custom":
            missing = sorted(pk_params - given)
            what = _written(entity, missing[0], ep) if missing else entity.pk
            return f"key part {what} of {entity.class_name} is not in the path (and no index is keyed by the path)"
        return None
    else:
        return f"{ep.method} on the {entity.class_name} collection is no CRUD operation"
    return None


# --------------------------------------------------------------------------- faithful or stub


@dataclass(frozen=True)
class _Vocabulary:
    """The words of ``lld_grammar/contracts.yaml`` that binding needs."""

    transitions: tuple[str, ...]
    status_words: frozenset[str]
    owned_words: re.Pattern[str]
    owned_names: re.Pattern[str]
    provider_names: re.Pattern[str]
    create_owned: frozenset[str]
    time_attributes: re.Pattern[str]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data = load_grammar()["contracts"].data
    return _Vocabulary(
        transitions=tuple(naming.snake(str(w)) for w in data.get("transition_words", [])),
        status_words=frozenset(naming.snake(str(w)) for w in data.get("status_words", [])),
        owned_words=re.compile(str(data["server_owned_words"]), re.IGNORECASE),
        owned_names=re.compile(str(data["server_owned_names"])),
        provider_names=re.compile(str(data["provider_names"])),
        create_owned=frozenset(naming.snake(str(w)) for w in data.get("create_server_owned", [])),
        time_attributes=re.compile(str(data["time_attributes"])),
    )


def _entity_of(spec: ServiceSpec, ep: Endpoint) -> Entity | None:
    for table in spec.tables:
        if table.name == ep.table:
            return next((e for e in table.entities if e.name == ep.entity), None)
    return None


def _own_id(ep: Endpoint, entity: Entity) -> str | None:
    """The entity's own id a create generates: the last key placeholder the path does not give."""
    given = {naming.snake(p.name) for p in ep.params if naming.words(p.name)} | set(ep.access.caller_keys)
    for p in reversed(entity.params):
        if p.ident not in given:
            return p.ident
    return None


def _field_idents(model: DataModel) -> dict[str, str]:
    return {naming.snake(f.alias or f.name): f.alias or f.name for f in model.fields if naming.words(f.alias or f.name)}


def _server_owned(ep: Endpoint, entity: Entity | None, request: DataModel | None) -> list[str]:
    """Fields only the server sets: the entity's own id, key parts taken from the caller, timestamps,
    version, provider references, fields the LLD describes as server-set, and on create the initial
    status."""
    voc = _vocabulary()
    named: list[tuple[str, str | None]] = []
    if entity is not None:
        named += [(a.name, a.description) for a in entity.attributes]
    if request is not None:
        named += [(f.alias or f.name, f.description) for f in request.fields]
    path = {naming.snake(p.name) for p in ep.params if naming.words(p.name)}
    own = _own_id(ep, entity) if entity is not None and ep.operation == "create" else None
    ids = {"id", f"{entity.ident}_id"} - path if entity is not None else set()
    out: list[str] = []
    for name, description in named:
        if not naming.words(name) or name in out:
            continue
        ident = naming.snake(name)
        if (
            ident == own
            or ident in ids
            or ident in ep.access.caller_keys
            or voc.owned_names.match(ident)
            or voc.provider_names.search(ident)
            or (description and voc.owned_words.search(description))
            or (ep.operation == "create" and ident in voc.create_owned)
        ):
            out.append(name)
    return out


def _decide(
    ep: Endpoint, shape: str | None, entity: Entity | None, request: DataModel | None, tables: list[Table]
) -> None:
    """``Endpoint.binding``: CRUD only where the repository honours the LLD, else a stub and why."""
    c = ep.contract
    reason, line = shape, ep.line
    if c.custom_reason:
        reason, line = f"{c.custom_reason} (line {c.custom_line})", c.custom_line or ep.line
    elif c.content_type == "multipart":
        reason = "multipart/form-data body (a file upload)"
    elif shape is None and entity is not None:
        reason = _unfaithful(ep, entity, request) or _untenanted_child(ep, entity, tables)
    if reason is None and entity is not None:
        ep.binding = Binding(kind="crud", reason=f"CRUD {ep.operation} on {entity.class_name}")
        return
    ep.operation, ep.index = "custom", None
    ep.binding = Binding(kind="stub", reason=f"stub: {reason or 'no table entity matches the path'}", line=line)


def _untenanted_child(ep: Endpoint, entity: Entity, tables: list[Table]) -> str | None:
    """Why an item of a tenant's item whose own key names no tenant (a ticket's follow-ups keyed
    ``TICKET#{ticketId}``, in any table) is no CRUD: reached by the parent's id alone, it would answer
    any tenant's caller. None when the entity's key names a tenant, or nothing tenant-keyed shares
    its key."""
    tenant = access.rules()["tenant_params"]
    if ep.access.kind == "public" or any(tenant.fullmatch(p.ident) for p in entity.params):
        return None
    mine = {p.ident: p.name for p in entity.params}
    for other in (e for t in tables for e in t.entities):
        if other is entity or not any(tenant.fullmatch(p.ident) for p in other.params):
            continue
        shared = [mine[p.ident] for p in other.params if p.ident in mine]
        if shared:
            return (
                f"{entity.class_name}'s key names no tenant, yet {{{shared[0]}}} keys a tenant's "
                f"{other.class_name}: any tenant's caller would reach it"
            )
    return None


def _unfaithful(ep: Endpoint, entity: Entity, request: DataModel | None) -> str | None:
    """Why a CRUD binding by path shape would not do what the LLD says, or None when it would."""
    keys = {p.ident: p.name for p in entity.params}
    path = [p for p in ep.params if naming.words(p.name)]
    renamed = ep.operation in ("get", "update", "delete") and bool(path) and naming.snake(path[-1].name) not in keys
    index_keys: set[str] = set()
    if ep.index:
        gpk, gsk = entity.gsi_keys.get(ep.index, [None, None])
        index_keys = _pattern_idents(gpk) | _pattern_idents(gsk)
    for i, p in enumerate(path):
        ident = naming.snake(p.name)
        if ident in keys or ident in index_keys or (renamed and i == len(path) - 1):
            continue
        return f"path parameter {{{p.name}}} is not a key part of {entity.class_name} (key {_key_text(entity)})"
    body = _field_idents(request) if request is not None else {}
    if ep.operation == "create":
        given = {naming.snake(p.name) for p in path} | set(ep.access.caller_keys)
        own = _own_id(ep, entity)
        for ident, name in keys.items():
            if ident not in given and ident != own and ident not in body:
                return (
                    f"key part {_written(entity, ident, ep)} of {entity.class_name} "
                    "comes from neither the path nor the request body"
                )
    if request is not None and ep.operation in ("create", "update"):
        fields = _entity_fields(entity)
        extra = [name for ident, name in body.items() if ident not in fields]
        if extra:
            return f"request model {request.name} has fields {entity.class_name} does not: {', '.join(extra[:5])}"
    if ep.operation == "list":
        tenant = [p.name for p in entity.params if access.rules()["tenant_params"].fullmatch(p.ident)]
        if tenant:  # a scan would read every tenant's items: query the tenant's partition instead
            return f"a scan of {entity.class_name} would read every tenant's items (its key names {{{tenant[0]}}})"
    if ep.contract.order and ep.operation in ("list", "query"):
        return _ordering(ep, entity)
    return None


def _ordering(ep: Endpoint, entity: Entity) -> str | None:
    """A stated order is honoured only by a query whose sort key is a time (``order_by`` set from
    it) or is the very attribute the LLD orders by."""
    c = ep.contract
    words = "newest first" if c.order == "desc" else "oldest first"
    if ep.operation == "list":
        return f"the LLD lists it {words}, but a scan returns items in no order"
    sort = entity.gsi_keys.get(ep.index, [None, None])[1] if ep.index else entity.sk
    params = path_params(sort or "")
    last = params[-1] if params else None
    by_key = bool(c.order_by and last and naming.words(c.order_by) and naming.snake(c.order_by) == naming.snake(last))
    if by_key:
        return None  # the LLD orders by the sort key itself ("by orderId, descending"): the query gives it
    if last is None or not naming.words(last) or not _vocabulary().time_attributes.search(naming.snake(last)):
        index = f"index {ep.index}" if ep.index else "the table"
        return f"the LLD lists it {words}, but the sort key of {index} ({sort or 'none'}) is no time"
    c.order_by = c.order_by or last
    return None


def _written(entity: Entity, ident: str, ep: Endpoint | None = None) -> str:
    """A key placeholder as the LLD writes it: ``{tenantId}`` (and the claim the LLD reads it from)."""
    text = "{" + next((p.name for p in entity.params if p.ident == ident), ident) + "}"
    claim = ep.contract.claims.get(ident) if ep is not None else None
    return f"{text} (the LLD reads it from the '{claim}' claim)" if claim else text


def _key_text(entity: Entity) -> str:
    return " / ".join(k for k in (entity.pk, entity.sk) if k)


def _action_reason(word: str, entity: Entity) -> str:
    action = naming.snake(word)
    if action in _vocabulary().status_words:
        return f"status change ('/{word}') on {entity.class_name}"
    if any(action.startswith(w) for w in _vocabulary().transitions):
        return f"state transition '{word}' on {entity.class_name}"
    return f"action '{word}' on {entity.class_name} is no CRUD operation"


def _uncovered_keys(entity: Entity, segs: list[_Seg], from_caller: set[str]) -> list[str]:
    """Key placeholders of the entity neither the path nor the caller gives (the last path
    placeholder may be spelled differently, e.g. ``{id}`` for ``productId``)."""
    path_params = [s.param for s in segs if s.param]
    missing = [p.ident for p in entity.params if p.ident not in path_params and p.ident not in from_caller]
    unmatched = [p for p in path_params if p not in {q.ident for q in entity.params}]
    if len(missing) == 1 and len(unmatched) == 1 and unmatched[-1] == path_params[-1]:
        return []
    return missing


def _caller_keys(spec: ServiceSpec, ep: Endpoint, entity: Entity) -> dict[str, CallerField]:
    """Key parts of ``entity`` the caller's verified identity gives (a public route has no caller).
    Where a key part comes from is the service's, not one endpoint's: the claim any endpoint's code
    reads it from counts for all."""
    if ep.access.kind == "public":
        return {}
    claims: dict[str, str] = {}
    for other in [ep, *spec.endpoints]:
        for ident, claim in other.contract.claims.items():
            claims.setdefault(ident, claim)
    out: dict[str, CallerField] = {}
    for p in entity.params:
        field = access.caller_field(p.ident, claims.get(p.ident))
        if field is not None:
            out[p.ident] = field
    return out


def _take_from_caller(ep: Endpoint, keys: dict[str, CallerField]) -> None:
    """Build these key parts from the caller, never from the client; a tenant makes the scope 'caller'."""
    ep.access.caller_keys = dict(keys)
    if "tenant_id" in keys.values() and ep.access.tenant_scope == "none":
        ep.access.tenant_scope = "caller"


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
