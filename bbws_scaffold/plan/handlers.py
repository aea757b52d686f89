"""The handler plan: what ``src/handlers/<fn>.py`` and ``tests/integration/test_<fn>.py`` read.

Per function: how it is triggered, its routes (each endpoint with the entity it operates on,
resolved here, and the names the module gives it) and the import lines both modules need.
Import lines and names are Python source built from the model's normalised identifiers; route
paths, summaries and descriptions are raw LLD text the templates escape.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bbws_scaffold import naming
from bbws_scaffold.model import Endpoint, Function, Param, ServiceSpec
from bbws_scaffold.plan.contract import RequestCases, request_cases, wire_name
from bbws_scaffold.plan.entities import EntityField, EntityPlan
from bbws_scaffold.plan.models.nodes import ModelClass, ModelsPlan
from bbws_scaffold.plan.node import PlanNode

HandlerKind = Literal["http", "sqs", "event", "s3", "other"]

BODY_METHODS = ("POST", "PUT", "PATCH")

DEFAULT_STATUS = {"create": 201, "delete": 204}
"""Success status of a CRUD operation the LLD states none for (anything else: 200)."""

DEFAULT_PAGE_SIZE = 50
DEFAULT_MAX_PAGE_SIZE = 100

NUMERIC_ANNOTATIONS = ("int", "Decimal")

_SQS_IMPORTS = [
    "from aws_lambda_powertools.utilities.batch import BatchProcessor",
    "from aws_lambda_powertools.utilities.batch import EventType",
    "from aws_lambda_powertools.utilities.batch import process_partial_response",
    "from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse",
    "from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord",
]
_PATH_MODEL_IMPORTS = [
    "from pydantic import BaseModel",
    "from pydantic import ConfigDict",
    "from pydantic import Field",
]


class ImportLines(PlanNode):
    """Import lines by group; the templates sort them (``isorted``)."""

    std: list[str] = Field(default_factory=list)
    third: list[str] = Field(default_factory=list)
    first: list[str] = Field(default_factory=list)


class RoutePlan(PlanNode):
    method: str
    path: str = Field(description="as the LLD writes it (raw)")
    summary: str | None = Field(description="raw")
    operation: str = Field(description="Endpoint.operation (create/get/update/delete/list/query/custom)")
    index: str | None = Field(description="GSI name a query uses")
    params: list[Param] = Field(description="path placeholders")
    entity: str | None = Field(description="EntityPlan.ident it operates on; None: a business-logic stub")
    name: str = Field(description="the module's function serving it")
    path_model: str = Field(description="pydantic class of its path parameters")
    tag: str = Field(description="test-name stem of its tests")
    logic_method: str | None = Field(description="the *Logic method a stub route calls")
    stub: bool = Field(description="a typed 501 stub: it calls logic_method (the LLD's operation is not plain CRUD)")
    reason: str = Field(description="why it is CRUD or a stub, as the binding says (raw)")
    has_body: bool = Field(description="the *Logic method takes the request body")
    content_type: str = Field(description="json, form or none: how the body is decoded")
    success_status: int
    envelope: str | None = Field(description="key the success body is wrapped in (raw)")
    error_codes: list[ErrorCode] = Field(description="the LLD's error code per status")
    request_class: str | None = Field(description="the LLD's request model (a class of src/models/schemas.py)")
    response_class: str | None = Field(description="the LLD's response model (a class of src/models/schemas.py)")
    drop: list[str] = Field(description="body fields never taken from a client: server-owned (raw, as sent)")
    version: str | None = Field(description="stored name of the version an update checks (raw)")
    page_size: int
    max_page_size: int
    descending: bool = Field(description="newest first: queries read the sort key backwards")
    order_by: str | None = Field(description="stored name of the attribute a scanned page is sorted by (raw)")
    cases: RequestCases | None = Field(description="contract-test cases of the request model")
    owned_probes: list[OwnedProbe] = Field(description="server-owned entity fields a contract test sends")
    numbers: list[NumberField] = Field(description="numeric entity fields (JSON numbers in responses)")
    contract_tests: bool = Field(description="tests/contract/test_<fn>.py tests it")
    item_factory: str = Field(
        description="tests/factories.py function making a stored item (one that fits the response model, if any)"
    )
    update_field: EntityField | None = Field(description="the field an update test changes (a string one first)")
    param_fields: list[str] = Field(
        description="per path parameter, the entity field a test fills it from ('' when none: a sample value)"
    )
    public: bool = Field(description="no authorizer and no caller check (Endpoint.access)")
    roles: list[str] = Field(description="tenant roles the LLD allows (raw); empty: any signed-in caller")
    tenant_param: str | None = Field(description="path parameter ident naming the caller's tenant")
    write: bool = Field(description="changes data: a platform user needs tenant:edit, not tenant:read")
    key_args: list[str] = Field(
        description="service call arguments of the key parts: path.<param> or the caller's (create: the "
        "keys the path or caller gives; query: the partition's; get/update/delete: every key field)"
    )
    caller_keys: dict[str, str] = Field(description="key field ident -> the Caller field it is built from")
    own_tenant: bool = Field(description="a key is built from the caller's tenant (own_tenant: 403 without one)")
    signature_header: str | None = Field(
        description="a signed route (a provider webhook): the header its HMAC-SHA256 arrives in (raw)"
    )
    idempotency_key: str | None = Field(
        description="an idempotent route (Endpoint.access): 'body' or the idempotency-key header (raw); its "
        "answer is stored after the signature and caller checks and replayed for a repeated request"
    )
    test_caller: list[str] = Field(
        description="api_event arguments of its tests: claims=OWNER when a key comes from the caller"
    )
    owner_fields: list[str] = Field(
        description="factory arguments storing a test item under OWNER's tenant/user (tenant_id=OWNER_TENANT)"
    )
    other_fields: list[str] = Field(
        description="factory arguments storing it under another tenant/user, whose item OWNER never reaches"
    )
    tenant_field: str | None = Field(
        default=None,
        description="a query under a {tenantId} path: the field that parameter fills (its tests store the same "
        "item under another tenant, which the answer never shows)",
    )


# a key part built from the caller: never a value the client sent
_CALLER_EXPR = {"tenant_id": "caller_tenant", "user_sub": "caller.user_sub"}
_OWNER_VALUE = {"tenant_id": "OWNER_TENANT", "user_sub": "OWNER_SUB"}
_OTHER_VALUE = {"tenant_id": '"tenant-b"', "user_sub": '"another-user"'}


def _key_args(ep: Endpoint, info: EntityPlan | None) -> list[str]:
    """``field=source`` per key part the operation's service call takes (see RoutePlan.key_args)."""
    if info is None:
        return []
    pidents = [p.ident for p in ep.params]
    caller = ep.access.caller_keys
    keyfields = [f for f in info.fields if f.key]
    if ep.operation == "query":
        gsi = next((g for g in info.gsis if g.name == ep.index), None) if ep.index else None
        names = gsi.hash_params if gsi else info.pk_params
        keyfields = [f for f in info.fields if f.name in names]
    elif ep.operation == "create":
        keyfields = [f for f in keyfields if f.ident in pidents or f.ident in caller]
    elif ep.operation not in ("get", "update", "delete"):
        return []
    last = pidents[-1] if pidents else ""

    def source(ident: str) -> str:
        if ident in caller:
            return _CALLER_EXPR[caller[ident]]
        return "path." + (ident if ident in pidents else last)

    return [f"{f.ident}={source(f.ident)}" for f in keyfields]


