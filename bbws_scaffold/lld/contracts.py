"""Endpoint contracts: what each endpoint's own text in the LLD promises (``Endpoint.contract``).

An endpoint's *own text* is
* the section that declares it and no other endpoint: a heading ``#### POST /x - Create X``, a
  ``**Endpoint**: POST /x`` line or an HTTP example whose first line is ``POST /x HTTP/1.1``
  (the deepest such section; subsections another endpoint owns are left out);
* the section of its function's handler code (``### 5.3 Function: create_ticket``) when that
  function serves no other endpoint;
* the description cell of its inventory row (``ep.summary``);
* rows of a method table named after it (``| delete_site | ... | Soft delete site |``);
* its OpenAPI operation (request body media types, responses, parameters).

From that text (vocabulary in ``lld_grammar/contracts.yaml``): the request and response models
(named in the text, the OpenAPI body, or by naming ``<Verb><Entity>Request``), the success and
error statuses, content type, envelope, page size, ordering, idempotency (and the idempotency-key
header named), whether it is a provider webhook, and anything that makes
the endpoint no plain CRUD operation (``custom_reason``: soft delete, status change, provider
webhook, cross-service call). Words elsewhere in the document never decide an endpoint's contract.
Which entity an endpoint addresses, and so its server-owned fields and its binding, is derived
later, by :mod:`bbws_scaffold.binding`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.inventory.endpoint_sources import METHODS, clean_path, server_prefixes
from bbws_scaffold.lld.readers.document import Fence, Heading, Paragraph, Section, Table
from bbws_scaffold.lld.readers.grammar import Concept
from bbws_scaffold.lld.readers.openapi import OpenApiSource
from bbws_scaffold.model import ContentType, Contract, DataModel, Endpoint, StatusCode
from bbws_scaffold.nodes import SortOrder

_VERSION_RE = re.compile(r"^v\d+(\.\d+)*$", re.IGNORECASE)
_PARAM_SEG_RE = re.compile(r"^(?:\{[^{}/]*\}|<[^<>/]*>|:[A-Za-z_]\w*)$")
_HTTP_FIRST_LINE_RE = re.compile(r"^\s*(?P<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(?P<path>/\S*)")
_STATUS_CELL_RE = re.compile(r"^\s*`?(?P<status>[1-5]\d\d)\b")
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_BODYLESS = ("GET", "HEAD", "DELETE", "OPTIONS")
# heading numbering (the grammar's normalised titles also drop "_", which function names need)
_TITLE_NUMBER_RE = re.compile(r"^\s*(?:\d+[a-z]?(?:\.\d+)*\.?|[a-z]\.\d+(?:\.\d+)*\.?)\s+", re.IGNORECASE)

Key = tuple[str, tuple[str, ...]]


@dataclass
class _Text:
    """An endpoint's own text: (line, text) pieces plus the tables and fences among them."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)


# --------------------------------------------------------------------------- entry point


def extract(ctx: Context, endpoints: list[Endpoint], models: list[DataModel]) -> None:
    """Fill ``contract``, ``request_model`` and ``response_model`` of every endpoint (in place)."""
    concept = ctx.grammar["contracts"]
    prefixes = server_prefixes(ctx.openapi)
    decls = _section_decls(ctx, prefixes, {_key(ep.method, ep.path, prefixes) for ep in endpoints})
    owned = _owned_sections(ctx, decls)
    by_function = _function_sections(ctx, endpoints, concept)
    names = {m.class_name: m.name for m in models if m.kind == "model"}
    for ep in endpoints:
        key = _key(ep.method, ep.path, prefixes)
        sections = [s for s in (owned.get(key), by_function.get(ep.handler)) if s is not None]
        text = _own_text(ctx, ep, sections, _method_names(ep, concept), decls)
        ops = [(src, op) for src in ctx.openapi for op in src.operations if _key(op.method, op.path, prefixes) == key]
        # a name the OpenAPI gives is kept as written even when no schema of that name is read
        ep.request_model = (
            _known(ep.request_model, names) or ep.request_model or _request_model(ep, text, concept, names)
        )
        ep.response_model = (
            _known(ep.response_model, names) or ep.response_model or _response_model(ep, text, concept, names)
        )
        ep.contract = _contract(ep, text, ops, concept, owned.get(key))


