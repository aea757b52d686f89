"""Every place an LLD declares (or helps pair) an HTTP endpoint, read into flat ``Decl`` records.

Readers, one per notation family of the dialect survey (§3.1):

* tables: function tables with ``METHOD /path`` in one cell, Method/Path tables in either column
  order, CRUD summaries, auth tables (enrich only);
* headings ``#### 6.2.1 POST `/v1.0/payments` - Initiate Payment`` and bold ``**Endpoint**:`` lines;
* OpenAPI operations (embedded blocks and external files);
* pairing aids: Powertools route decorators (read with ``ast``) and project-tree comments.

Nothing here decides which declaration wins; ``merge`` does. Mentions that are not
declarations (sequence diagrams, curl examples, rate-limit rows, prose) are never read: fences
are only read as OpenAPI, Python or project trees, and sections the grammar lists as
``ignore_sections`` are skipped.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers.document import Paragraph, Row, Section, Table
from bbws_scaffold.lld.readers.grammar import Concept
from bbws_scaffold.lld.readers.openapi import OpenApiOperation, OpenApiSource

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_SECTION_NUMBER_RE = re.compile(
    r"^\s*(\d+[A-Za-z]?(?:\.\d+)*|[A-Z]\.\d+(?:\.\d+)*|appendix\s+[A-Za-z0-9]+)[.:)]?\s+", re.I
)


@dataclass
class Decl:
    """One declaration of an endpoint, as written, with where it came from."""

    method: str
    path: str
    line: int
    kind: str  # a name from endpoints.yaml ``primary_order`` (or "enrich")
    source: str
    group: int  # id of the block (table, OpenAPI source, ...) it was read from
    function: str | None = None
    summary: str | None = None
    auth: str | None = None
    roles: str | None = None
    operation_id: str | None = None
    request_model: str | None = None
    response_model: str | None = None
    loose_params: bool = False  # parameter spelling is framework syntax (decorators): never a conflict


@dataclass
class Aid:
    """A pairing aid: a code name bound to a method and path (decorator or project-tree comment)."""

    method: str
    path: str
    name: str
    line: int
    kind: str


@dataclass
class Sources:
    decls: list[Decl] = field(default_factory=list)
    aids: list[Aid] = field(default_factory=list)
    prefixes: set[str] = field(default_factory=set)  # version prefixes that a servers URL supplies


# --------------------------------------------------------------------------- helpers


def _concept(ctx: Context) -> Concept:
    return ctx.grammar["endpoints"]


def section_matches(section: Section, patterns: list[str], raw: bool = False) -> bool:
    """True when the section or an ancestor has a title matching one of the patterns."""
    for sec in section.ancestors():
        if not sec.level:
            continue
        text = sec.title.lower() if raw else sec.key
        if any(re.search(p, text, re.IGNORECASE) for p in patterns):
            return True
    return False


def ignored(ctx: Context, section: Section) -> bool:
    return section_matches(section, _concept(ctx).data.get("ignore_sections", []))


def enrich_only(ctx: Context, section: Section) -> bool:
    return section_matches(section, _concept(ctx).data.get("enrich_only_sections", []))


def secondary(ctx: Context, section: Section) -> bool:
    return section_matches(section, _concept(ctx).data.get("secondary_sections", []), raw=True)


def section_label(section: Section, what: str) -> str:
    """``§1.3 Lambda Functions table`` from the section a block sits in."""
    title = section.title.strip()
    if not title:
        return what
    m = _SECTION_NUMBER_RE.match(title)
    number = ""
    if m:
        number = m.group(1)
        title = title[m.end() :]
        number = "App. " + number.split()[-1] if number.lower().startswith("appendix") else "§" + number
    title = re.sub(r"\s*\([^()]*\)\s*$", "", title).strip(" :-")
    return " ".join(p for p in (number, title, what) if p)


def clean_path(ctx: Context, raw: str) -> str | None:
    """A path as written minus markup, query string, ``<br/>`` tail and trailing punctuation."""
    concept = _concept(ctx)
    text = re.sub(r"<br\s*/?>.*$", "", raw, flags=re.IGNORECASE)
    text = text.replace("`", "").replace("**", "").strip()
    m = concept.value("path_token").search(text)
    if not m:
        return None
    path = m.group("path")
    trailing = str(concept.data.get("path_trailing", ".,;:)"))
    while len(path) > 1 and path[-1] in trailing:
        if path[-1] == ")" and path.count("(") >= path.count(")"):
            break
        path = path[:-1]
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    if not path.startswith(("/", "...")):
        return None
    return path


def path_ignored(ctx: Context, path: str) -> bool:
    return any(re.search(p, path, re.IGNORECASE) for p in _concept(ctx).data.get("ignore_paths", []))


def cell_endpoints(ctx: Context, text: str) -> list[tuple[str, str]]:
    """Every ``METHOD /path`` in a cell, methods upper-cased, paths cleaned."""
    out: list[tuple[str, str]] = []
    for m in ctx.grammar["common"].value("endpoint").finditer(text):
        path = clean_path(ctx, m.group("path"))
        method = m.group("method").upper()
        if path and method in METHODS and (method, path) not in out:
            out.append((method, path))
    return out


def _methods(cell: str) -> list[str]:
    """``GET`` / ``get`` / ``GET, POST`` / ``GET/POST`` -> methods; anything else -> []."""
    parts = [p for p in re.split(r"[\s,/|]+", cell.replace("`", "").strip()) if p]
    if parts and all(p.upper() in METHODS for p in parts):
        return [p.upper() for p in parts]
    return []


def _empty(cell: str) -> bool:
    return cell.strip().strip("`*").lower() in ("", "-", "—", "–", "n/a", "na", "none")


# --------------------------------------------------------------------------- tables


@dataclass
class TableRowEndpoints:
    """What one table row declares: endpoints plus the columns that ride along."""

    row_line: int
    endpoints: list[tuple[str, str]]
    function: str | None
    summary: str | None
    auth: str | None
    roles: str | None
    operation_id: str | None


def read_endpoint_rows(ctx: Context, table: Table) -> list[TableRowEndpoints] | None:
    """Rows of a table that declares endpoints, or None when the table is not such a table.

    A table qualifies when it has a method column and a path column (either order) or a column
    whose cells hold ``METHOD /path``, and at least half of its non-empty rows yield an endpoint.
    """
    cols = _concept(ctx).match_columns(table.header)
    if "path" not in cols:
        return None
    rows: list[TableRowEndpoints] = []
    hits = considered = 0
    for row in table.rows:
        path_cell = table.column(row, cols["path"])
        if all(_empty(c) for c in row.cells):
            continue
        considered += 1
        eps: list[tuple[str, str]] = []
        methods = _methods(table.column(row, cols["method"])) if "method" in cols else []
        if methods:
            path = clean_path(ctx, path_cell)
            if path:
                eps = [(m, path) for m in methods]
        elif "method" in cols and cell_endpoints(ctx, table.column(row, cols["method"])):
            ctx.sink.warn(
                row.line,
                f"method cell {table.column(row, cols['method'])!r} holds a path; row skipped",
            )
            continue
        else:
            eps = cell_endpoints(ctx, path_cell)
        eps = [e for e in eps if not path_ignored(ctx, e[1])]
        if eps:
            hits += 1
        rows.append(
            TableRowEndpoints(
                row.line,
                eps,
                _cell(table, row, cols.get("function")),
                _cell(table, row, cols.get("description")),
                _cell(table, row, cols.get("auth")),
                _cell(table, row, cols.get("roles")),
                _cell(table, row, cols.get("operation_id")),
            )
        )
    if not hits or hits * 2 < considered:
        return None
    return rows


def _cell(table: Table, row: Row, index: int | None) -> str | None:
    value = table.column(row, index).strip()
    return None if _empty(value) else value


def table_decls(ctx: Context, out: Sources) -> None:
    """Endpoint declarations from every qualifying table outside ignored sections."""
    fn_name = re.compile(ctx.grammar["functions"].data.get("function_name", r"^\S+$"))
    for table in ctx.doc.tables():
        if ignored(ctx, table.section):
            continue
        rows = read_endpoint_rows(ctx, table)
        if rows is None:
            continue
        has_function = any(r.function and r.endpoints for r in rows)
        if enrich_only(ctx, table.section):
            kind = "enrich"
        elif has_function:
            kind = "function_table"
        elif secondary(ctx, table.section):
            kind = "appendix_endpoint_table"
        else:
            kind = "endpoint_table"
        label = section_label(table.section, "table")
        for r in rows:
            function = r.function if r.function and fn_name.match(r.function) else None
            for method, path in r.endpoints:
                out.decls.append(
                    Decl(
                        method,
                        path,
                        r.row_line,
                        kind,
                        label,
                        table.line,
                        function=function,
                        summary=r.summary,
                        auth=r.auth,
                        roles=r.roles,
                        operation_id=r.operation_id,
                    )
                )


# --------------------------------------------------------------------------- headings / bold lines


def heading_decls(ctx: Context, out: Sources) -> None:
    """``#### 6.2.1 POST `/v1.0/payments` - Initiate Payment``: the heading carries the operation."""
    pattern = _concept(ctx).value("heading_endpoint")
    for heading in ctx.doc.headings():
        parent = heading.section.parent
        if parent is not None and ignored(ctx, parent):
            continue
        m = pattern.match(_SECTION_NUMBER_RE.sub("", heading.text, count=1).strip())
        if not m or m.group("method") not in METHODS:  # upper-case only: "Get Operation Flow" is prose
            continue
        path = clean_path(ctx, m.group("path"))
        if not path or path_ignored(ctx, path):
            continue
        summary = (m.group("summary") or "").strip(" -–—:") or None
        out.decls.append(
            Decl(
                m.group("method"),
                path,
                heading.line,
                "heading",
                _heading_label(heading.text),
                heading.line,
                summary=summary,
            )
        )