def _update_field(info: EntityPlan, drop: list[str]) -> EntityField | None:
    changeable = [f for f in info.fields if not f.key and f.name not in drop and f.ident not in drop]
    return next((f for f in changeable if f.ann == "str"), changeable[0] if changeable else None)


def param_fields(ep: Endpoint, info: EntityPlan | None) -> list[str]:
    """The entity field each path parameter addresses: the field of that name, else (the last
    parameter of a get/update/delete) the first key field no parameter names."""
    if info is None:
        return ["" for _ in ep.params]
    idents = [p.ident for p in ep.params]
    unnamed = [f.ident for f in info.fields if f.key and f.ident not in idents]
    out: list[str] = []
    for p in ep.params:
        if any(f.ident == p.ident for f in info.fields):
            out.append(p.ident)
        elif p.ident == idents[-1] and ep.operation in ("get", "update", "delete") and unnamed:
            out.append(unnamed[0])
        else:
            out.append("")
    return out


class ErrorCode(PlanNode):
    status: int
    code: str = Field(description="raw")


class ItemFactory(PlanNode):
    """A factory of stored items whose fields also fit an LLD response model (tests/factories.py)."""

    name: str
    entity: str = Field(description="EntityPlan.ident")
    entity_class: str
    response_factory: str = Field(description="the response model's factory")


