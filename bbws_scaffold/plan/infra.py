"""The infrastructure plan: what terraform/, .github/ and scripts/ templates of a Lambda service read.

Physical names, key attributes, clamped sizes, trigger sources, IAM access and alarm thresholds
are derived here, once, from the ``ServiceSpec`` (DESIGN.md §3: names and derivations happen in
Python; templates only read and escape). The renderer passes :func:`infra_answer` as the copier
answer ``infra`` next to ``spec`` and ``environments``; it is stored in ``.copier-answers.yml``,
so a plain ``copier update`` in a generated repository replays it without bbws-scaffold.

Two kinds of string live in the plan, and the templates treat them differently:

* **Raw text** (everything not listed below): LLD text or values derived from it, unescaped.
  Templates emit it only through ``blueprints/_shared/hcl.jinja`` ``s()``/``comment()`` or
  ``blueprints/_shared/yaml.jinja`` ``s()``.
* **HCL string bodies** (type :data:`HclBody`): ``InfraFunction.name``, ``InfraFunction.queue``,
  ``InfraFunction.bucket`` and ``InfraTable.name``. They go between double quotes as they are,
  because they carry the one interpolation the blueprint adds, ``${var.environment}``. They are
  built only from text that passed a strict character check (letters, digits, ``_ . -``), and the
  :data:`HclBody` validator refuses anything else, so no LLD text can smuggle a quote, an
  interpolation or a directive through them.

The output is deterministic: lists follow the spec's order (services, sets of actions and
indexes are sorted), so re-rendering an unchanged spec changes no byte.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

# One definition of the LLD's environment placeholders ({env}, ${env}, {environment}, {stage}, ...):
# the model uses it for Table.name_template; deployed function names and trigger sources need the same.
from bbws_scaffold.config.environments import environments_answer
from bbws_scaffold.lld.paths import route_path, segment_problem, segments
from bbws_scaffold.model import ENV_PLACEHOLDER_RE, Nfr, ServiceSpec, Table, TableAccess
from bbws_scaffold.plan.concurrency import ConcurrencyPlan, build_concurrency
from bbws_scaffold.plan.node import PlanNode

ENV_INTERPOLATION = "${var.environment}"
ENV_TOKEN = "{env}"

PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
"""Lambda Python runtimes the blueprint supports; anything else falls back to the default."""
DEFAULT_PYTHON = "3.12"

MEMORY_DEFAULT, MEMORY_MIN, MEMORY_MAX = 256, 128, 10240
TIMEOUT_DEFAULT, TIMEOUT_MIN, TIMEOUT_MAX = 30, 1, 900
DESCRIPTION_MAX = 250  # aws_lambda_function.description limit is 256
FUNCTION_NAME_MAX = 64  # Lambda function and IAM role names
QUEUE_NAME_MAX = 80 - len("-dlq")  # each trigger queue gets a "<name>-dlq" sibling
BUCKET_NAME_MAX = 63
ROUTE_KEY_MAX = 80  # "AllowApiGateway-<key>" must stay within the 100-character statement id
TAG_KEY_MAX, TAG_VALUE_MAX = 128, 256

IAM_SERVICES = frozenset(
    {"ses", "cognito-idp", "secretsmanager", "ssm", "sqs", "sns", "s3", "events", "lambda", "states"}
)
"""Dependency keys terraform/iam.tf.jinja has a statement for (its ``dep_actions``/``dep_defaults``)."""
IMPLICIT_SERVICES = frozenset({"dynamodb", "logs", "cloudwatch", "apigateway", "xray", "kms", "iam", "sts"})
"""Dependency keys the blueprint already grants through its own resources (tables, logs, key, ...)."""

PLATFORM_TAGS = frozenset({"service", "environment", "managedby", "repository"})
"""Tag keys main.tf sets itself (case-insensitive); an LLD tag with such a key is dropped."""

_SAFE_BODY_RE = re.compile(r"(?:[A-Za-z0-9_.-]|\$\{var\.environment\})+")
_NAME_WITH_ENV_RE = re.compile(r"[A-Za-z0-9_-]*(?:\{env\}[A-Za-z0-9_-]*)?")
_BUCKET_WITH_ENV_RE = re.compile(r"[a-z0-9][a-z0-9.-]*(?:\{env\}[a-z0-9.-]*)?")
_TABLE_TEMPLATE_RE = re.compile(r"[A-Za-z0-9_.{}-]{3,240}")
_TABLE_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
_INDEX_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_SOURCE_PREFIX_RE = re.compile(r"^\s*(sqs|s3|eventbridge)\s*:\s*", re.IGNORECASE)
_SCHEDULE_RE = re.compile(r"(rate|cron)\([^()\n]+\)")
_DYNAMODB_ACTION_RE = re.compile(r"dynamodb:[A-Za-z]+")
_STATISTIC_RE = re.compile(r"p\d{1,2}(\.\d+)?")
_TAG_CHAR_RE = re.compile(r"[^\w .:/=+@-]")  # AWS tags: letters, digits, whitespace, _ . : / = + - @

_NUMBER_TYPES = frozenset({"number", "integer", "int", "float", "decimal"})
_BINARY_TYPES = frozenset({"binary", "bytes"})


def _check_body(value: str) -> str:
    if not _SAFE_BODY_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a safe HCL string body (letters, digits, _ . - and {ENV_INTERPOLATION})")
    return value


HclBody = Annotated[str, AfterValidator(_check_body)]
"""A ready HCL string body: emitted between quotes unescaped, so it may hold only safe characters."""


class InfraAccess(PlanNode):
    """One function's rights on one table: the least-privilege IAM statements in iam.tf."""

    table: str = Field(description="InfraTable.ident (terraform resource name)")
    sid: str = Field(description="IAM statement id, e.g. TableProducts")
    actions: list[str] = Field(description="dynamodb:* actions, sorted, no wildcards")
    indexes: list[str] = Field(description="physical GSI names it queries, sorted")
    index_actions: list[str] = Field(description="actions granted on those indexes")


