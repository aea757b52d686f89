"""The node classes of a ``ServiceSpec``: every part of a service the LLD describes.

:mod:`bbws_scaffold.model` assembles them into ``ServiceSpec`` (and re-exports them: it is the
contract other tools import). They live apart so that :mod:`bbws_scaffold.binding`, which
``ServiceSpec`` runs at validation, can import them at module level without an import cycle.

* Every node keeps the 1-based source ``line`` it came from (``None`` for derived nodes).
* Names are normalised here, once: nodes carry the name *as written* plus derived
  identifiers (``ident`` snake_case, ``class_name`` PascalCase, ``slug`` kebab-case).
  Derived fields are recomputed by validators every time a node is built, so they can
  never disagree with the name they come from; templates only read them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bbws_scaffold import naming

Trigger = Literal["http", "sqs", "eventbridge", "schedule", "s3", "other"]
Operation = Literal["create", "get", "list", "query", "update", "delete", "custom"]
ModelKind = Literal["model", "enum", "exception", "component"]
ModelSource = Literal["python", "mermaid", "openapi", "table"]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
ContentType = Literal["json", "form", "multipart", "none"]
SortOrder = Literal["asc", "desc"]
BindingKind = Literal["crud", "stub"]

# The one definition of a placeholder in a path or key pattern: ``{name}``, ``<name>`` or ``<type:name>``.
# Everything else reads placeholders through split_params/path_params (templates through the plans).
_PARAM_RE = re.compile(r"\{([^{}#/]+)\}|<(?:[a-z]+:)?([^<>/]+)>")


def split_params(pattern: str) -> list[tuple[str, str | None]]:
    """``pattern`` cut at its placeholders, in order: ``(text, None)`` for literal text between
    them, ``(placeholder, name)`` for each placeholder (``name`` stripped; it may be empty)."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for m in _PARAM_RE.finditer(pattern):
        if m.start() > pos:
            out.append((pattern[pos : m.start()], None))
        out.append((m.group(0), (m.group(1) or m.group(2)).strip()))
        pos = m.end()
    if pos < len(pattern):
        out.append((pattern[pos:], None))
    return out


def path_params(path: str) -> list[str]:
    """Parameter names of a path or key pattern, in order, as written (``{tenantId}``, ``<org_id>``)."""
    out: list[str] = []
    for _, name in split_params(path):
        if name and name not in out:
            out.append(name)
    return out


class Node(BaseModel):
    """Base of every model node: strict about unknown keys, keeps its source line.

    ``revalidate_instances="always"``: nodes built by extractors (and possibly mutated) are
    validated again when the spec is assembled, so derived fields are always recomputed from
    the final data and the JSON round trip is exact.
    """

    model_config = ConfigDict(extra="forbid", revalidate_instances="always")

    line: int | None = Field(default=None, description="1-based line in the LLD (None when derived)")


class Named(Node):
    """A node with a name as written plus the identifiers derived from it."""

    name: str
    ident: str = ""
    class_name: str = ""
    slug: str = ""

    @model_validator(mode="after")
    def _derive_names(self) -> Named:
        self.ident = self._make_ident(self.name)
        self.class_name = self._make_class(self.name)
        self.slug = naming.kebab(self.name)
        return self

    def _make_ident(self, name: str) -> str:
        """The ``ident`` of this kind of node (modules and methods override it)."""
        return naming.snake(name)

    def _make_class(self, name: str) -> str:
        """The ``class_name`` of this kind of node (classes of the generated src/ override it)."""
        return naming.pascal(name)


class Param(BaseModel):
    """A placeholder in a path or key pattern: as written and as a Python identifier."""

    model_config = ConfigDict(extra="forbid", revalidate_instances="always")

    name: str
    ident: str = Field(default="", description="var_ident(name), or var_ident(name)_N when numbered (derived)")

    @model_validator(mode="after")
    def _derive(self) -> Param:
        self.ident = _numbered_ident(self.name, self.ident)
        return self

    @property
    def numbered(self) -> bool:
        return self.ident != naming.var_ident(self.name)