def item_factory(info: EntityPlan, models: ModelsPlan, response_class: str | None) -> ItemFactory | None:
    fa = next((f for f in models.factories if f.cls == response_class), None) if response_class else None
    if fa is None:
        return None
    return ItemFactory(
        name=f"{info.ident}_as_{fa.name}",
        entity=info.ident,
        entity_class=info.class_name,
        response_factory=fa.name,
    )


class NumberField(PlanNode):
    name: str = Field(description="as stored (raw)")
    ident: str
    decimal: bool = Field(description="a Decimal (else an int)")


class OwnedProbe(PlanNode):
    name: str = Field(description="the field as stored and sent (raw)")
    ident: str = Field(description="the entity field")
    value: str = Field(description="JSON text of the value a client sends for it")


RoutePlan.model_rebuild()


class HandlerPlan(PlanNode):
    ident: str
    kind: HandlerKind
    trigger: str
    trigger_label: str = Field(description="the trigger as written, else its kind (raw)")
    summary: str = Field(description="first docstring line: routes or trigger (raw)")
    description: str | None = Field(description="raw")
    logic_class: str = Field(description="class of its src/services/<fn>_logic.py module")
    story_note: str = Field(description="the user stories it implements (three at most), as xfail reasons start")
    stories: list[str] = Field(description="ids of the user stories it implements (raw)")
    contract: bool = Field(description="some route has contract tests (tests/contract/test_<fn>.py)")
    contract_imports: ImportLines = Field(description="of its contract tests")
    logic: bool = Field(description="it has a src/services/<fn>_logic.py module: a stub route, or no route")
    routes: list[RoutePlan]
    imports: ImportLines = Field(description="of the handler module")
    test_imports: ImportLines = Field(description="of its integration tests")
    idempotent: bool = Field(description="some route stores its answers (src/utils/idempotency.py)")
    owner_role: str | None = Field(
        description="tenant role its tests give OWNER (CUSTOMER_<ROLE>, one every caller-keyed route allows); "
        "None: no caller-keyed route checks roles"
    )


def owner_role(routes: list[RoutePlan]) -> str | None:
    """The tenant role OWNER needs on every route of ``routes`` that builds a key from the caller
    and checks roles: the first role they all allow (else the first route's, and that route's
    tests show the conflict)."""
    lists = [r.roles for r in routes if r.caller_keys and r.roles]
    if not lists:
        return None
    common = [role for role in lists[0] if all(naming.words(role) in [naming.words(x) for x in rs] for rs in lists)]
    role = (common or lists[0])[0]
    return "CUSTOMER_" + "_".join(naming.words(role)).upper()


def _caller_test_imports(routes: list[RoutePlan], imports: ImportLines) -> None:
    """What tests of caller-keyed routes import: OWNER, the values it stores items under, seed_member."""
    keyed = [r for r in routes if r.test_caller]
    if not keyed:
        return
    imports.first.append("from tests.events import OWNER")
    for r in keyed:
        for name in ("OWNER_TENANT", "OWNER_SUB"):
            if any(name in f for f in r.owner_fields):
                imports.first.append(f"from tests.events import {name}")
    if owner_role(routes):
        imports.third.append("import pytest")
        imports.first += ["from tests.conftest import seed_member", "from tests.events import OWNER_TENANT"]
        imports.first.append("from tests.events import OWNER_SUB")


def _kind(fn: Function, eps: list[Endpoint]) -> HandlerKind:
    if eps:
        return "http"
    if fn.trigger == "sqs":
        return "sqs"
    if fn.trigger in ("eventbridge", "schedule"):
        return "event"
    return "s3" if fn.trigger == "s3" else "other"


def _entity(ep: Endpoint, entities: dict[tuple[str, str], EntityPlan]) -> EntityPlan | None:
    """The entity a CRUD endpoint operates on (binding named its table and entity); None: a stub."""
    if ep.operation == "custom" or ep.binding.kind == "stub":
        return None
    return entities.get((ep.table or "", ep.entity or ""))