def _heading_label(text: str) -> str:
    """``§6.2.1 heading``: the number is enough, the title repeats the operation."""
    m = _SECTION_NUMBER_RE.match(text)
    return f"§{m.group(1)} heading" if m else "heading"


def bold_line_decls(ctx: Context, out: Sources) -> None:
    """``**Endpoint**: `GET /v1.0/campaigns``` lines under operation headings."""
    concept = _concept(ctx)
    keys = {k.lower() for k in concept.data.get("bold_keys", [])}
    pattern = concept.value("bold_line")
    for para in ctx.doc.paragraphs():
        if ignored(ctx, para.section):
            continue
        for line, raw in para.raw:
            m = pattern.match(raw)
            if not m or m.group("key").strip().rstrip(":").lower() not in keys:
                continue
            for method, path in _upper_endpoints(ctx, m.group("value")):
                out.decls.append(
                    Decl(
                        method,
                        path,
                        line,
                        "bold_line",
                        section_label(para.section, "**Endpoint** line"),
                        line,
                        summary=_heading_summary(para),
                    )
                )


def _upper_endpoints(ctx: Context, text: str) -> list[tuple[str, str]]:
    """Endpoints whose method is written in capitals (prose "get /x" is not a declaration)."""
    out = []
    for m in ctx.grammar["common"].value("endpoint").finditer(text):
        path = clean_path(ctx, m.group("path"))
        if path and m.group("method") in METHODS and not path_ignored(ctx, path):
            out.append((m.group("method"), path))
    return out