class InfraFunction(PlanNode):
    ident: str
    label: str = Field(description="the function's name as the LLD writes it (raw)")
    name: HclBody = Field(description="physical function name; HCL body with ${var.environment}")
    description: str = Field(description="one line, at most 250 characters (raw)")
    handler: str
    memory: int = Field(description=f"MB, clamped to [{MEMORY_MIN}, {MEMORY_MAX}]")
    timeout: int = Field(description=f"seconds, clamped to [{TIMEOUT_MIN}, {TIMEOUT_MAX}]")
    architecture: Literal["arm64", "x86_64"]
    trigger: Literal["http", "sqs", "eventbridge", "schedule", "s3", "other"]
    queue: HclBody | None = Field(default=None, description="SQS trigger queue name (sqs only)")
    schedule: str | None = Field(default=None, description="rate()/cron() expression (schedule only, raw)")
    bucket: HclBody | None = Field(default=None, description="S3 bucket name (s3 only)")
    access: list[InfraAccess] = Field(default_factory=list)
    reads_tenants: bool = Field(
        default=False, description="checks the LLD's roles: reads the platform's tenants table (TENANTS_TABLE)"
    )
    verifies_signature: bool = Field(
        default=False, description="serves a signature route: reads the webhook secret (WEBHOOK_SECRET_ID)"
    )
    idempotent: bool = Field(
        default=False,
        description="serves an idempotent route: stores its answers in the idempotency table (IDEMPOTENCY_TABLE)",
    )


class InfraGsi(PlanNode):
    name: str = Field(description="physical index name (raw)")
    hash_key: str
    range_key: str | None = None
    projection: Literal["ALL", "KEYS_ONLY"] = "ALL"


class InfraAttribute(PlanNode):
    name: str
    type: Literal["S", "N", "B"]