def _misfit(spec: ServiceSpec, models: ModelsPlan, ep: Endpoint, info: EntityPlan) -> str | None:
    """Why CRUD on ``info`` cannot honour the endpoint's models, if it cannot: a required field of
    the request model the entity does not store (it would be lost), or of the response model
    the entity does not hold (the response could never be produced)."""
    stored = {n for f in info.fields for n in (f.name, f.ident)}
    for role, name in (
        ("request", ep.request_model if ep.method in BODY_METHODS else None),
        ("response", ep.response_model),
    ):
        model = _model(models, _schema_class(spec, models, name))
        if model is None:
            continue
        missing = [wire_name(f) for f in model.fields if f.default is None and not {wire_name(f), f.ident} & stored]
        if missing:
            return f"stub: {role} model {model.name} needs fields {info.class_name} does not store: " + ", ".join(
                missing
            )
        clash = _type_clash(model, info, _typed_attributes(spec, info))
        if clash:
            return f"stub: {role} model {model.name} {clash}"
        if role == "request" and ep.operation == "create":
            unset = _not_given(ep, info, {n for f in model.fields for n in (wire_name(f), f.ident)})
            if unset:
                return f"stub: {info.class_name} needs fields request model {model.name} does not give: " + ", ".join(
                    unset
                )
    if ep.operation == "create":
        # a required field the LLD says the server sets, which the generated service does not set
        # (a template's own `version` string, a `status` a workflow decides): CRUD could never create it
        owned = set(info.server_owned) | {naming.snake(n) for n in info.server_owned}
        said = {naming.snake(n) for n in ep.contract.server_owned} | set(ep.contract.server_owned)
        path = {p.ident for p in ep.params}
        unset = [
            f.name
            for f in info.fields
            if f.required and not f.key and {f.name, f.ident} & said and not {f.name, f.ident} & (owned | path)
        ]
        if unset:
            return (
                f"stub: the LLD says the server sets {', '.join(unset)} of {info.class_name}, "
                "which a plain CRUD create cannot know"
            )
    return None


_SCALAR_KINDS = {"str": "a string", "bool": "a boolean", "int": "a number", "float": "a number", "Decimal": "a number"}


def _typed_attributes(spec: ServiceSpec, info: EntityPlan) -> set[str]:
    """Names of the entity's attributes whose type the LLD states (not the string default)."""
    return {
        a.name
        for t in spec.tables
        for e in t.entities
        if e.name == info.name and t.name == info.table.name
        for a in e.attributes
        if a.type_raw
    }


def _type_clash(model: ModelClass, info: EntityPlan, typed: set[str]) -> str | None:
    """A field the model and the entity both have, typed as different JSON scalars where the LLD
    states both (the response says ``email: boolean``, the attribute table ``email | String``):
    CRUD would store or answer the wrong type."""
    stored = {n: f for f in info.fields if f.name in typed for n in (f.name, f.ident)}
    for f in model.fields:
        other = stored.get(wire_name(f)) or stored.get(f.ident)
        if other is None:
            continue
        mine, theirs = (_SCALAR_KINDS.get(a.replace(" | None", "").strip()) for a in (f.ann, other.ann))
        if mine and theirs and mine != theirs:
            return f"types {wire_name(f)} as {mine}, {info.class_name} stores {theirs}"
    return None


def _not_given(ep: Endpoint, info: EntityPlan, given: set[str]) -> list[str]:
    """Required fields of ``info`` that neither the request, the path nor the service sets."""
    path = {p.ident for p in ep.params}
    out: list[str] = []
    for f in info.fields:
        if {f.name, f.ident} & given or f.name in info.server_owned or f.ident in path:
            continue
        if f.required and not f.key or f.key and not f.id:
            out.append(f.name)
    return out


def _schema_class(spec: ServiceSpec, models: ModelsPlan, name: str | None) -> str | None:
    """The class of ``src/models/schemas.py`` the DataModel ``name`` became (None: not a class)."""
    if not name:
        return None
    dm = next((m for m in spec.models if m.name == name and m.kind == "model"), None)
    if dm is None:
        return None
    return next((c.name for c in models.classes if isinstance(c, ModelClass) and c.name == dm.class_name), None)


def _model(models: ModelsPlan, cls: str | None) -> ModelClass | None:
    return next((c for c in models.classes if isinstance(c, ModelClass) and c.name == cls), None)


