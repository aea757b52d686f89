"""OpenAPI documents as one more source: embedded ```yaml/```json blocks and external files.

A block is OpenAPI by content (an ``openapi:``/``swagger:`` key, or a ``paths:`` mapping whose
keys start with ``/``), not by its fence language. Line numbers are kept so that endpoints and
schemas read from OpenAPI point back at the LLD line (or the external file's line).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.lld.readers.document import Document

# Deepest nesting of mappings and sequences read from one OpenAPI text. The corpus peaks at 12;
# loaders and every walk over the data recurse once (or more) per level, so a hostile block
# 300 levels deep must be refused before it is loaded, not caught as a RecursionError after.
MAX_DEPTH = 40
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_LOOKS_OPENAPI = re.compile(r"^(openapi|swagger)\s*:|^paths\s*:|^\s*\"(openapi|swagger|paths)\"\s*:", re.MULTILINE)


@dataclass
class OpenApiOperation:
    method: str
    path: str
    operation_id: str | None
    summary: str | None
    line: int
    request_schema: str | None = None
    response_schema: str | None = None
    security: bool | None = None


@dataclass
class OpenApiSource:
    origin: str  # "embedded" or the external file name
    line: int  # line of the block (embedded) or 1
    data: dict[str, Any]
    servers: list[str] = field(default_factory=list)
    operations: list[OpenApiOperation] = field(default_factory=list)
    schemas: dict[str, tuple[dict[str, Any], int]] = field(default_factory=dict)
    external: bool = False


def _line_of(node: Any, key: Any, base: int) -> int:
    try:
        return base + node.lc.key(key)[0]
    except Exception:  # plain dicts (JSON) carry no position
        return base


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return ref.rsplit("/", 1)[-1]
        items = schema.get("items")
        if isinstance(items, dict):
            return _ref_name(items)
    return None


def _first_schema(content: Any) -> str | None:
    if not isinstance(content, dict):
        return None
    for media in content.values():
        if isinstance(media, dict):
            name = _ref_name(media.get("schema"))
            if name:
                return name
    return None


def too_deep(text: str) -> int | None:
    """The 0-based line of the first collection nested deeper than :data:`MAX_DEPTH`, else ``None``.

    Reads ruamel's event stream, which its parser produces with an explicit state stack (no
    recursion), so the depth is known before the recursive composer and constructor run. Text that
    is not valid YAML stops the count; the load reports it.
    """
    depth = 0
    try:
        for event in YAML(typ="rt", pure=True).parse(io.StringIO(text)):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return int(event.start_mark.line)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (YAMLError, ValueError):
        return None
    return None


def _refuse_deep(text: str, what: str, line: int, sink: DiagnosticSink) -> bool:
    """Report (as an error at the offending line) and refuse a text nested beyond the bound."""
    deep = too_deep(text)
    if deep is not None:
        sink.error(line + deep, f"{what} nests deeper than {MAX_DEPTH} levels; flatten it (use $ref components)")
    return deep is not None


def load(text: str, origin: str, line: int, sink: DiagnosticSink, external: bool = False) -> OpenApiSource | None:
    """Parse one OpenAPI text; ``line`` is the 1-based line its first line sits on."""
    if _refuse_deep(text, f"OpenAPI file {origin}" if external else "OpenAPI block", line, sink):
        return None
    yaml = YAML(typ="rt", pure=True)
    try:
        data = yaml.load(io.StringIO(text))
    except (YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = line + (mark.line if mark is not None else 0)
        sink.warn(where, f"OpenAPI block is not valid YAML/JSON, ignored: {str(exc).splitlines()[0]}")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
        return None
    src = OpenApiSource(origin, line, data, external=external)
    for srv in data.get("servers") or []:
        if isinstance(srv, dict) and isinstance(srv.get("url"), str):
            src.servers.append(srv["url"])
    paths = data["paths"]
    for path, item in paths.items():
        if not isinstance(item, dict) or not str(path).startswith("/"):
            continue
        for method, op in item.items():
            if method.lower() not in HTTP_METHODS or not isinstance(op, dict):
                continue
            resp = None
            for code, r in (op.get("responses") or {}).items():
                if str(code).startswith("2") and isinstance(r, dict):
                    resp = _first_schema(r.get("content"))
                    if resp:
                        break
            body = op.get("requestBody")
            src.operations.append(
                OpenApiOperation(
                    method=method.upper(),
                    path=str(path),
                    operation_id=op.get("operationId") if isinstance(op.get("operationId"), str) else None,
                    summary=op.get("summary") if isinstance(op.get("summary"), str) else None,
                    line=_line_of(item, method, line),
                    request_schema=_first_schema(body.get("content")) if isinstance(body, dict) else None,
                    response_schema=resp,
                    security=(bool(op["security"]) if "security" in op else None),
                )
            )
    schemas = (data.get("components") or {}).get("schemas") or {}
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            if isinstance(schema, dict):
                src.schemas[str(name)] = (schema, _line_of(schemas, name, line))
    return src


def from_document(doc: Document, sink: DiagnosticSink) -> list[OpenApiSource]:
    """Every embedded OpenAPI block, classified by content."""
    out: list[OpenApiSource] = []
    for fence in doc.fences():
        if fence.lang not in ("yaml", "yml", "json", "openapi", "") or not _LOOKS_OPENAPI.search(fence.content):
            continue
        src = load(fence.content, "embedded", fence.line + 1, sink)
        if src is not None:
            out.append(src)
    return out


def from_file(path: str, sink: DiagnosticSink) -> OpenApiSource | None:
    """An external OpenAPI file (``--openapi FILE``): YAML or JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        sink.error(1, f"cannot read OpenAPI file {path}: {exc}")
        return None
    if _refuse_deep(text, f"OpenAPI file {path}", 1, sink):
        return None
    if path.endswith(".json"):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            sink.error(exc.lineno, f"OpenAPI file {path} is not valid JSON: {exc.msg}")
            return None
    src = load(text, path.rsplit("/", 1)[-1], 1, sink, external=True)
    if src is None:
        sink.error(1, f"{path} is not an OpenAPI document (no 'paths' mapping)")
    return src
