"""Endpoints and Lambda functions: merge every declaration into one inventory.

The document's *main inventory* is every declaration of the best kind present (grammar
``endpoints.primary_order``: a table pairing endpoints with functions, else endpoint tables, else
the OpenAPI block, ...). Its entries are ``primary`` and their spelling wins. Declarations found
elsewhere (detail sections, CRUD summaries, OpenAPI, headings) are merged into the entry they
denote, i.e. the same method and the same path once a servers-supplied version prefix is
stripped and parameter names are treated as equal; otherwise they become ``primary=False``
endpoints. Disagreements are warnings that name both lines; nothing is silently dropped.

Functions come from function tables (with or without paths); a function is paired with an
endpoint by its table row, by ``name == snake_case(operationId)``, by a route decorator on a
``def`` of that name, or by a project-tree comment ``create_x.py  # POST /x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.inventory import endpoint_sources as es
from bbws_scaffold.lld.inventory.endpoint_sources import Aid, Decl, Sources
from bbws_scaffold.lld.inventory.function_sources import CountClaim, FunctionRow, count_claims, read_function_rows
from bbws_scaffold.model import Endpoint, Function, HttpMethod

Key = tuple[str, tuple[str, ...]]


@dataclass
class Entry:
    """An endpoint being assembled: the winning declaration plus what others added."""

    first: Decl
    primary: bool
    decls: list[Decl] = field(default_factory=list)
    function: str | None = None
    summary: str | None = None
    auth: str | None = None
    roles: str | None = None
    operation_id: str | None = None
    request_model: str | None = None
    response_model: str | None = None
    auth_from_openapi: bool = False

    def absorb(self, d: Decl) -> None:
        self.decls.append(d)
        self.function = self.function or d.function
        self.summary = self.summary or d.summary
        if d.auth and (self.auth is None or self.auth_from_openapi and not d.kind.startswith("openapi")):
            self.auth, self.auth_from_openapi = d.auth, d.kind.startswith("openapi")
            self.roles = d.roles or self.roles  # who, from the row that says how
        self.roles = self.roles or d.roles
        self.operation_id = self.operation_id or d.operation_id
        self.request_model = self.request_model or d.request_model
        self.response_model = self.response_model or d.response_model


# --------------------------------------------------------------------------- path keys


def _segments(ctx: Context, path: str, prefixes: set[str]) -> tuple[str, ...]:
    """Comparable segments: servers-supplied prefix stripped, every parameter spelled ``{}``."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix) :] or "/"
            break
    param = ctx.grammar["endpoints"].value("path_param")
    return tuple("{}" if param.match(s) else s for s in path.strip("/").split("/") if s)


def key_of(ctx: Context, method: str, path: str, prefixes: set[str]) -> Key:
    return (method, _segments(ctx, path, prefixes))


def _param_names(path: str) -> list[str]:
    return [naming.snake(p) if naming.words(p) else p for p in re.findall(r"\{([^{}/]+)\}", path)]


# --------------------------------------------------------------------------- merge


def _primary_kind(ctx: Context, decls: list[Decl]) -> str | None:
    kinds = {d.kind for d in decls}
    for kind in ctx.grammar["endpoints"].data.get("primary_order", []):
        if kind in kinds:
            return str(kind)
    return None


def _rank(ctx: Context, kind: str) -> int:
    order = list(ctx.grammar["endpoints"].data.get("primary_order", []))
    return order.index(kind) if kind in order else len(order)