def _stored_name(info: EntityPlan, name: str | None) -> EntityField | None:
    """The entity field a name from the LLD's prose means (``created_at``, ``createdAt``)."""
    if not name:
        return None
    ident = naming.snake(name)
    return next((f for f in info.fields if f.name == name or f.ident in (ident, ident + "_")), None)


def _drop(ep: Endpoint, info: EntityPlan | None) -> list[str]:
    """Body fields the handler drops: what the service sets itself, and what the LLD says the
    server owns, each as stored and as its snake_case ident (pydantic accepts both)."""
    names = list(info.server_owned) if info else []
    names += ep.contract.server_owned
    out: list[str] = []
    for n in names:
        for form in (n, naming.snake(n)):
            if form and form not in out:
                out.append(form)
    return out


def _probes(ep: Endpoint, info: EntityPlan, drop: list[str], request: ModelClass | None) -> list[OwnedProbe]:
    """A value a client might send for each server-owned field the entity stores (JSON text).

    Not probed: fields the LLD's request model declares (it validates them, so a probe value of
    the wrong type would be a 400), keys of an update, and the version an update checks."""
    declared = {n for f in (request.fields if request else []) for n in (f.ident, f.alias)}
    out: list[OwnedProbe] = []
    for f in info.fields:
        if f.key and ep.operation != "create" or f.name in declared or f.ident in declared:
            continue
        if info.version and f.ident == info.version.ident and ep.operation == "update":
            continue
        if f.name not in drop and f.ident not in drop:
            continue
        if f.ann == "str":
            value = '"client-sent"'
        elif f.ann in NUMERIC_ANNOTATIONS:
            value = "987654"
        else:
            continue
        out.append(OwnedProbe(name=f.name, ident=f.ident, value=value))
    return out


def _route(
    spec: ServiceSpec, models: ModelsPlan, fn: Function, ep: Endpoint, info: EntityPlan | None, **names: Any
) -> RoutePlan:
    c = ep.contract
    drop = _drop(ep, info)
    response_class = _schema_class(spec, models, ep.response_model)
    items = item_factory(info, models, response_class) if info else None
    request_class = _schema_class(spec, models, ep.request_model) if ep.method in BODY_METHODS else None
    order = _stored_name(info, c.order_by) if info else None
    numbers = [
        NumberField(name=f.name, ident=f.ident, decimal=f.ann == "Decimal")
        for f in (info.fields if info else [])
        if f.ann in NUMERIC_ANNOTATIONS and not f.key
    ]
    cases = None
    update_field = _update_field(info, drop) if info and ep.operation == "update" else None
    if request_class and info and ep.operation in ("create", "update"):
        cases = request_cases(models, request_class)
    # an update of an entity with no field a client may set has nothing to test
    cases_op = ep.operation == "create" or (ep.operation == "update" and (update_field or cases) is not None)
    return RoutePlan(
        method=ep.method,
        path=ep.path,
        summary=ep.summary,
        operation=ep.operation,
        index=ep.index,
        params=ep.params,
        entity=info.ident if info else None,
        stub=info is None,
        has_body=ep.method in BODY_METHODS and c.content_type != "none",
        content_type=c.content_type,
        success_status=c.success_status or (DEFAULT_STATUS.get(ep.operation, 200) if info else 200),
        envelope=c.envelope,
        error_codes=_error_codes(ep),
        request_class=request_class,
        response_class=response_class,
        item_factory=items.name if items else (f"{info.ident}_factory" if info else ""),
        drop=drop,
        version=info.version.name if info and info.version and ep.operation == "update" else None,
        page_size=min(c.page_size or DEFAULT_PAGE_SIZE, c.max_page_size or DEFAULT_MAX_PAGE_SIZE),
        max_page_size=c.max_page_size or max(DEFAULT_MAX_PAGE_SIZE, c.page_size or 0),
        descending=c.order == "desc",
        order_by=order.name if order else None,
        cases=cases,
        owned_probes=_probes(ep, info, drop, _model(models, request_class)) if info and cases_op else [],
        numbers=numbers,
        contract_tests=info is not None and (cases_op or (ep.operation == "get" and bool(numbers))),
        param_fields=param_fields(ep, info),
        update_field=update_field,
        public=ep.access.kind == "public",
        roles=ep.access.roles if ep.access.kind == "permission" else [],
        tenant_param=ep.access.tenant_param if ep.access.tenant_scope == "path" else None,
        write=ep.method not in ("GET", "HEAD", "OPTIONS"),
        key_args=_key_args(ep, info),
        caller_keys=dict(ep.access.caller_keys) if info else {},
        own_tenant=bool(info) and "tenant_id" in ep.access.caller_keys.values(),
        signature_header=(ep.access.signature_header or "X-Signature") if ep.access.signature else None,
        idempotency_key=ep.access.idempotency_key,
        test_caller=["claims=OWNER"] if info and ep.access.caller_keys else [],
        owner_fields=[f"{k}={_OWNER_VALUE[v]}" for k, v in ep.access.caller_keys.items()] if info else [],
        other_fields=[f"{k}={_OTHER_VALUE[v]}" for k, v in ep.access.caller_keys.items()] if info else [],
        tenant_field=_tenant_field(ep, info),
        **names,
    )