def _numbered_ident(name: str, ident: str) -> str:
    """``var_ident(name)``, or ``ident`` when it is that plus a number ``_2``, ``_3``, ... (given
    where two names of one scope normalise alike, and kept when the node is validated again)."""
    base = naming.var_ident(name)
    number = ident[len(base) + 1 :]
    return ident if ident.startswith(base + "_") and re.fullmatch(r"[2-9]|[1-9][0-9]+", number) else base


def scope_idents(names: list[str]) -> dict[str, str]:
    """Identifiers for the names of one scope (the fields of one model), each name once: a name that
    normalises like another gets ``_2``, ``_3``, ... A name already written as its identifier
    (``invite_id``) keeps it, so no field is named like another field's alias (``inviteId`` beside
    ``invite_id`` is ``invite_id_2``); otherwise document order decides."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        if name not in out and naming.var_ident(name) == name:
            out[name] = naming.unique(name, taken)
    for name in names:
        if name not in out:
            out[name] = naming.unique(naming.var_ident(name), taken)
    return {name: out[name] for name in names}


def _params(pattern: str | None) -> list[Param]:
    """The placeholders of ``pattern``, numbered where two normalise alike (:func:`scope_idents`)."""
    return [Param(name=name, ident=ident) for name, ident in scope_idents(path_params(pattern or "")).items()]


class Runtime(Node):
    python_version: str = "3.12"
    memory_mb: int | None = None
    timeout_s: int | None = None
    architecture: Literal["arm64", "x86_64"] | None = None
    memory_raw: str | None = None
    timeout_raw: str | None = None
    memory_by_label: dict[str, int] = Field(default_factory=dict)
    timeout_by_label: dict[str, int] = Field(default_factory=dict)


class StatusCode(Node):
    """A status the LLD states for an endpoint (``409 | CONFLICT | version mismatch``)."""

    status: int = Field(ge=100, le=599)
    code: str | None = Field(default=None, description="error code as written (CART_NOT_FOUND)")
    description: str | None = None


class Contract(Node):
    """What an endpoint promises, as the LLD states it (extracted; neutral defaults when silent).

    ``line`` is the line of the endpoint's own section, when it has one.
    """

    success_status: int | None = Field(default=None, ge=100, le=599, description="None: the method's default")
    errors: list[StatusCode] = Field(default_factory=list, description="error statuses and codes stated")
    content_type: ContentType = Field(
        default="json", description="request body encoding (form: application/x-www-form-urlencoded); none: no body"
    )
    envelope: str | None = Field(
        default=None, description="key a success body is wrapped in ({'data': ...}); None: the model itself"
    )
    page_size: int | None = Field(default=None, ge=1, description="default page size stated")
    max_page_size: int | None = Field(default=None, ge=1, description="largest page size allowed")
    order_by: str | None = Field(default=None, description="attribute a list is ordered by (created_at)")
    order: SortOrder | None = Field(default=None, description="desc for 'newest first'")
    server_owned: list[str] = Field(
        default_factory=list,
        description="request/entity field names only the server sets (ids, status, timestamps, version, provider refs)",
    )
    idempotent: bool = Field(default=False, description="the LLD calls it idempotent")
    idempotency_header: str | None = Field(
        default=None, description="the request header the LLD says carries the client's idempotency key (raw)"
    )
    webhook: bool = Field(
        default=False, description="its own text or its path calls it a provider webhook (a callback)"
    )
    custom_reason: str | None = Field(
        default=None,
        description="what the endpoint's own text says that is no plain CRUD (soft delete, status change, "
        "state transition, cross-service call, provider webhook); None: nothing stated",
    )
    custom_line: int | None = Field(default=None, description="the LLD line that says so")
    claims: dict[str, str] = Field(
        default_factory=dict,
        description="key/field ident -> the authorizer claim the LLD's handler code reads it from "
        "(user_id -> sub); binding does not treat these as given yet",
    )


AccessKind = Literal["public", "authenticated", "permission"]
TenantScope = Literal["path", "caller", "none"]
CallerField = Literal["tenant_id", "user_sub"]


class Access(BaseModel):
    """Who may call an endpoint, as the LLD states it (derived by ``bbws_scaffold.lld.access``).

    ``public``: no authorizer (the LLD says none/public/anonymous, or the caller proves itself with a
    signature of its own: ``signature``); ``authenticated``: any caller with a verified Cognito token;
    ``permission``: such a caller whose tenant role is one of ``roles``. Silence is authenticated
    (fail closed).
    """

    model_config = ConfigDict(extra="forbid", revalidate_instances="always")

    kind: AccessKind = "authenticated"
    roles: list[str] = Field(default_factory=list, description="tenant roles the LLD allows (Admin, User)")
    owner: bool = Field(default=False, description="the LLD also allows the resource's owner (not generated)")
    signature: str | None = Field(default=None, description="how a public caller proves itself (HMAC Signature)")
    signature_header: str | None = Field(default=None, description="the header carrying that signature")
    signature_secret: str | None = Field(
        default=None, description="Secrets Manager name of the secret the signature is computed with"
    )
    tenant_scope: TenantScope = Field(
        default="none",
        description="path: a path placeholder names the caller's tenant, which must match; caller: the "
        "tenant a key names is the caller's own (it is not in the path)",
    )
    tenant_param: str | None = Field(default=None, description="ident of that path placeholder (tenant_id)")
    caller_keys: dict[str, CallerField] = Field(
        default_factory=dict,
        description="key part ident -> the caller's field it is built from, never the client's "
        "(tenant_id -> tenant_id, user_id -> user_sub); set by binding. A tenant among them makes the "
        "scope 'caller'",
    )
    reason: str = Field(default="", description="what decided it (the auth cell, or why the default)")
    idempotent: bool = Field(
        default=False,
        description="a repeated request gets the stored answer, the logic runs once: a provider webhook, or "
        "an endpoint whose own text calls it idempotent or names an idempotency-key header",
    )
    idempotency_key: str | None = Field(
        default=None,
        description="what identifies a repeated request: 'body' (the raw body, a webhook's event) or the "
        "request header carrying the client's key (Idempotency-Key, raw); None: not idempotent",
    )


class Binding(BaseModel):
    """How an endpoint is generated: repository CRUD faithful to the LLD, or a typed 501 stub."""

    model_config = ConfigDict(extra="forbid", revalidate_instances="always")

    kind: BindingKind = "stub"
    reason: str = Field(default="", description="'CRUD create on CartItem' or 'stub: soft delete (line 412)'")
    line: int | None = Field(default=None, description="the LLD line that decided it (stubs)")


_PUBLIC_AUTH_RE = re.compile(
    r"\s*(none|public|anonymous|no auth.*|unauthenticated|n/?a)\s*"
    r"(\((public|anonymous|no auth[^)]*|unauthenticated)\))?\s*",  # "None (public)"
    re.IGNORECASE,
)


def is_public(auth: str | None) -> bool:
    """Whether an endpoint's auth cell says it needs no authentication (``None``, ``public``, ...);
    an endpoint that states nothing sits behind the API's authorizer."""
    return bool(_PUBLIC_AUTH_RE.fullmatch(auth or ""))