def _heading_summary(para: Paragraph) -> str | None:
    title = _SECTION_NUMBER_RE.sub("", para.section.title).strip()
    return title or None


# --------------------------------------------------------------------------- OpenAPI


def server_prefixes(sources: list[OpenApiSource]) -> set[str]:
    """Version prefixes a ``servers`` URL supplies: ``https://x/v1.0`` -> ``/v1.0``."""
    out: set[str] = set()
    for src in sources:
        for url in src.servers:
            try:
                path = urlparse(url).path if "://" in url else url
            except ValueError:
                continue
            path = "/" + path.strip("/") if path.strip("/") else ""
            if path:
                out.add(path)
    return out


def _auth_of(src: OpenApiSource, op: OpenApiOperation) -> str | None:
    """Security scheme names of an operation (its own, else the document's); ``none`` for ``[]``."""
    item = (src.data.get("paths") or {}).get(op.path) or {}
    raw = item.get(op.method.lower(), {}) if isinstance(item, dict) else {}
    security = raw.get("security") if isinstance(raw, dict) and "security" in raw else src.data.get("security")
    if security is None:
        return None
    if not isinstance(security, list):
        return None
    names: list[str] = []
    for req in security:
        if isinstance(req, dict):
            names.extend(str(k) for k in req if str(k) not in names)
    return ", ".join(names) if names else "none"


def openapi_decls(ctx: Context, out: Sources) -> None:
    """OpenAPI operations: full embedded specs, bare ``paths:`` fragments and external files."""
    out.prefixes |= server_prefixes(ctx.openapi)
    for src in ctx.openapi:
        if src.external:
            kind, label = "openapi_external", f"openapi:{src.origin}"
        elif "openapi" in src.data or "swagger" in src.data:
            kind, label = "openapi", "openapi"
        else:
            kind, label = "openapi_fragment", "openapi fragment"
        for op in src.operations:
            path = clean_path(ctx, op.path) or op.path
            if op.method not in METHODS or path_ignored(ctx, path):
                continue
            out.decls.append(
                Decl(
                    op.method,
                    path,
                    op.line,
                    kind,
                    label,
                    src.line,
                    summary=op.summary,
                    auth=_auth_of(src, op),
                    operation_id=op.operation_id,
                    request_model=op.request_schema,
                    response_model=op.response_schema,
                )
            )