def _known(name: str | None, names: dict[str, str]) -> str | None:
    return names.get(naming.pascal(name)) if name and naming.words(name) else None


# --------------------------------------------------------------------------- finding the own text


def _key(method: str, path: str, prefixes: set[str]) -> Key:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + "/"):
            path = path[len(prefix) :] or "/"
            break
    segs = [s for s in path.split("?")[0].strip("/").split("/") if s and not _VERSION_RE.match(s)]
    return method.upper(), tuple("{}" if _PARAM_SEG_RE.match(s) else s.lower() for s in segs)


Decls = dict[int, set[Key]]


def _section_decls(ctx: Context, prefixes: set[str], known: set[Key]) -> Decls:
    """Per section (by id), the endpoints it declares itself: its heading, its ``**Endpoint**:`` lines,
    its HTTP examples. An example's concrete ids (``/orders/ORD-1``) stand for the parameters of
    the endpoint of that shape."""
    endpoint = ctx.grammar["common"].value("endpoint")
    bold = ctx.grammar["endpoints"].value("bold_line")
    bold_keys = {k.lower() for k in ctx.grammar["endpoints"].data.get("bold_keys", [])}
    out: Decls = {}

    def add(section: Section, method: str, raw: str) -> None:
        path = clean_path(ctx, raw)
        if not path or method not in METHODS:
            return
        key = _key(method, path, prefixes)
        if key not in known:
            key = next((k for k in sorted(known) if _matches(key, k)), key)
        out.setdefault(id(section), set()).add(key)

    for blk in ctx.doc.blocks:
        if isinstance(blk, Heading):
            for hm in endpoint.finditer(blk.text):
                add(blk.section, hm.group("method"), hm.group("path"))
        elif isinstance(blk, Paragraph):
            for _, raw in blk.raw:
                bm = bold.match(raw)
                if bm and bm.group("key").strip().rstrip(":").lower() in bold_keys:
                    for e in endpoint.finditer(bm.group("value")):
                        add(blk.section, e.group("method"), e.group("path"))
        elif isinstance(blk, Fence) and blk.lang != "mermaid":
            first = next((ln for ln in blk.content.splitlines() if ln.strip()), "")
            fm = _HTTP_FIRST_LINE_RE.match(first)
            if fm:
                add(blk.section, fm.group("method"), fm.group("path"))
    return out


def _matches(decl: Key, key: Key) -> bool:
    """Same method and shape; a concrete segment of an example stands for a parameter."""
    if decl[0] != key[0] or len(decl[1]) != len(key[1]):
        return False
    return all(a == b or b == "{}" for a, b in zip(decl[1], key[1]))


def _owned_sections(ctx: Context, decls: Decls) -> dict[Key, Section]:
    """The deepest section that declares exactly one endpoint, per endpoint key."""
    out: dict[Key, Section] = {}
    for sec in ctx.doc.sections:
        keys = decls.get(id(sec), set())
        if not sec.level or len(keys) != 1:
            continue
        (key,) = keys
        prev = out.get(key)
        if prev is None or sec.level > prev.level:
            out[key] = sec
    return out


def _descends(sec: Section, root: Section) -> bool:
    return any(s is root for s in sec.ancestors())


def _own_text(ctx: Context, ep: Endpoint, sections: list[Section], method_names: set[str], decls: Decls) -> _Text:
    out = _Text()
    if ep.summary and ep.line:
        out.lines.append((ep.line, ep.summary))
    seen: set[int] = set()
    for section in sections:
        others = {
            id(s)
            for s in ctx.doc.sections
            if s is not section and _descends(s, section) and decls.get(id(s), set()) - decls.get(id(section), set())
        }
        for blk in ctx.doc.blocks:
            if id(blk) in seen or not _descends(blk.section, section):
                continue
            if any(id(a) in others for a in blk.section.ancestors()):
                continue
            seen.add(id(blk))
            _add_block(out, blk)
    for table in ctx.doc.tables():
        for row in table.rows:
            first = row.cells[0].strip("` ()") if row.cells else ""
            if first and naming.words(first) and naming.snake(first) in method_names:
                out.lines.append((row.line, " | ".join(row.cells)))
    return out