class Endpoint(Node):
    method: HttpMethod
    path: str = Field(description="exactly as the main inventory writes it")
    function: str | None = Field(default=None, description="function name the LLD pairs with it")
    handler: str = Field(default="", description="module name of the handler (derived)")
    operation_id: str | None = None
    summary: str | None = None
    auth: str | None = None
    auth_roles: str | None = Field(
        default=None, description="who may call it, from a roles column beside the auth cell (Authorization)"
    )
    primary: bool = True
    source: str = ""
    params: list[Param] = Field(default_factory=list)
    request_model: str | None = Field(default=None, description="DataModel.name of the request body")
    response_model: str | None = Field(default=None, description="DataModel.name of the success body")
    contract: Contract = Field(default_factory=lambda: Contract(), description="what the LLD promises")
    # binding onto the tables (derived by bbws_scaffold.binding; see there)
    operation: Operation = "custom"
    entity: str | None = Field(default=None, description="entity the endpoint operates on (derived)")
    table: str | None = Field(default=None, description="Table.name of that entity (derived)")
    index: str | None = Field(default=None, description="GSI name a query endpoint uses (derived)")
    binding: Binding = Field(default_factory=lambda: Binding(), description="CRUD or stub, and why (derived)")
    access: Access = Field(
        default_factory=lambda: Access(), description="who may call it (derived from auth by bbws_scaffold.access)"
    )

    @model_validator(mode="after")
    def _derive(self) -> Endpoint:
        self.params = _params(self.path)
        if self.function:
            self.handler = naming.function_ident(self.function)
        elif self.operation_id:
            self.handler = naming.function_ident(self.operation_id)
        else:
            self.handler = endpoint_handler_name(self.method, self.path)
        return self