class InfraTable(PlanNode):
    ident: str = Field(description="terraform resource name, unique")
    label: str = Field(description="Table.name as written (raw)")
    name: HclBody = Field(description="physical table name; HCL body with ${var.environment}")
    hash_key: str
    range_key: str | None = None
    attributes: list[InfraAttribute] = Field(description="key attributes of the table and its GSIs")
    gsis: list[InfraGsi] = Field(default_factory=list)
    ttl: str | None = None


class InfraTableEnv(PlanNode):
    """An environment variable of every function holding a table's physical name."""

    name: str
    table: str = Field(description="InfraTable.ident")


class InfraRoute(PlanNode):
    key: str = Field(description="unique terraform map key, [a-z0-9-], at most 80 characters")
    method: str = Field(description="lower-case HTTP method (OpenAPI key)")
    path: str = Field(description="OpenAPI path (raw; validated characters)")
    arn_path: str = Field(description="path with parameters as * for execute-api ARNs (raw)")
    function: str = Field(description="InfraFunction.ident serving it")
    public: bool = Field(description="the LLD marks it as needing no authentication")


class InfraService(PlanNode):
    """An AWS dependency iam.tf grants (actions and default resources live in the template)."""

    key: str = Field(description="canonical AWS key, e.g. cognito-idp")
    sid: str = Field(description="IAM statement id, e.g. DependencyCognitoIdp")


class InfraTag(PlanNode):
    key: str = Field(description="reduced to the characters AWS accepts (raw)")
    value: str


class InfraAlarm(PlanNode):
    """A CloudWatch alarm built from an NFR with a numeric target."""

    kind: Literal["latency", "error_rate", "availability"]
    index: int = Field(description="1-based position of the NFR in the spec (stable resource names)")
    metric: str = Field(description="raw")
    target: str = Field(description="raw")
    statistic: str = Field(description="extended statistic, e.g. p95")
    threshold: float = Field(
        description="alarm threshold: latency ms, error rate %, availability: highest tolerated 5xx %"
    )


class InfraPlan(PlanNode):
    name_prefix: str = Field(description="bbws-<service>, no environment")
    python_version: str
    runtime: str = Field(description="Lambda runtime, e.g. python3.12")
    architecture: Literal["arm64", "x86_64"]
    functions: list[InfraFunction] = Field(default_factory=list)
    webhook_secret: str | None = Field(
        default=None,
        description="Secrets Manager name of the signature secret the LLD states (raw); None: no signature route "
        "or the LLD names none (the variable then has no default)",
    )
    routes: list[InfraRoute] = Field(default_factory=list)
    tables: list[InfraTable] = Field(
        default_factory=list, description="the LLD's tables, then the idempotency table (when there is one)"
    )
    idempotency_table: str | None = Field(
        default=None, description="InfraTable.ident of the idempotency table; None: no idempotent route"
    )
    table_env: list[InfraTableEnv] = Field(default_factory=list)
    services: list[InfraService] = Field(default_factory=list, description="sorted by key")
    unknown_services: list[str] = Field(
        default_factory=list, description="dependency names (raw) iam.tf cannot map; listed as comments"
    )
    tags: list[InfraTag] = Field(default_factory=list)
    alarms: list[InfraAlarm] = Field(default_factory=list)
    concurrency: ConcurrencyPlan = Field(default_factory=ConcurrencyPlan, description="reserved concurrency")


def _pascal_words(text: str, sep: str) -> str:
    """``cognito-idp`` -> ``CognitoIdp``: IAM statement ids allow only [A-Za-z0-9]."""
    return "".join(w[:1].upper() + w[1:].lower() for w in text.split(sep) if w)


def _max_env_len(environments: dict[str, Any]) -> int:
    """Longest environment name: names with ${var.environment} must fit AWS limits in every one.

    Unknown environments count as 10 characters, the longest name environments.yaml accepts."""
    names = list(environments.get("order") or []) + list((environments.get("envs") or {}).keys())
    return max((len(str(n)) for n in names), default=10)