def _function_sections(ctx: Context, endpoints: list[Endpoint], concept: Concept) -> dict[str, Section]:
    """``### 5.3 Function: create_ticket``: the section of a function that serves exactly one endpoint.

    Titles are read as written (numbering and markup dropped), not through the grammar's
    normalised key, which drops the underscores of ``create_ticket``."""
    patterns = [re.compile(str(p), re.IGNORECASE) for p in concept.data.get("function_sections", [])]
    served: dict[str, int] = {}
    for ep in endpoints:
        served[ep.handler] = served.get(ep.handler, 0) + 1
    out: dict[str, Section] = {}
    for sec in ctx.doc.sections:
        title = _TITLE_NUMBER_RE.sub("", sec.title.replace("`", "").replace("*", "")).strip().lower()
        for pat in patterns:
            m = pat.match(title)
            name = m.group("name") if m else ""
            if name and naming.words(name) and served.get(naming.snake(name)) == 1:
                out.setdefault(naming.snake(name), sec)
                break
    return out


def _add_block(out: _Text, blk: object) -> None:
    if isinstance(blk, Heading):
        out.lines.append((blk.line, blk.text))
    elif isinstance(blk, Paragraph):
        out.lines.extend(blk.raw)
    elif isinstance(blk, Table):
        out.tables.append(blk)
        if blk.label:
            out.lines.append((blk.line, blk.label))
        out.lines.extend((row.line, " | ".join(row.cells)) for row in blk.rows)
    elif isinstance(blk, Fence):
        out.fences.append(blk)
        out.lines.extend(blk.lines())


def _method_names(ep: Endpoint, concept: Concept) -> set[str]:
    """Names a method table may give this endpoint's operation: its function, handler, operationId,
    ``<verb>_<entity>`` (``delete_site`` for ``DELETE .../sites/{siteId}``)."""
    names = {ep.handler}
    if ep.function and naming.words(ep.function):
        names.add(naming.snake(ep.function))
    if ep.operation_id and naming.words(ep.operation_id):
        names.add(naming.snake(ep.operation_id))
    entity = _path_entity(ep.path)
    if entity:
        verbs = {"GET": ["get"], "DELETE": ["delete", "remove"]}.get(ep.method, [])
        verbs += [str(v).lower() for v in concept.data.get("request_verbs", {}).get(ep.method, [])]
        if ep.method == "GET" and not _ends_with_param(ep.path):
            names.add(f"list_{naming.snake(_last_literal(ep.path) or entity)}")
        elif ep.method != "POST" or not _ends_with_param(ep.path):
            names.update(f"{v}_{naming.snake(entity)}" for v in verbs)
    return {n for n in names if n}


def _segments(path: str) -> list[str]:
    return [s for s in path.split("?")[0].strip("/").split("/") if s and not _VERSION_RE.match(s)]


def _ends_with_param(path: str) -> bool:
    segs = _segments(path)
    return bool(segs) and bool(_PARAM_SEG_RE.match(segs[-1]))


def _last_literal(path: str) -> str | None:
    lits = [s for s in _segments(path) if not _PARAM_SEG_RE.match(s)]
    return lits[-1] if lits else None


def _singular(word: str) -> str:
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if w.endswith(suffix):
            return w[: -len(suffix)] + repl
    return w[:-1] if w.endswith("s") and not w.endswith("ss") else w


def _path_entity(path: str) -> str | None:
    """The entity a path addresses by its last collection segment (``/carts/{id}/items`` -> ``item``)."""
    segs = _segments(path)
    for i in range(len(segs) - 1, -1, -1):
        if not _PARAM_SEG_RE.match(segs[i]) and (i == len(segs) - 1 or _PARAM_SEG_RE.match(segs[i + 1])):
            return _singular(segs[i]) if naming.words(segs[i]) else None
    return None


# --------------------------------------------------------------------------- models


def _name_in(text: _Text, pattern: re.Pattern[str], names: dict[str, str]) -> str | None:
    for _, line in text.lines:
        for m in pattern.finditer(line.replace("**", "")):
            hit = names.get(m.group("name"))
            if hit:
                return hit
    return None