def endpoint_handler_name(method: str, path: str) -> str:
    """A stable handler name for an endpoint nothing names.

    ``GET /v1.0/tenants/{id}/sites`` -> ``get_tenants_id_sites``.
    """
    segs = [s for s in path.split("/") if s and not re.fullmatch(r"v\d+(\.\d+)*", s)]
    parts = [method.lower()] + [re.sub(r"[{}<>]", "", s) for s in segs]
    return naming.function_ident(" ".join(parts))


class TableAccess(BaseModel):
    """What one function may do to one table: drives least-privilege IAM."""

    model_config = ConfigDict(extra="forbid", revalidate_instances="always")

    table: str = Field(description="Table.name")
    actions: list[str] = Field(default_factory=list, description="DynamoDB actions, e.g. dynamodb:GetItem")
    indexes: list[str] = Field(default_factory=list, description="GSI names it queries")


class Function(Named):
    trigger: Trigger = "http"
    trigger_raw: str | None = Field(default=None, description="the trigger cell as written")
    source_name: str | None = Field(default=None, description="queue, schedule expression, bus or bucket")
    description: str | None = None
    method: HttpMethod | None = None
    path: str | None = None
    memory_mb: int | None = None
    timeout_s: int | None = None
    deployed_name: str | None = None
    handler_path: str | None = None
    synthesized: bool = Field(default=False, description="added for an endpoint the LLD pairs with no function")
    logic: bool = Field(
        default=False,
        description="needs a hand-written business-logic module: a custom endpoint or no endpoint at all (derived)",
    )
    access: list[TableAccess] = Field(default_factory=list, description="table access (derived)")
    stories: list[str] = Field(
        default_factory=list, description="ids of the user stories this function implements (derived)"
    )

    def _make_ident(self, name: str) -> str:
        return naming.function_ident(name)  # src/handlers/<ident>.py, and a function of that module

    def _make_class(self, name: str) -> str:
        return naming.class_ident(name)  # <Class>Logic beside the logic module's imports


class Attribute(Node):
    name: str
    ident: str = ""
    type: str = Field(default="string", description="canonical type: string, number, integer, boolean, ...")
    type_raw: str | None = None
    description: str | None = None
    required: bool | None = None
    constraints: dict[str, int | float | str | bool] = Field(
        default_factory=dict, description="validation constraints of the model field it came from (ge, max_length, ...)"
    )
    enum: str | None = Field(default=None, description="DataModel.name of the enum its values come from")

    @model_validator(mode="after")
    def _derive(self) -> Attribute:
        self.ident = _numbered_ident(self.name, self.ident)
        return self

    @property
    def numbered(self) -> bool:
        return self.ident != naming.var_ident(self.name)