# --------------------------------------------------------------------------- code: decorators, trees


def parse_python(code: str, attempts: int = 40) -> ast.Module | None:
    """``ast.parse`` that patches obviously broken lines and retries (LLD snippets use ``...``, elisions).

    A failing line becomes ``pass`` at its indentation (so a block keeps a body), then empty if it
    fails again; an unexpected end of input after ``def x():`` gets a ``pass`` body.
    """
    lines = code.splitlines()
    for _ in range(attempts):
        try:
            return ast.parse("\n".join(lines))
        except SyntaxError as exc:
            n = (exc.lineno or 0) - 1
            if n >= len(lines) or (n == len(lines) - 1 and lines[n].rstrip().endswith(":")):
                last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
                if last < 0:
                    return None
                if lines[last].rstrip().endswith(":"):
                    lines.append(_indent(lines[last]) + "    pass")
                    continue
                n = last
            if n < 0:
                return None
            stub = _indent(lines[n]) + "pass"
            lines[n] = stub if lines[n] != stub and lines[n].strip() else ""
        except (ValueError, RecursionError, MemoryError):
            return None
    return None


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _route(dec: ast.expr) -> list[tuple[str, str]]:
    """``@app.post("/x")`` / ``@router.route("/x", methods=["GET"])`` -> [(method, path)]."""
    if not isinstance(dec, ast.Call) or not isinstance(dec.func, ast.Attribute) or not dec.args:
        return []
    first = dec.args[0]
    if not isinstance(first, ast.Constant) or not isinstance(first.value, str) or not first.value.startswith("/"):
        return []
    attr = dec.func.attr.lower()
    if attr.upper() in METHODS:
        return [(attr.upper(), first.value)]
    if attr in ("route", "api_route"):
        methods = ["GET"]
        for kw in dec.keywords:
            if kw.arg in ("methods", "method") and isinstance(kw.value, (ast.List, ast.Tuple)):
                methods = [
                    e.value.upper()
                    for e in kw.value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value.upper() in METHODS
                ]
            elif kw.arg in ("methods", "method") and isinstance(kw.value, ast.Constant):
                methods = [str(kw.value.value).upper()]
        return [(m, first.value) for m in methods if m in METHODS]
    return []


def decorator_aids(ctx: Context, out: Sources) -> None:
    """Route decorators in code blocks: the decorated ``def`` name is a candidate function name."""
    pre = _concept(ctx).value("route_decorator")
    for fence in ctx.doc.fences():
        if not pre.search(fence.content):
            continue
        tree = parse_python(fence.content)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for dec in node.decorator_list:
                for method, path in _route(dec):
                    line = fence.line + dec.lineno
                    if not path_ignored(ctx, path):
                        out.aids.append(Aid(method, path, node.name, line, "decorator"))


def tree_aids(ctx: Context, out: Sources) -> None:
    """Project-tree comments ``├── create_campaign.py   # POST /v1.0/admin/campaigns``."""
    pattern = _concept(ctx).value("tree_comment")
    for fence in ctx.doc.fences():
        if ".py" not in fence.content or "#" not in fence.content:
            continue
        for line, text in fence.lines():
            m = pattern.search(text)
            if not m or m.group("method") not in METHODS:
                continue
            path = clean_path(ctx, m.group("path"))
            if path and not path_ignored(ctx, path):
                out.aids.append(Aid(m.group("method"), path, m.group("module"), line, "tree"))


def decorator_decls(out: Sources) -> list[Decl]:
    """Decorator routes as declarations, used only when nothing else declares an endpoint."""
    return [
        Decl(a.method, a.path, a.line, "decorator", "route decorator", a.line, function=a.name, loose_params=True)
        for a in out.aids
        if a.kind == "decorator"
    ]


def collect(ctx: Context) -> Sources:
    """Every declaration and pairing aid in the document (and its OpenAPI sources)."""
    out = Sources()
    table_decls(ctx, out)
    heading_decls(ctx, out)
    bold_line_decls(ctx, out)
    openapi_decls(ctx, out)
    decorator_aids(ctx, out)
    tree_aids(ctx, out)
    return out