def _tenant_field(ep: Endpoint, info: EntityPlan | None) -> str | None:
    """The entity field a query route's ``{tenantId}`` path parameter fills, if any."""
    a = ep.access
    if info is None or ep.operation != "query" or a.tenant_scope != "path" or not a.tenant_param:
        return None
    fields = dict(zip([p.ident for p in ep.params], param_fields(ep, info)))
    return fields.get(a.tenant_param) or None


def _error_codes(ep: Endpoint) -> list[ErrorCode]:
    """The first code the LLD gives for each error status, by status."""
    out: dict[int, str] = {}
    for e in ep.contract.errors:
        if e.code and e.status >= 400:
            out.setdefault(e.status, e.code)
    return [ErrorCode(status=k, code=v) for k, v in sorted(out.items())]


def _routes(
    spec: ServiceSpec,
    models: ModelsPlan,
    fn: Function,
    eps: list[Endpoint],
    resolved: list[EntityPlan | None],
    misfits: list[str | None],
) -> list[RoutePlan]:
    stubs = [info for info in resolved if info is None]
    single = len(eps) == 1
    return [
        _route(
            spec,
            models,
            fn,
            ep,
            info,
            name=fn.ident if single else f"route_{i}",
            path_model="PathParams" if single else f"PathParams{i}",
            tag=ep.method.lower() + ("" if single else f"_{i}"),
            logic_method=None if info else (fn.ident if len(stubs) == 1 else f"{fn.ident}_{i}"),
            reason=why or ep.binding.reason,
        )
        for i, (ep, info, why) in enumerate(zip(eps, resolved, misfits), start=1)
    ]


def _handler_imports(
    fn: Function, kind: HandlerKind, routes: list[RoutePlan], infos: dict[str, EntityPlan]
) -> ImportLines:
    logic = f"from src.services.{fn.ident}_logic import {fn.class_name}Logic"
    imports = ImportLines(
        std=["from typing import Any"],
        third=[
            "from aws_lambda_powertools import Logger",
            "from aws_lambda_powertools import Tracer",
            "from aws_lambda_powertools.utilities.typing import LambdaContext",
        ],
    )
    if kind == "http":
        v = "from src.utils.validation import "
        imports.third += [
            "from aws_lambda_powertools import Metrics",
            "from aws_lambda_powertools.logging import correlation_paths",
        ]
        imports.first.append("from src.utils.observability import count_responses")
        for r in routes:
            if not r.public:
                imports.first.append("from src.utils.auth import authorize")
            if r.tenant_param:
                imports.first.append("from src.utils.auth import same_tenant")
            if r.own_tenant:
                imports.first.append("from src.utils.auth import own_tenant")
            if r.signature_header:
                imports.first.append("from src.utils.signature import verify_signature")
            if r.idempotency_key:
                imports.first += [f"from src.utils.idempotency import {name}" for name in ("once", "register_context")]
            if r.params:
                imports.third += _PATH_MODEL_IMPORTS
                imports.first.append(v + "parse_path")
            if r.error_codes:
                imports.first.append(v + "error_codes")
            info = infos.get(r.entity or "")
            paged = r.operation in ("list", "query")
            if info and (r.request_class or (r.response_class and not paged)):
                imports.first.append("from src.models import schemas")
            if info:
                imports.first.append(f"from src.services.{info.ident}_service import {info.class_name}Service")
                if r.envelope or (r.response_class and not paged):
                    imports.first.append("from src.utils.responses import shaped")
                if r.operation == "create":
                    imports.first += [f"from src.models.{info.ident} import {info.class_name}Create"]
                    imports.first += [v + "parse_request", v + "request_body"]
                if r.operation == "update":
                    imports.first += [f"from src.models.{info.ident} import {info.class_name}Update"]
                    imports.first += [v + "parse_request", v + "request_body"]
                    if r.version:
                        imports.first.append(v + "expected_version")
                if r.operation in ("list", "query"):
                    imports.first.append(v + "page_params")
            else:
                imports.first.append(logic)
                if r.has_body:
                    imports.first.append(v + "request_body")
        imports.first += ["from src.utils.responses import json_response", v + "http_errors"]
    elif kind == "sqs":
        imports.std.append("import json")
        imports.third += _SQS_IMPORTS
        imports.first.append(logic)
    elif kind == "event":
        imports.third.append("from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent")
        imports.first.append(logic)
    elif kind == "s3":
        imports.third.append("from aws_lambda_powertools.utilities.data_classes import S3Event")
        imports.first.append(logic)
    else:
        imports.first.append(logic)
    return imports


