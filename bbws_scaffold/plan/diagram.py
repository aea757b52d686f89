"""A Mermaid flowchart of a service, drawn from its ``ServiceSpec``.

    API routes --> Lambda functions --> DynamoDB tables
    SQS queues, schedules, EventBridge rules, S3 buckets --> the functions they trigger
    Lambda functions -.-> the SNS topics the service uses (its dependencies)

Public routes (the LLD says they need no authentication: ``Endpoint.access``)
and authenticated ones carry a class each (``public``/``authenticated``) and say so in their label.

Node ids are generated (``r1``, ``f1``, ``t1`` ...); LLD text appears only inside quoted labels,
with every character that means something to Mermaid, HTML or markdown written as a Mermaid
entity code (``#35;``): a label cannot end itself, start a statement or a comment, inject HTML or
close the markdown code fence around the diagram (it holds no backtick and no newline). The
diagram holds no ``{`` at all, so it reads as nothing but text to Jinja too.

The generated README prints :func:`diagram_answer` (a copier answer); ``bbws-scaffold lld parse
--diagram`` prints :func:`mermaid_block`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bbws_scaffold.model import ServiceSpec

MAX_LABEL = 160
MAX_AUTH = 40
_ESCAPED = frozenset('"#&<>`[](){}|;%\\')
_ID_PREFIX = {"route": "r", "function": "f", "table": "t", "queue": "q", "schedule": "s", "rule": "e", "bucket": "b"}
_ID_PREFIX["topic"] = "n"
_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "ConditionCheckItem"})
_TRIGGER_KINDS = {"sqs": ("queue", "SQS"), "schedule": ("schedule", "schedule"), "eventbridge": ("rule", "EventBridge")}
_TRIGGER_KINDS["s3"] = ("bucket", "S3")

CLASS_STYLES = {
    "public": "fill:#e8f5e9,stroke:#2e7d32",
    "authenticated": "fill:#fff3e0,stroke:#ef6c00",
}


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` on one line (runs of whitespace, newlines included, become one space), cut to
    ``limit`` characters with an ellipsis."""
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def label(text: str) -> str:
    """``text`` as the inside of a quoted Mermaid label: one line, at most :data:`MAX_LABEL`
    characters, every special character as an entity code."""
    return "".join(f"#{ord(c)};" if c in _ESCAPED or ord(c) < 32 else c for c in shorten(text))


@dataclass
class _Graph:
    lines: list[str] = field(default_factory=list)
    ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def node(self, kind: str, key: str, text: str, shape: str = '["{}"]', indent: str = "    ") -> tuple[str, bool]:
        """The id of the node ``(kind, key)``, and whether it was added just now."""
        found = self.ids.get((kind, key))
        if found:
            return found, False
        ident = f"{_ID_PREFIX[kind]}{sum(k == kind for k, _ in self.ids) + 1}"
        self.ids[(kind, key)] = ident
        self.lines.append(indent + ident + shape.format(label(text)))
        return ident, True


def _access_label(actions: list[str]) -> str:
    names = {a.split(":", 1)[-1] for a in actions}
    reads, writes = bool(names & _READS), bool(names - _READS)
    return "read/write" if reads and writes else "write" if writes else "read"


def mermaid(spec: ServiceSpec) -> str:
    """The flowchart, without the markdown fence."""
    g = _Graph(["flowchart LR"])
    routes: list[tuple[str, str]] = []  # (route id, function ident)
    classes: list[str] = []
    if spec.endpoints:
        g.lines.append('  subgraph api["API routes"]')
        for ep in spec.endpoints:
            public = ep.access.kind == "public"
            auth = "public" if public else f"auth: {shorten(ep.auth, MAX_AUTH)}" if ep.auth else "authenticated"
            route = shorten(f"{ep.method} {ep.path}", MAX_LABEL - MAX_AUTH - 10)
            rid, new = g.node("route", f"{ep.method} {ep.path}", f"{route} ({auth})")
            if new:
                classes.append(f"  class {rid} {'public' if public else 'authenticated'}")
                routes.append((rid, ep.handler))
        g.lines.append("  end")
    functions = {fn.ident: fn for fn in spec.functions}
    if functions:
        g.lines.append('  subgraph lambdas["Lambda functions"]')
        for fn in spec.functions:
            g.node("function", fn.ident, fn.ident)
        g.lines.append("  end")
    if spec.tables:
        g.lines.append('  subgraph data["DynamoDB tables"]')
        for t in spec.tables:
            g.node("table", t.name, t.name, '[("{}")]')
        g.lines.append("  end")
    edges: list[str] = []
    for rid, handler in routes:
        if handler in functions:
            edges.append(f"  {rid} --> {g.ids[('function', handler)]}")
    tables = {t.name: g.ids[("table", t.name)] for t in spec.tables}
    tables.update({t.table_name: g.ids[("table", t.name)] for t in spec.tables if t.table_name})
    for fn in spec.functions:
        fid = g.ids[("function", fn.ident)]
        for access in fn.access:
            if access.table in tables:
                edges.append(f'  {fid} -- "{_access_label(access.actions)}" --> {tables[access.table]}')
        if fn.trigger in _TRIGGER_KINDS:
            kind, service = _TRIGGER_KINDS[fn.trigger]
            source = fn.source_name or fn.trigger_raw or fn.ident
            sid, _ = g.node(kind, source, f"{service}: {source}", '>"{}"]', indent="  ")
            edges.append(f"  {sid} --> {fid}")
    for dep in spec.dependencies:
        if dep.service == "sns":
            tid, new = g.node("topic", dep.name, f"SNS: {dep.name}", '[/"{}"/]', indent="  ")
            if new and functions:
                edges.append(f"  lambdas -.-> {tid}")
    lines = g.lines + edges + classes
    lines += [f"  classDef {name} {style}" for name, style in CLASS_STYLES.items()]
    return "\n".join(lines)


def mermaid_block(spec: ServiceSpec) -> str:
    """The flowchart in a markdown code fence GitHub renders."""
    return f"```mermaid\n{mermaid(spec)}\n```"


def diagram_answer(spec: ServiceSpec) -> str:
    """The ``diagram`` copier answer the generated README prints."""
    return mermaid(spec)