def _candidates(ep: Endpoint, concept: Concept, suffixes: list[str], verbs: list[str]) -> list[str]:
    """Class names the naming convention gives: ``<Function><Suffix>`` and ``<Verb><Entity><Suffix>``."""
    stems: list[str] = []
    for n in (ep.function, ep.operation_id, ep.handler):
        if n and naming.words(n):
            stems.append(naming.pascal(n))
    segs = [s for s in _segments(ep.path) if not _PARAM_SEG_RE.match(s) and naming.words(s)]
    entity = _path_entity(ep.path)
    entities = [naming.pascal(entity)] if entity else []
    if len(segs) >= 2:
        entities.append(naming.pascal(_singular(segs[-2])) + naming.pascal(_singular(segs[-1])))
    stems += [v + e for v in verbs for e in entities]
    if not _ends_with_param(ep.path) and segs and ep.method == "POST" and naming.words(segs[-1]):
        stems.append(naming.pascal(segs[-1]))  # POST /auth/login -> LoginRequest
    return [s + suf for s in stems for suf in suffixes]


def _request_model(ep: Endpoint, text: _Text, concept: Concept, names: dict[str, str]) -> str | None:
    if ep.method in _BODYLESS:
        return None
    code = re.compile(str(concept.data["request_code"]))
    cue = re.compile(str(concept.data["request_cues"]), re.IGNORECASE)
    hit = _name_in(_Text(lines=[ln for f in text.fences for ln in f.lines()]), code, names) or _name_in(
        text, cue, names
    )
    if hit:
        return hit
    verbs = [str(v) for v in concept.data.get("request_verbs", {}).get(ep.method, [])]
    suffixes = [str(s) for s in concept.data.get("request_suffixes", ["Request"])]
    return next((names[c] for c in _candidates(ep, concept, suffixes, verbs) if c in names), None)


def _response_model(ep: Endpoint, text: _Text, concept: Concept, names: dict[str, str]) -> str | None:
    cue = re.compile(str(concept.data["response_cues"]), re.IGNORECASE)
    hit = _name_in(text, cue, names)
    if hit and not hit.endswith(tuple(str(s) for s in concept.data.get("request_suffixes", []))):
        return hit
    verbs = {"GET": ["Get", "List"], "DELETE": ["Delete"]}.get(ep.method, [])
    verbs += [str(v) for v in concept.data.get("request_verbs", {}).get(ep.method, [])]
    suffixes = [str(s) for s in concept.data.get("response_suffixes", ["Response"])]
    candidates = _candidates(ep, concept, suffixes, verbs)
    entity = _path_entity(ep.path)
    if entity:  # <Entity>Response for one item, <Entity>ListResponse / <Entity>PageResponse for a list
        one = naming.pascal(entity)
        many = [one + "List", one + "Page"] if ep.method == "GET" and not _ends_with_param(ep.path) else []
        candidates += [stem + suf for stem in many + [one] for suf in suffixes]
    return next((names[c] for c in candidates if c in names), None)


# --------------------------------------------------------------------------- the contract


def _contract(
    ep: Endpoint,
    text: _Text,
    ops: list[tuple[OpenApiSource, Any]],
    concept: Concept,
    section: Section | None,
) -> Contract:
    data = concept.data
    c = Contract(line=section.line if section is not None else None)
    raw_ops = [_raw_op(src, op) for src, op in ops]
    c.success_status = _openapi_success(raw_ops) or _first_status(text, re.compile(str(data["success_status"])))
    c.errors = _errors(text, raw_ops, concept)
    c.content_type = _content_type(ep, text, raw_ops, data)
    c.envelope = _openapi_envelope(raw_ops, data) or _envelope(text, data)
    c.page_size, c.max_page_size = _paging(text, raw_ops, data)
    c.order, c.order_by = _order(text, data)
    idem, not_idem = re.compile(str(data["idempotent"]), re.I), re.compile(str(data["not_idempotent"]), re.I)
    c.idempotent = any(idem.search(t) for _, t in text.lines) and not any(not_idem.search(t) for _, t in text.lines)
    header = re.compile(str(data["idempotency_header"]), re.I)
    c.idempotency_header = next((m.group(1) for _, t in text.lines for m in [header.search(t)] if m), None)
    claim = re.compile(str(data["claim_assignment"]))
    for fence in text.fences:
        for m in claim.finditer(fence.content):
            c.claims.setdefault(naming.snake(m.group("var")), m.group("claim"))
    for rule in data.get("custom", []) or []:
        pat = re.compile(str(rule["pattern"]), re.IGNORECASE)
        line = next((ln for ln, t in text.lines if pat.search(t)), None)
        if line is not None:
            c.custom_reason, c.custom_line = str(rule["reason"]), line
            break
    hooks = {str(w).lower() for w in data.get("webhook_segments", [])}
    hook_path = any(s.lower() in hooks for s in _segments(ep.path))
    if c.custom_reason is None and hook_path:
        c.custom_reason, c.custom_line = "provider webhook", ep.line
    hook_text = re.compile(str(data["webhook"]), re.IGNORECASE)
    c.webhook = hook_path or any(hook_text.search(t) for _, t in text.lines)
    return c