def _fits(template: str, limit: int, env_len: int) -> bool:
    """Whether a name with at most one ``{env}`` stays within ``limit`` in every environment."""
    return len(template.replace(ENV_TOKEN, "")) + (env_len if ENV_TOKEN in template else 0) <= limit


def _with_env(template: str) -> str:
    return template.replace(ENV_TOKEN, ENV_INTERPOLATION)


def _attribute_type(type_name: str | None) -> Literal["S", "N", "B"]:
    ty = (type_name or "string").lower()
    return "N" if ty in _NUMBER_TYPES else "B" if ty in _BINARY_TYPES else "S"


def _table_plan(t: Table, ident: str, prefix: str) -> tuple[InfraTable, dict[str, str]]:
    """The table's physical shape, plus its GSI names (logical and physical) -> physical name."""
    tmpl = t.name_template or ""
    if _TABLE_TEMPLATE_RE.fullmatch(tmpl) and _TABLE_NAME_RE.fullmatch(tmpl.replace(ENV_TOKEN, "")):
        name = _with_env(tmpl)
    else:
        name = f"{prefix}-{t.slug}-{ENV_INTERPOLATION}"
    types = {a.name: _attribute_type(a.type) for e in t.entities for a in e.attributes}
    keys = [t.pk_attr or "PK"] + ([t.sk_attr] if t.sk_attr else [])
    gsis: list[InfraGsi] = []
    alias: dict[str, str] = {}
    for g in t.gsis:
        wanted = g.index or g.name
        phys = wanted if _INDEX_NAME_RE.fullmatch(wanted) else f"{g.class_name}Index"
        alias[g.name] = phys
        if g.index:
            alias[g.index] = phys
        if any(x.name == phys for x in gsis):
            continue  # two logical GSIs on one physical index: the first one defines it
        # the binding has already derived key attributes from key patterns (bbws_scaffold.binding);
        # a GSI with no partition key at all gets the conventional <Index>PK attribute
        hash_key = g.pk_attr or re.sub(r"[^A-Za-z0-9_]", "", phys) + "PK"
        range_key = g.sk_attr or None
        projection: Literal["ALL", "KEYS_ONLY"] = "KEYS_ONLY" if g.projection == "KEYS_ONLY" else "ALL"
        gsis.append(InfraGsi(name=phys, hash_key=hash_key, range_key=range_key, projection=projection))
    attrs: list[InfraAttribute] = []
    for k in keys + [g.hash_key for g in gsis] + [g.range_key for g in gsis if g.range_key]:
        if all(a.name != k for a in attrs):
            attrs.append(InfraAttribute(name=k, type=types.get(k, "S")))
    table = InfraTable(
        ident=ident,
        label=t.name,
        name=name,
        hash_key=keys[0],
        range_key=t.sk_attr,
        attributes=attrs,
        gsis=gsis,
        ttl=t.ttl_attribute,
    )
    return table, alias


IDEMPOTENCY_ACTIONS = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
"""What powertools idempotency does to its table (DynamoDBPersistenceLayer): read, claim, complete, release."""


def _idempotency_table(tables: list[InfraTable], prefix: str) -> InfraTable:
    """The store of idempotent routes' answers (powertools' DynamoDBPersistenceLayer defaults: hash
    key ``id``, expiry ``expiration`` as the TTL attribute), named like the service's own tables."""
    ident = "idempotency"
    while any(t.ident == ident for t in tables):
        ident += "_store"
    name = f"{prefix}-{ident.replace('_', '-')}-{ENV_INTERPOLATION}"
    while any(t.name == name for t in tables):
        name = name.replace(f"-{ENV_INTERPOLATION}", f"-store-{ENV_INTERPOLATION}")
    return InfraTable(
        ident=ident,
        label="idempotency store (answers of idempotent routes)",
        name=name,
        hash_key="id",
        attributes=[InfraAttribute(name="id", type="S")],
        ttl="expiration",
    )