class Entity(Named):
    pk: str | None = None
    sk: str | None = None
    attributes: list[Attribute] = Field(default_factory=list)
    gsi_keys: dict[str, list[str | None]] = Field(
        default_factory=dict, description="per-entity GSI key patterns: index name -> [pk, sk]"
    )
    params: list[Param] = Field(default_factory=list, description="placeholders of pk and sk (derived)")
    model: str | None = Field(
        default=None, description="DataModel.name whose fields became the attributes, when the table gave none"
    )

    def _make_ident(self, name: str) -> str:
        return naming.module_ident(name)  # src/models/<ident>.py

    def _make_class(self, name: str) -> str:
        return naming.class_ident(name)  # <Class>, <Class>Repository, ... beside the imports of src/

    @model_validator(mode="after")
    def _derive_params(self) -> Entity:
        self.number_fields()
        return self

    def number_fields(self) -> None:
        """Attributes, then key placeholders, share one scope (the entity's fields): a later name
        that normalises like an earlier one is numbered; a placeholder takes its attribute's ident.
        Also run by :func:`disambiguate`, after binding has added the key attributes."""
        keys = path_params(self.pk or "") + path_params(self.sk or "")
        idents = scope_idents([a.name for a in self.attributes] + keys)
        for a in self.attributes:
            a.ident = idents[a.name]
        self.params = [Param(name=name, ident=idents[name]) for name in dict.fromkeys(keys)]


class GSI(Named):
    index: str | None = Field(default=None, description="physical index when the doc names a logical one")
    pk: str | None = None
    sk: str | None = None
    pk_attr: str | None = None
    sk_attr: str | None = None
    projection: str = "ALL"

    def _make_ident(self, name: str) -> str:
        ident = naming.snake(name)  # the repository's query_<ident>, beside its own query_partition
        return ident + "_" if ident == "partition" else ident


# Environment placeholders in physical names ({env}, ${env}, ${var.environment}, {stage}); plan/infra.py
# reuses it so the model and the infrastructure plan agree on what an environment part is.
ENV_PLACEHOLDER_RE = re.compile(r"\$?\{(?:var\.)?(?:env|environment|stage)\}", re.IGNORECASE)


class Table(Named):
    table_name: str | None = Field(default=None, description="physical table name as written, if any")
    name_template: str | None = Field(
        default=None, description="physical name with the environment placeholder normalised to {env} (derived)"
    )
    entity: str | None = None
    pk: str | None = None
    sk: str | None = None
    pk_attr: str = "PK"
    sk_attr: str | None = "SK"
    entities: list[Entity] = Field(default_factory=list)
    gsis: list[GSI] = Field(default_factory=list)
    ttl_attribute: str | None = None
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = "PAY_PER_REQUEST"

    @model_validator(mode="after")
    def _derive_table(self) -> Table:
        # identifiers name the table, not its environment: bbws-orders-{env} -> bbws_orders
        base = ENV_PLACEHOLDER_RE.sub("", self.name)
        if naming.words(base):
            self.ident, self.class_name, self.slug = naming.snake(base), naming.pascal(base), naming.kebab(base)
        self.name_template = ENV_PLACEHOLDER_RE.sub("{env}", self.table_name) if self.table_name else None
        if self.entities:
            first = self.entities[0]
            self.entity = self.entity or first.name
            self.pk = self.pk if self.pk is not None else first.pk
            self.sk = self.sk if self.sk is not None else first.sk
        return self


class ModelField(Node):
    name: str
    ident: str = ""
    alias: str | None = None
    type: str = Field(default="str", description="annotation as written")
    optional: bool = False
    required: bool = True
    default: str | None = Field(default=None, description="Python literal source of the default")
    constraints: dict[str, int | float | str | bool] = Field(default_factory=dict)
    description: str | None = None

    @model_validator(mode="after")
    def _derive(self) -> ModelField:
        self.ident = naming.snake(self.name)
        return self


class EnumValue(Node):
    name: str
    value: str


class DataModel(Named):
    kind: ModelKind = "model"
    source: ModelSource = "python"
    bases: list[str] = Field(default_factory=list)
    stereotype: str | None = None
    fields: list[ModelField] = Field(default_factory=list)
    values: list[EnumValue] = Field(default_factory=list)
    description: str | None = None