def _raw_op(src: OpenApiSource, op: Any) -> dict[str, Any]:
    item = (src.data.get("paths") or {}).get(op.path) or {}
    raw = item.get(op.method.lower()) if isinstance(item, dict) else None
    out = dict(raw) if isinstance(raw, dict) else {}
    params = list(item.get("parameters") or []) if isinstance(item, dict) else []
    out["__parameters"] = params + list(out.get("parameters") or [])
    out["__source"] = src
    out["__line"] = op.line
    return out


def _openapi_success(ops: list[dict[str, Any]]) -> int | None:
    for op in ops:
        codes = sorted(int(str(k)) for k in (op.get("responses") or {}) if re.fullmatch(r"2\d\d", str(k)))
        if codes:
            return codes[0]
    return None


def _first_status(text: _Text, pattern: re.Pattern[str]) -> int | None:
    for _, line in text.lines:
        m = pattern.search(line)
        if m:
            return int(m.group("status"))
    return None


def _errors(text: _Text, ops: list[dict[str, Any]], concept: Concept) -> list[StatusCode]:
    data = concept.data
    code_re = re.compile(str(data["error_code"]))
    found: dict[tuple[int, str | None], StatusCode] = {}

    def add(status: int, code: str | None, desc: str | None, line: int | None) -> None:
        if 400 <= status <= 599 and (status, code) not in found:
            found[(status, code)] = StatusCode(status=status, code=code, description=desc or None, line=line)

    for op in ops:
        for k, resp in (op.get("responses") or {}).items():
            if re.fullmatch(r"[45]\d\d", str(k)):
                desc = resp.get("description") if isinstance(resp, dict) else None
                add(int(str(k)), None, desc if isinstance(desc, str) else None, op["__line"])
    cols = Concept("error", columns={k: tuple(v) for k, v in (data.get("error_columns") or {}).items()})
    for table in text.tables:
        idx = cols.match_columns(table.header)
        if "status" not in idx:
            continue
        for row in table.rows:
            m = _STATUS_CELL_RE.match(table.column(row, idx["status"]))
            if not m:
                continue
            code = table.column(row, idx.get("code")).strip("` ") or None
            add(int(m.group("status")), code if code and code_re.match(code) else None,
                table.column(row, idx.get("description")), row.line)  # fmt: skip
    line_re = re.compile(str(data["error_line"]))
    table_lines = {row.line for t in text.tables for row in t.rows}
    fence_lines = {ln for f in text.fences for ln, _ in f.lines()}
    for line, raw in text.lines:
        if line in table_lines or line in fence_lines:
            continue
        m = line_re.match(raw)
        if m:
            rest = m.group("rest").strip(" -–—:*`")
            first = rest.split()[0].strip("`*:,") if rest.split() else ""
            add(int(m.group("status")), first if code_re.match(first) else None, rest, line)
    return sorted(found.values(), key=lambda s: (s.status, s.code or ""))