def _function_name(deployed: str | None, fallback: str, seen: list[str], index: int, env_len: int) -> str:
    """Physical function name: the LLD's deployed name when it is usable, else ``<prefix>-<slug>``.

    Either way the environment is part of it, and it fits the 64-character limit in every
    environment; a fallback that collides with an earlier name gets ``-<position>``."""
    dn = ENV_PLACEHOLDER_RE.sub(ENV_TOKEN, deployed or "")
    if (
        dn
        and _NAME_WITH_ENV_RE.fullmatch(dn)
        and _fits(dn if ENV_TOKEN in dn else f"{dn}-{ENV_TOKEN}", FUNCTION_NAME_MAX, env_len)
        and dn not in seen
    ):
        seen.append(dn)
        return _with_env(dn) if ENV_TOKEN in dn else f"{dn}-{ENV_INTERPOLATION}"
    budget = FUNCTION_NAME_MAX - 1 - env_len
    base = fallback[:budget].rstrip("-")
    if base in seen:
        base = f"{base[: budget - 4]}-{index}"
    seen.append(base)
    return f"{base}-{ENV_INTERPOLATION}"


def _access_plan(
    spec_access: list[TableAccess], tables: dict[str, tuple[InfraTable, dict[str, str]]]
) -> list[InfraAccess]:
    """Table access -> IAM: only well-formed dynamodb actions, indexes mapped to physical names,
    one statement per table (entries naming the same table are merged: IAM sids must be unique)."""
    merged: dict[str, tuple[set[str], set[str]]] = {}
    order: list[str] = []
    for a in spec_access:
        found = tables.get(a.table)
        if not found:
            continue
        table, alias = found
        actions = {x for x in a.actions if _DYNAMODB_ACTION_RE.fullmatch(x)}
        if not actions:
            continue
        indexes = {alias[i] for i in a.indexes if i in alias}
        if table.ident not in merged:
            order.append(table.ident)
            merged[table.ident] = (set(), set())
        merged[table.ident][0].update(actions)
        merged[table.ident][1].update(indexes)
    out = []
    for ident in order:
        actions, indexes = merged[ident]
        acts = sorted(actions)
        idx_acts = [x for x in acts if x in ("dynamodb:Query", "dynamodb:Scan")] or ["dynamodb:Query"]
        out.append(
            InfraAccess(
                table=ident,
                sid="Table" + _pascal_words(ident, "_"),
                actions=acts,
                indexes=sorted(indexes),
                index_actions=idx_acts,
            )
        )
    return out


def _store_access(store: InfraTable) -> list[InfraAccess]:
    sid = "Table" + _pascal_words(store.ident, "_")
    return [InfraAccess(table=store.ident, sid=sid, actions=IDEMPOTENCY_ACTIONS, indexes=[], index_actions=[])]


def _routes(spec: ServiceSpec, functions: set[str]) -> list[InfraRoute]:
    routes: list[InfraRoute] = []
    seen: set[str] = set()
    keys: set[str] = set()
    for index, ep in enumerate(spec.endpoints, start=1):
        if ep.handler not in functions:
            continue
        path = route_path(ep.path)
        method = ep.method.lower()
        # the parser refuses such paths (bbws_scaffold.lld.paths); a spec built otherwise keeps them out of HCL
        if f"{method} {path}" in seen or any(segment_problem(seg) for seg in segments(path)):
            continue
        seen.add(f"{method} {path}")
        base = re.sub(r"[^A-Za-z0-9]+", "-", f"{method}-{path}").strip("-").lower()[:ROUTE_KEY_MAX]
        key, n = base, index
        while key in keys:
            key, n = f"{base[: ROUTE_KEY_MAX - 5]}-{n}", n + 1
        keys.add(key)
        routes.append(
            InfraRoute(
                key=key,
                method=method,
                path=path,
                arn_path=re.sub(r"\{[^{}]*\}", "*", path),
                function=ep.handler,
                public=ep.access.kind == "public",
            )
        )
    return routes