class EnvVar(Node):
    name: str
    description: str | None = None
    example: str | None = None
    required: bool | None = None
    functions: list[str] = Field(default_factory=list, description="functions it is scoped to; empty = all")
    source: str = ""


class Dependency(Node):
    name: str
    service: str | None = Field(default=None, description="canonical AWS service key (dynamodb, ses, ...)")
    purpose: str | None = None


class Nfr(Node):
    category: str | None = None
    metric: str
    target: str
    measurement: str | None = Field(default=None, description="how it is measured or met, as written")
    kind: Literal["latency", "error_rate", "availability", "throughput", "cold_start", "concurrency", "other"] = "other"
    percentile: str | None = None
    threshold: float | None = Field(default=None, description="numeric target in the unit below")
    unit: str | None = None


class Tag(Node):
    key: str
    value: str
    purpose: str | None = None


class UserStory(Node):
    id: str
    ident: str = ""
    epic: str | None = None
    story: str = ""
    scenarios: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _derive(self) -> UserStory:
        self.ident = naming.snake(self.id) if naming.words(self.id) else "story"
        return self


class Diagnostic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: int | None = None
    message: str
    severity: Literal["warning", "error"] = "warning"

    def format(self, file: str) -> str:
        return f"{file}:{self.line or 1}: {self.severity}: {self.message}"


def disambiguate(endpoints: list[Endpoint], tables: list[Table]) -> list[Diagnostic]:
    """Make every identifier that names one thing in the generated code unique, in document order:
    the path parameters of one endpoint, the tables, the entities (``src/models/<ident>.py``) and
    the GSIs of one table. A later name that normalises to an earlier one's identifier gets
    ``_2``, ``_3``, ... (deterministic); each such rename is returned as a warning."""
    out: list[Diagnostic] = []

    def rename(node: Named, what: str, taken: set[str], first: dict[str, str], line: int | None) -> bool:
        ident = naming.unique(node.ident, taken)
        if ident == node.ident:
            first[ident] = node.name
            return False
        out.append(
            Diagnostic(
                line=line,
                message=f"{what} {first.get(node.ident, node.ident)!r} and {node.name!r} both normalise to "
                f"{node.ident!r}; the second is named {ident!r} in the generated code",
            )
        )
        node.ident = ident
        return True

    for ep in endpoints:
        for p in ep.params:
            if p.numbered:
                first_name = next(q.name for q in ep.params if q.ident == naming.var_ident(p.name))
                out.append(
                    Diagnostic(
                        line=ep.line,
                        message=f"path parameters {first_name!r} and {p.name!r} of {ep.method} {ep.path} both "
                        f"normalise to {naming.var_ident(p.name)!r}; {p.name!r} is named {p.ident!r} in the "
                        "generated code",
                    )
                )
    t_taken: set[str] = set()
    t_first: dict[str, str] = {}
    e_taken: set[str] = set()
    e_first: dict[str, str] = {}
    classes: set[str] = set()
    for t in tables:
        rename(t, "tables", t_taken, t_first, t.line)
        for e in t.entities:
            e.number_fields()
            for a in e.attributes:
                if a.numbered:
                    first_name = next(b.name for b in e.attributes if b.ident == naming.var_ident(a.name))
                    out.append(
                        Diagnostic(
                            line=a.line or e.line,
                            message=f"attributes {first_name!r} and {a.name!r} of {e.name} both normalise to "
                            f"{naming.var_ident(a.name)!r}; {a.name!r} is named {a.ident!r} in the generated code",
                        )
                    )
            if rename(e, "entities", e_taken, e_first, e.line) or e.class_name in classes:
                e.class_name = naming.unique(naming.class_ident(e.ident), classes)
            classes.add(e.class_name)
        g_taken: set[str] = set()
        g_first: dict[str, str] = {}
        for g in t.gsis:
            rename(g, f"GSIs of table {t.name}:", g_taken, g_first, g.line)
    return out