def _content_type(ep: Endpoint, text: _Text, ops: list[dict[str, Any]], data: dict[str, Any]) -> ContentType:
    for op in ops:
        body = op.get("requestBody")
        media = list((body.get("content") or {}).keys()) if isinstance(body, dict) else []
        if media:
            if any(str(m).startswith(_MULTIPART) for m in media):
                return "multipart"
            return "form" if all(str(m).startswith(_FORM) for m in media) else "json"
    form, none = re.compile(str(data["form_content"]), re.I), re.compile(str(data["no_body"]), re.I)
    multipart = re.compile(str(data["multipart_content"]), re.I)
    if any(multipart.search(t) for _, t in text.lines):
        return "multipart"
    if any(form.search(t) for _, t in text.lines):
        return "form"
    if any(none.search(t) for _, t in text.lines):
        return "none"
    return "none" if ep.method in _BODYLESS and not ep.request_model else "json"


def _envelope(text: _Text, data: dict[str, Any]) -> str | None:
    keys = [str(k) for k in data.get("envelope_keys", [])]
    markers = {str(k) for k in data.get("envelope_markers", [])}
    for fence in text.fences:
        body = fence.content.strip()
        if not body.startswith("{") and "\n{" in body:  # HTTP/1.1 200 OK + headers + body
            body = body[body.index("\n{") + 1 :]
        if not body.startswith("{"):
            continue
        try:
            obj = json.loads(body)
        except ValueError:
            obj = {k: True for k in re.findall(r'^\s{2}"(\w+)"\s*:', body, re.MULTILINE)}
        if isinstance(obj, dict) and markers & set(obj):
            hit = next((k for k in keys if k in obj), None)
            if hit:
                return hit
    return None


def _openapi_envelope(ops: list[dict[str, Any]], data: dict[str, Any]) -> str | None:
    """A 2xx response schema ``{success: boolean, data: {...}}`` wraps the body in ``data``."""
    keys = [str(k) for k in data.get("envelope_keys", [])]
    markers = {str(k) for k in data.get("envelope_markers", [])}
    for op in ops:
        for code, resp in (op.get("responses") or {}).items():
            resp = _deref(op["__source"], resp)
            if not re.fullmatch(r"2\d\d", str(code)) or not isinstance(resp, dict):
                continue
            for media in (resp.get("content") or {}).values():
                schema = _deref(op["__source"], media.get("schema")) if isinstance(media, dict) else None
                props = schema.get("properties") if isinstance(schema, dict) else None
                if isinstance(props, dict) and markers & set(props):
                    hit = next((k for k in keys if k in props), None)
                    if hit:
                        return hit
    return None


def _int(m: re.Match[str] | None) -> int | None:
    if m is None:
        return None
    value = next((v for v in m.groups() if v), None)
    return int(value) if value and int(value) > 0 else None


def _paging(text: _Text, ops: list[dict[str, Any]], data: dict[str, Any]) -> tuple[int | None, int | None]:
    size = top = None
    for op in ops:
        for p in op["__parameters"]:
            p = _deref(op["__source"], p)
            if not isinstance(p, dict) or p.get("in") != "query":
                continue
            if re.fullmatch(r"(?i)page_?size|limit|per_?page", str(p.get("name", ""))):
                schema = p.get("schema") or {}
                size = size or _count(schema.get("default"))
                top = top or _count(schema.get("maximum"))
    size_re, max_re = re.compile(str(data["page_size"]), re.I), re.compile(str(data["max_page_size"]), re.I)
    for _, line in text.lines:
        size = size or _int(size_re.search(line))
        top = top or _int(max_re.search(line))
    return (size if size and size >= 1 else None), (top if top and top >= 1 else None)


def _count(value: Any) -> int | None:
    """A positive integer from YAML (``true`` is no page size)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _deref(src: OpenApiSource, node: Any) -> Any:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        parts = node["$ref"].lstrip("#/").split("/")
        cur: Any = src.data
        for part in parts:
            cur = cur.get(part) if isinstance(cur, dict) else None
        return cur
    return node


def _order(text: _Text, data: dict[str, Any]) -> tuple[SortOrder | None, str | None]:
    desc, asc = re.compile(str(data["order_desc"]), re.I), re.compile(str(data["order_asc"]), re.I)
    by = re.compile(str(data["order_by"]))  # case matters: camelCase attributes
    order: SortOrder | None = None
    attr: str | None = None
    for _, line in text.lines:
        if order is None:
            if desc.search(line):
                order = "desc"
            elif asc.search(line):
                order = "asc"
        m = by.search(line)
        if m and attr is None:
            attr = m.group("attr") or m.group("attr2")
    return order, attr