def _services(spec: ServiceSpec) -> tuple[list[InfraService], list[str]]:
    """Dependencies -> IAM grants. ``Dependency.service`` is already the canonical AWS key (the
    parser maps names through lld_grammar/dependencies.yaml); keys the blueprint grants anyway
    are dropped, the rest are listed by name for the user to grant in iam_custom.tf."""
    keys: set[str] = set()
    unknown: list[str] = []
    for d in spec.dependencies:
        if d.service in IAM_SERVICES:
            keys.add(d.service)
        elif d.service not in IMPLICIT_SERVICES and d.name not in unknown:
            unknown.append(d.name)
    services = [InfraService(key=k, sid="Dependency" + _pascal_words(k, "-")) for k in sorted(keys)]
    return services, unknown


def _clean_tag(text: str, limit: int) -> str:
    return _TAG_CHAR_RE.sub("_", re.sub(r"\s+", " ", text)).strip()[:limit]


def _tags(spec: ServiceSpec) -> list[InfraTag]:
    """LLD tags valid for AWS; reserved ``aws:`` keys, platform keys and duplicates are dropped."""
    out: list[InfraTag] = []
    seen: set[str] = set()
    for tg in spec.tags:
        key = _clean_tag(tg.key, TAG_KEY_MAX)
        low = key.lower()
        if key and not low.startswith("aws:") and low not in PLATFORM_TAGS and low not in seen:
            seen.add(low)
            out.append(InfraTag(key=key, value=_clean_tag(tg.value, TAG_VALUE_MAX)))
    return out


def _alarm(n: Nfr, index: int) -> InfraAlarm | None:
    """An NFR the alarms can watch. The parser has normalised the target (latency in ms, rates
    in %); a latency in any other unit is not guessed at, and impossible targets are skipped."""
    if n.kind not in ("latency", "error_rate", "availability") or n.threshold is None:
        return None
    value = float(n.threshold)
    if n.kind == "latency" and n.unit not in (None, "ms"):
        return None
    if value <= 0 or (n.kind != "latency" and value >= 100):
        return None
    statistic = n.percentile if n.percentile and _STATISTIC_RE.fullmatch(n.percentile) else "p95"
    # availability 99.9 % -> alarm when more than 0.1 % of requests fail (rounded: no 0.0999...4)
    threshold = round(100 - value, 6) if n.kind == "availability" else value
    return InfraAlarm(
        kind=n.kind, index=index, metric=n.metric, target=n.target, statistic=statistic, threshold=threshold
    )