def _test_imports(
    fn: Function, kind: HandlerKind, routes: list[RoutePlan], infos: dict[str, EntityPlan]
) -> ImportLines:
    imports = ImportLines(std=["from typing import Any"], first=[f"from src.handlers.{fn.ident} import handler"])
    helpers: list[str] = []
    ops = ["custom" if r.stub else r.operation for r in routes]
    if kind == "http":
        helpers.append("from tests.events import api_event")
        if any(op not in ("custom", "delete") for op in ops):
            imports.std.append("import json")
        if "custom" in ops or "delete" in ops:
            imports.third.append("import pytest")
    else:
        imports.third.append("import pytest")
    if kind == "sqs":
        imports.std.append("import json")
        helpers.append("from tests.events import sqs_event")
    if kind == "event":
        helpers.append("from tests.events import eventbridge_event")
    if kind == "s3":
        helpers.append("from tests.events import s3_event")
    for r in routes:
        info = infos.get(r.entity or "")
        if r.stub or info is None:
            continue
        imports.first.append(f"from src.repositories.{info.ident}_repository import {info.class_name}Repository")
        if _tests_use_entity_model(r):
            imports.first.append(f"from src.models.{info.ident} import {info.class_name}")
        if r.operation != "create" or not r.cases:
            helpers.append(f"from tests.factories import {r.item_factory}")
        if r.operation == "delete":
            imports.first.append("from src.utils.exceptions import NotFoundError")
        if r.operation == "create" or (r.operation == "update" and r.cases):
            imports.first.append("from src.utils.responses import to_json")
        if r.cases:
            helpers.append(f"from tests.factories import {r.cases.factory}")
        if r.response_class and (r.operation == "get" or (r.operation == "update" and (r.update_field or r.cases))):
            imports.first.append("from src.models import schemas")
    imports.first += helpers
    _caller_test_imports(routes, imports)
    return imports


def _contract_imports(fn: Function, routes: list[RoutePlan], infos: dict[str, EntityPlan]) -> ImportLines:
    imports = ImportLines(
        std=["import json", "from typing import Any"],
        first=[f"from src.handlers.{fn.ident} import handler", "from tests.events import api_event"],
    )
    for r in routes:
        info = infos.get(r.entity or "")
        if info is None or not r.contract_tests:
            continue
        imports.first.append(f"from src.repositories.{info.ident}_repository import {info.class_name}Repository")
        if r.operation == "get":
            imports.first.append(f"from tests.factories import {r.item_factory}")
            if any(n.decimal for n in r.numbers):
                imports.std.append("from decimal import Decimal")
            continue
        imports.first.append(f"from src.models.{info.ident} import {info.class_name}")
        imports.first.append("from src.utils.responses import to_json")
        if r.cases:
            imports.first.append(f"from tests.factories import {r.cases.factory}")
            if r.cases.required or r.cases.violations:
                imports.third.append("import pytest")
        else:
            imports.first.append(f"from tests.factories import {info.ident}_{r.operation}_factory")
        if r.operation == "update":
            imports.first.append(f"from tests.factories import {r.item_factory}")
        if r.response_class:
            imports.first.append("from src.models import schemas")
    _caller_test_imports([r for r in routes if r.contract_tests], imports)
    return imports