def merge(ctx: Context, src: Sources) -> list[Entry]:
    """Fold declarations into entries: main inventory first, then the rest by rank and line."""
    decls = [d for d in src.decls if d.kind != "enrich"]
    if not decls:
        decls = es.decorator_decls(src)
    main = _primary_kind(ctx, decls)
    ordered = sorted(decls, key=lambda d: (d.kind != main, _rank(ctx, d.kind), d.line))
    entries: dict[Key, Entry] = {}
    roots = {_root(ctx, d.path, src.prefixes) for d in decls if d.kind == main}
    for d in ordered:
        key = key_of(ctx, d.method, d.path, src.prefixes)
        entry = entries.get(key)
        if entry is None:
            if (
                d.kind != main
                and roots
                and not d.path.startswith("...")
                and _root(ctx, d.path, src.prefixes) not in roots
            ):
                continue  # abbreviated or foreign path ("POST /tickets" where every path is /portal/...)
            if d.kind.startswith("openapi") and d.kind != main:
                d.path = _house_prefix(d.path, [x.path for x in decls if x.kind == main], src.prefixes)
            entry = entries[key] = Entry(first=d, primary=d.kind == main)
        else:
            _check_duplicate(ctx, entry, d, main)
        entry.absorb(d)
    for d in src.decls:
        if d.kind == "enrich":
            entry = entries.get(key_of(ctx, d.method, d.path, src.prefixes))
            if entry is not None:
                entry.absorb(d)
    out = list(entries.values())
    _check_conflicts(ctx, out, src.prefixes)
    return out