def build_infra(spec: ServiceSpec, environments: dict[str, Any]) -> InfraPlan:
    """The infrastructure plan of ``spec`` deployed to ``environments`` (the ``environments`` answer).

    The environments matter only through the longest environment name, which bounds how much of
    a physical name is left for the service's own part."""
    env_len = _max_env_len(environments)
    slug = spec.service_slug or "service"
    prefix = slug if slug.startswith("bbws-") else f"bbws-{slug}"
    rt = spec.runtime
    python_version = rt.python_version if rt.python_version in PYTHON_VERSIONS else DEFAULT_PYTHON
    arch: Literal["arm64", "x86_64"] = rt.architecture or "arm64"

    tables: list[InfraTable] = []
    by_name: dict[str, tuple[InfraTable, dict[str, str]]] = {}
    for index, t in enumerate(spec.tables, start=1):
        ident = t.ident if all(x.ident != t.ident for x in tables) else f"{t.ident}_{index}"
        table, alias = _table_plan(t, ident, prefix)
        tables.append(table)
        by_name[t.name] = (table, alias)
        if t.table_name:
            by_name[t.table_name] = (table, alias)

    table_env = [InfraTableEnv(name=f"{t.ident.upper()}_TABLE_NAME", table=t.ident) for t in tables]
    if len(tables) == 1:
        # single-table services: the LLD's own *TABLE* variables name that table too
        for ev in spec.env_vars:
            if (
                "TABLE" in ev.name
                and re.fullmatch(r"[A-Z][A-Z0-9_]{0,60}", ev.name)
                and not ev.name.startswith("AWS_")
                and all(e.name != ev.name for e in table_env)
            ):
                table_env.append(InfraTableEnv(name=ev.name, table=tables[0].ident))

    functions: list[InfraFunction] = []
    role_checked = {ep.handler for ep in spec.endpoints if ep.access.kind == "permission"}
    signed = {ep.handler for ep in spec.endpoints if ep.access.signature}
    idempotent = {ep.handler for ep in spec.endpoints if ep.access.idempotent}
    store = _idempotency_table(tables, prefix) if idempotent & {f.ident for f in spec.functions} else None
    if store:
        tables.append(store)
    seen_names: list[str] = []
    for index, f in enumerate(spec.functions, start=1):
        name = _function_name(f.deployed_name, f"{prefix}-{f.slug}", seen_names, index, env_len)
        source = _SOURCE_PREFIX_RE.sub("", ENV_PLACEHOLDER_RE.sub(ENV_TOKEN, f.source_name or "")).strip()
        queue: str | None = None
        schedule: str | None = None
        bucket: str | None = None
        if f.trigger == "sqs":
            ok = bool(source and _NAME_WITH_ENV_RE.fullmatch(source)) and _fits(source, QUEUE_NAME_MAX, env_len)
            queue = _with_env(source) if ok else name
        elif f.trigger == "schedule":
            schedule = source if _SCHEDULE_RE.fullmatch(source) else "rate(1 day)"
        elif f.trigger == "s3":
            ok = bool(source and _BUCKET_WITH_ENV_RE.fullmatch(source)) and _fits(source, BUCKET_NAME_MAX, env_len)
            bucket = _with_env(source) if ok else name.lower().replace("_", "-")
        memory = f.memory_mb or rt.memory_mb or MEMORY_DEFAULT
        grants = _store_access(store) if store is not None and f.ident in idempotent else []
        timeout = f.timeout_s or rt.timeout_s or TIMEOUT_DEFAULT
        functions.append(
            InfraFunction(
                ident=f.ident,
                label=f.name,
                name=name,
                description=re.sub(r"\s+", " ", f.description or f.name).strip()[:DESCRIPTION_MAX],
                handler=f"src.handlers.{f.ident}.handler",
                memory=min(max(int(memory), MEMORY_MIN), MEMORY_MAX),
                timeout=min(max(int(timeout), TIMEOUT_MIN), TIMEOUT_MAX),
                architecture=arch,
                trigger=f.trigger,
                queue=queue,
                schedule=schedule,
                bucket=bucket,
                access=_access_plan(f.access, by_name) + grants,
                reads_tenants=f.ident in role_checked,
                verifies_signature=f.ident in signed,
                idempotent=bool(grants),
            )
        )

    services, unknown = _services(spec)
    alarms = [a for i, n in enumerate(spec.nfrs, start=1) if (a := _alarm(n, i)) is not None]
    return InfraPlan(
        webhook_secret=next((ep.access.signature_secret for ep in spec.endpoints if ep.access.signature_secret), None),
        name_prefix=prefix,
        python_version=python_version,
        runtime=f"python{python_version}",
        architecture=arch,
        functions=functions,
        routes=_routes(spec, {f.ident for f in spec.functions}),
        tables=tables,
        idempotency_table=store.ident if store else None,
        table_env=table_env,
        services=services,
        unknown_services=unknown,
        tags=_tags(spec),
        alarms=alarms,
        concurrency=build_concurrency(spec, environments),
    )


def infra_answer(spec: ServiceSpec, environments: dict[str, Any] | None = None) -> dict[str, Any]:
    """The value of the copier answer ``infra`` (JSON-compatible: it is stored in .copier-answers.yml).

    ``environments`` defaults to :func:`bbws_scaffold.config.environments.environments_answer`, the same
    value the renderer passes as the ``environments`` answer."""
    if environments is None:
        environments = environments_answer()
    return build_infra(spec, environments).model_dump(mode="json")