def _tests_use_entity_model(r: RoutePlan) -> bool:
    """The integration tests of ``r`` name the entity class (to read a response back)."""
    if r.operation in ("create", "list", "query"):
        return True
    if r.operation == "get":
        return r.response_class is None
    if r.operation == "update":
        non_str_change = r.cases is None and r.update_field is not None and r.update_field.ann != "str"
        return non_str_change or (r.response_class is None and (r.update_field is not None or r.cases is not None))
    return False


def _summary(fn: Function, eps: list[Endpoint]) -> str:
    if eps:
        what = ", ".join(f"{ep.method} {ep.path}" for ep in eps)
    else:
        what = f"{fn.trigger} trigger" + (f" ({fn.source_name})" if fn.source_name else "")
    return f"{fn.ident}: {what}."


def misfits(spec: ServiceSpec, entities: list[EntityPlan], models: ModelsPlan) -> list[tuple[Endpoint, str]]:
    """Every CRUD endpoint :func:`_misfit` refuses, with the reason (without ``stub: ``)."""
    by_key = _by_name(spec, entities)
    out: list[tuple[Endpoint, str]] = []
    for ep in spec.endpoints:
        info = _entity(ep, by_key)
        why = _misfit(spec, models, ep, info) if info else None
        if why:
            out.append((ep, why.removeprefix("stub: ")))
    return out


def handler_plan(
    spec: ServiceSpec, fn: Function, entities: dict[tuple[str, str], EntityPlan], models: ModelsPlan
) -> HandlerPlan:
    """``entities``: (table name, entity name) -> that entity's plan; ``models``: the spec's models plan."""
    eps = [ep for ep in spec.endpoints if ep.handler == fn.ident]
    resolved = [_entity(ep, entities) for ep in eps]
    misfits = [_misfit(spec, models, ep, info) if info else None for ep, info in zip(eps, resolved)]
    resolved = [None if why else info for info, why in zip(resolved, misfits)]
    kind = _kind(fn, eps)
    routes = _routes(spec, models, fn, eps, resolved, misfits)
    infos = {info.ident: info for info in resolved if info}
    return HandlerPlan(
        ident=fn.ident,
        kind=kind,
        trigger=fn.trigger,
        trigger_label=fn.trigger_raw or fn.trigger,
        summary=_summary(fn, eps),
        description=fn.description,
        logic_class=f"{fn.class_name}Logic",
        story_note=(", ".join(fn.stories[:3]) + ": ") if fn.stories else "no user story: ",
        stories=fn.stories,
        contract=any(r.contract_tests for r in routes),
        contract_imports=_contract_imports(fn, routes, infos),
        logic=fn.logic or any(r.stub for r in routes),
        routes=routes,
        imports=_handler_imports(fn, kind, routes, infos),
        test_imports=_test_imports(fn, kind, routes, infos),
        owner_role=owner_role(routes),
        idempotent=any(r.idempotency_key for r in routes),
    )


def build_item_factories(
    handlers: list[HandlerPlan], entities: list[EntityPlan], models: ModelsPlan
) -> list[ItemFactory]:
    """The item factories the handlers' tests use, each once, in handler order."""
    by_ident = {e.ident: e for e in entities}
    out: dict[str, ItemFactory] = {}
    for h in handlers:
        for r in h.routes:
            info = by_ident.get(r.entity or "")
            made = item_factory(info, models, r.response_class) if info else None
            if made:
                out.setdefault(made.name, made)
    return list(out.values())


def build_handlers(spec: ServiceSpec, entities: list[EntityPlan], models: ModelsPlan) -> list[HandlerPlan]:
    """One handler per function, in spec order (``entities`` is the spec's entity plan, ``models``
    its models plan)."""
    by_name = _by_name(spec, entities)
    return [handler_plan(spec, fn, by_name, models) for fn in spec.functions]


def _by_name(spec: ServiceSpec, entities: list[EntityPlan]) -> dict[tuple[str, str], EntityPlan]:
    """(table name, entity name) -> the first such entity, as the endpoint's binding names it."""
    by_name: dict[tuple[str, str], EntityPlan] = {}
    pairs = [(t.name, e.name) for t in spec.tables for e in t.entities]
    for key, plan in zip(pairs, entities):
        by_name.setdefault(key, plan)
    return by_name