def _house_prefix(path: str, main_paths: list[str], prefixes: set[str]) -> str:
    """An OpenAPI-only path gets the servers' version prefix when the main inventory writes it."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        if path.startswith(prefix + "/"):
            return path
        with_prefix = sum(1 for p in main_paths if p.startswith(prefix + "/"))
        if main_paths and with_prefix * 2 > len(main_paths):
            return prefix + path
    return path


def _root(ctx: Context, path: str, prefixes: set[str]) -> str:
    segs = _segments(ctx, path, prefixes)
    return segs[0] if segs else ""


def _check_duplicate(ctx: Context, entry: Entry, d: Decl, main: str | None) -> None:
    """Same operation declared again: a duplicate row, or a different spelling of the same path."""
    first = entry.first
    twin = next((x for x in entry.decls if x.group == d.group), None)
    if twin is None and d.kind == main and first.kind == main and not d.kind.startswith("openapi"):
        twin = first
    if twin is not None:
        ctx.sink.warn(
            d.line,
            f"{d.method} {d.path} (line {d.line}) repeats {twin.method} {twin.path} (line {twin.line}) "
            "in the same inventory; keeping the first",
        )
        return
    if d.loose_params or first.loose_params or d.path == first.path:
        return
    if _param_names(d.path) != _param_names(first.path):
        ctx.sink.warn(
            d.line,
            f"{d.method} {d.path} (line {d.line}, {d.source}) and {first.method} {first.path} "
            f"(line {first.line}, {first.source}) spell the same path differently; keeping line {first.line}",
        )


def _check_conflicts(ctx: Context, entries: list[Entry], prefixes: set[str]) -> None:
    """Secondary endpoints that look like a primary one under another path (``/park`` vs ``/lifecycle/park``)."""
    primary = [e for e in entries if e.primary]
    for e in entries:
        if e.primary:
            continue
        segs = [s for s in _segments(ctx, e.first.path, prefixes)]
        for p in primary:
            if p.first.method != e.first.method:
                continue
            psegs = [s for s in _segments(ctx, p.first.path, prefixes)]
            same_function = e.function is not None and e.function == p.function
            if same_function or _one_insertion(segs, psegs):
                ctx.sink.warn(
                    e.first.line,
                    f"{e.first.method} {e.first.path} (line {e.first.line}, {e.first.source}) may be the same "
                    f"operation as {p.first.method} {p.first.path} (line {p.first.line}, {p.first.source}); "
                    "the main inventory's path is kept and both are listed",
                )
                break


def _one_insertion(a: list[str], b: list[str]) -> bool:
    """True when one segment list equals the other with one literal segment inserted."""
    if abs(len(a) - len(b)) != 1:
        return False
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    for i, seg in enumerate(longer):
        if seg != "{}" and longer[:i] + longer[i + 1 :] == shorter:
            return True
    return False


# --------------------------------------------------------------------------- functions


def _merge_rows(ctx: Context, rows: list[FunctionRow]) -> dict[str, FunctionRow]:
    """Rows of several tables describing the same function fold into one.

    Rows match by snake_case name; a row named by its deployed name (``bbws-org-list-{env}``)
    joins the code-named function it ends with (``org-list``) when exactly one does.
    """
    out: dict[str, FunctionRow] = {}
    deployed = [r for r in rows if r.deployed_name == r.name]
    for r in [r for r in rows if r.deployed_name != r.name] + deployed:
        ident = naming.snake(r.name)
        if ident not in out and r.deployed_name == r.name:
            ident = _code_name_of(ctx, r.name, out) or ident
        cur = out.get(ident)
        if cur is None:
            out[ident] = FunctionRow(**{**r.__dict__, "endpoints": list(r.endpoints)})
            continue
        _fold(cur, r)
    return out


def _code_name_of(ctx: Context, deployed: str, known: dict[str, FunctionRow]) -> str | None:
    """The known function a deployed name denotes: ``bbws-org-list-{env}`` -> ``org_list``."""
    stripped = re.sub(str(ctx.grammar["functions"].data.get("deployed_name", "")), "", deployed, flags=re.I)
    if not naming.words(stripped):
        return None
    ident = naming.snake(stripped)
    hits = [k for k in known if ident == k or ident.endswith("_" + k)]
    return max(hits, key=len) if len(hits) == 1 or (hits and ident in hits) else None


def _fold(cur: FunctionRow, r: FunctionRow) -> None:
    for fld in ("trigger_raw", "source_name", "description", "memory_mb", "timeout_s", "handler_path"):
        if getattr(cur, fld) is None:
            setattr(cur, fld, getattr(r, fld))
    if cur.trigger in (None, "http") and r.trigger not in (None, "http") and not cur.endpoints:
        cur.trigger = r.trigger
    cur.trigger = cur.trigger or r.trigger
    cur.deployed_name = cur.deployed_name or r.deployed_name
    cur.endpoints += [e for e in r.endpoints if e not in cur.endpoints]


def _pair(
    ctx: Context, entries: list[Entry], rows: dict[str, FunctionRow], aids: list[Aid], prefixes: set[str]
) -> None:
    """Give unpaired endpoints a function: operationId name, route decorator, project-tree comment."""
    by_key = {key_of(ctx, e.first.method, e.first.path, prefixes): e for e in entries}
    paired = {naming.snake(e.function) for e in entries if e.function and naming.words(e.function)}
    for e in entries:
        if e.function is None and e.operation_id and naming.words(e.operation_id):
            ident = naming.snake(e.operation_id)
            row = rows.get(ident)
            if row is not None and row.trigger in (None, "http") and ident not in paired:
                e.function = row.name
                paired.add(ident)
    for aid in aids:
        entry = by_key.get(key_of(ctx, aid.method, aid.path, prefixes))
        if entry is None or entry.function is not None or not naming.words(aid.name):
            continue
        ident = naming.snake(aid.name)
        if aid.kind == "decorator" and ident not in rows:
            continue  # a decorated "handler" def names nothing the document declares
        if ident in paired:
            continue
        entry.function = rows[ident].name if ident in rows else aid.name
        paired.add(ident)
        if ident not in rows:
            rows[ident] = FunctionRow(name=aid.name, line=aid.line, table_line=aid.line, trigger="http")


def _declare_paired(entries: list[Entry], rows: dict[str, FunctionRow]) -> None:
    """A function the document pairs with an endpoint (table cell, decorator) is a function too."""
    for e in entries:
        name = _named(e.function)
        if name and naming.snake(name) not in rows:
            rows[naming.snake(name)] = FunctionRow(
                name=name, line=e.first.line, table_line=e.first.group, trigger="http"
            )


def _functions(entries: list[Entry], rows: dict[str, FunctionRow]) -> list[Function]:
    first_endpoint: dict[str, Entry] = {}
    for e in entries:
        if e.function and naming.words(e.function):
            first_endpoint.setdefault(naming.snake(e.function), e)
    out: list[Function] = []
    for ident, r in rows.items():
        ep = first_endpoint.get(ident)
        trigger = r.trigger or "http"
        out.append(
            Function(
                name=r.name,
                line=r.line,
                trigger=trigger,
                trigger_raw=r.trigger_raw,
                source_name=r.source_name,
                description=r.description,
                method=_method(ep.first.method) if ep else (_method(r.endpoints[0][0]) if r.endpoints else None),
                path=ep.first.path if ep else (r.endpoints[0][1] if r.endpoints else None),
                memory_mb=r.memory_mb,
                timeout_s=r.timeout_s,
                deployed_name=r.deployed_name,
                handler_path=r.handler_path,
            )
        )
    return out


def _method(m: str) -> HttpMethod:
    return m  # type: ignore[return-value]


# --------------------------------------------------------------------------- checks


def _check_counts(
    ctx: Context, claims: list[CountClaim], rows: list[FunctionRow], entries: list[Entry], n_functions: int
) -> None:
    """A claimed count ("(4 Total)") that disagrees with the rows found under it is reported."""
    tables_by_section: dict[int, list[tuple[int, int]]] = {}
    for table in ctx.doc.tables():
        n = sum(1 for r in rows if r.table_line == table.line)
        if not n:
            n = len({d.line for e in entries for d in e.decls if d.group == table.line and d.kind.endswith("table")})
        if not n:
            continue
        for sec in table.section.ancestors():
            tables_by_section.setdefault(sec.line if sec.level else -1, []).append((table.line, n))
    for claim in claims:
        if claim.section_line is None:
            if n_functions and claim.count != n_functions:
                lines = sorted({r.table_line for r in rows})
                ctx.sink.warn(
                    claim.line,
                    f"{claim.what} (line {claim.line}) claims {claim.count} functions but the function tables "
                    f"(line {', '.join(map(str, lines))}) list {n_functions}",
                )
            continue
        found = tables_by_section.get(claim.section_line, [])
        total = sum(n for _, n in found)
        if found and total != claim.count:
            ctx.sink.warn(
                claim.line,
                f"{claim.what} (line {claim.line}) claims {claim.count} but its table(s) at line "
                f"{', '.join(str(t) for t, _ in found)} have {total} rows",
            )


# --------------------------------------------------------------------------- entry point


def extract(ctx: Context) -> tuple[list[Endpoint], list[Function]]:
    """Endpoints (main inventory first) and functions of the document."""
    src = es.collect(ctx)
    entries = merge(ctx, src)
    raw_rows = read_function_rows(ctx)
    rows = _merge_rows(ctx, raw_rows)
    _pair(ctx, entries, rows, src.aids, src.prefixes)
    _declare_paired(entries, rows)
    entries.sort(key=lambda e: (not e.primary, e.first.line))
    endpoints = [_endpoint(e) for e in entries]
    functions = _functions(entries, rows)
    _check_counts(ctx, count_claims(ctx), raw_rows, entries, len(functions))
    return endpoints, functions


def _named(name: str | None) -> str | None:
    """A name the model can turn into an identifier, else None (``___`` names nothing)."""
    return name if name and naming.words(name) else None


def _endpoint(e: Entry) -> Endpoint:
    return Endpoint(
        line=e.first.line,
        method=_method(e.first.method),
        path=e.first.path,
        function=_named(e.function),
        operation_id=_named(e.operation_id),
        summary=e.summary,
        auth=e.auth,
        auth_roles=e.roles,
        primary=e.primary,
        source=e.first.source,
        request_model=e.request_model,
        response_model=e.response_model,
    )
