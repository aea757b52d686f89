"""Data models from four notations: Python classes, mermaid class diagrams, OpenAPI schemas, field tables.

* Python (``source="python"``): classes in Python blocks anywhere in the document, read with
  ``ast``. A class is a model when it subclasses ``BaseModel``/``TypedDict``/``NamedTuple`` or is
  a ``@dataclass``, an enum when it subclasses ``Enum``, an exception when its bases reach
  ``Exception`` or an ``*Error``/``*Exception`` name; subclassing is followed across blocks of
  the same document. Services, handlers and tests are not models and are skipped.
* Mermaid (``source="mermaid"``): every class a ``classDiagram`` declares, with a kind from its
  stereotype, its name and its body.
* OpenAPI (``source="openapi"``): ``components.schemas`` of embedded blocks and external files.
* Tables (``source="table"``): ``Field | Type | Required | Description`` tables under a label
  naming the object (``**OrderItem**``).

One entry per (source, name): the first declaration wins; conflicting Python duplicates warn.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers import mermaid, pycode
from bbws_scaffold.lld.readers.document import Block, Heading, Paragraph, Table
from bbws_scaffold.lld.readers.grammar import Concept, normalise_header
from bbws_scaffold.lld.readers.openapi import OpenApiSource
from bbws_scaffold.model import DataModel, EnumValue, ModelField, ModelKind

Scalar = int | float | str | bool


def _usable(name: str) -> bool:
    """A name the model can derive identifiers from (``Named`` raises otherwise)."""
    return bool(naming.words(name))


# ---------------------------------------------------------------- Python


@dataclass
class _PyClass:
    node: ast.ClassDef
    block: pycode.PyBlock
    chunk: pycode.Chunk
    bases: list[str]
    decorators: list[str]

    @property
    def line(self) -> int:
        return self.block.line_of(self.chunk, self.node)


def _python_classes(ctx: Context, concept: Concept) -> list[_PyClass]:
    """Top-level classes of every Python block, in document order."""
    out: list[_PyClass] = []
    for fence in ctx.doc.fences():
        if not pycode.looks_python(fence, concept.data["python_langs"]):
            continue
        block = pycode.parse_block(fence)
        for chunk in block.chunks:
            for node in chunk.tree.body:
                if isinstance(node, ast.ClassDef):
                    bases = [pycode.dotted(b) or pycode.source_of(chunk, b) for b in node.bases]
                    decos = [pycode.dotted(d) for d in node.decorator_list]
                    out.append(_PyClass(node, block, chunk, bases, decos))
    return out


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _classify(classes: list[_PyClass], concept: Concept) -> dict[str, ModelKind]:
    """Kinds by name, following subclassing within the document until nothing changes."""
    model_bases = set(concept.data["model_bases"])
    enum_bases = set(concept.data["enum_bases"])
    exc_bases = set(concept.data["exception_bases"])
    exc_suffixes = tuple(concept.data["exception_suffixes"])
    decorators = set(concept.data["model_decorators"])
    kinds: dict[str, ModelKind] = {}
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if cls.node.name in kinds:
                continue
            bases = [_short(b) for b in cls.bases]
            kind: ModelKind | None = None
            if any(b in enum_bases or kinds.get(b) == "enum" for b in bases):
                kind = "enum"
            elif any(b in model_bases or kinds.get(b) == "model" for b in bases):
                kind = "model"
            elif any(d in decorators or _short(d) in decorators for d in cls.decorators):
                kind = "model"
            elif any(b in exc_bases or b.endswith(exc_suffixes) or kinds.get(b) == "exception" for b in bases):
                kind = "exception"
            if kind is not None:
                kinds[cls.node.name] = kind
                changed = True
    return kinds


def _is_optional(annotation: ast.AST | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, ast.Subscript) and _short(pycode.dotted(annotation.value)) == "Optional":
        return True
    if isinstance(annotation, ast.Subscript) and _short(pycode.dotted(annotation.value)) == "Union":
        elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        return any(isinstance(e, ast.Constant) and e.value is None for e in elts)
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return any(
            (isinstance(side, ast.Constant) and side.value is None) or _is_optional(side)
            for side in (annotation.left, annotation.right)
        )
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return "Optional[" in annotation.value or "None" in annotation.value
    return False


def _field_call(value: ast.AST | None) -> ast.Call | None:
    """``Field(...)`` / ``field(...)`` / ``dataclasses.field(...)`` on the right of a field."""
    if isinstance(value, ast.Call) and _short(pycode.dotted(value.func)) in ("Field", "field", "attrib", "ib"):
        return value
    return None


def _annotated_field(annotation: ast.AST) -> ast.Call | None:
    """The ``Field(...)`` inside ``Annotated[str, Field(min_length=1)]``."""
    if isinstance(annotation, ast.Subscript) and _short(pycode.dotted(annotation.value)) == "Annotated":
        elts = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
        return next((c for c in (_field_call(e) for e in elts[1:]) if c is not None), None)
    return None


def _constraint(value: ast.AST) -> Scalar | None:
    lit = pycode.literal(value)
    if isinstance(lit, (bool, int, float, str)):
        return lit
    return None


def _read_field_call(fld: ModelField, call: ast.Call, chunk: pycode.Chunk, concept: Concept) -> ast.AST | None:
    """Alias, description and constraints of ``Field(...)`` into ``fld``; returns the default node, if any."""
    default: ast.AST | None = None
    if call.args and not (isinstance(call.args[0], ast.Constant) and call.args[0].value is Ellipsis):
        default = call.args[0]
    synonyms: dict[str, str] = concept.data["constraint_synonyms"]
    allowed = set(concept.data["constraints"])
    for kw in call.keywords:
        if kw.arg == "default":
            is_ellipsis = isinstance(kw.value, ast.Constant) and kw.value.value is Ellipsis
            default = None if is_ellipsis else kw.value
        elif kw.arg == "default_factory":
            fld.default = f"{pycode.source_of(chunk, kw.value)}()"
        elif kw.arg in ("alias", "validation_alias", "serialization_alias") and fld.alias is None:
            fld.alias = pycode.string_arg(kw.value)
        elif kw.arg == "description":
            fld.description = pycode.string_arg(kw.value)
        elif kw.arg is not None and (kw.arg in allowed or kw.arg in synonyms):
            value = _constraint(kw.value)
            if value is not None:
                fld.constraints[synonyms.get(kw.arg, kw.arg)] = value
    return default


def _python_field(cls: _PyClass, stmt: ast.AnnAssign, concept: Concept) -> ModelField | None:
    """One annotated class attribute; ``Field(...)`` either as the value or inside ``Annotated[...]``."""
    if not isinstance(stmt.target, ast.Name) or stmt.target.id in concept.data["ignored_members"]:
        return None
    chunk = cls.chunk
    ann = stmt.annotation
    ann_text = pycode.source_of(chunk, ann)
    if _short(pycode.dotted(ann)) == "ClassVar" or ann_text.startswith("ClassVar"):
        return None
    fld = ModelField(name=stmt.target.id, type=ann_text or "Any", line=cls.block.line_of(chunk, stmt))
    default_node: ast.AST | None = stmt.value
    value_call = _field_call(stmt.value)
    if value_call is not None:
        default_node = _read_field_call(fld, value_call, chunk, concept)
    annotated_call = _annotated_field(ann)
    if annotated_call is not None:
        _read_field_call(fld, annotated_call, chunk, concept)
    if default_node is not None:
        fld.default = pycode.source_of(chunk, default_node)
    fld.required = fld.default is None
    fld.optional = _is_optional(ann) or fld.default == "None"
    return fld


def _enum_values(cls: _PyClass) -> list[EnumValue]:
    out: list[EnumValue] = []
    for stmt in cls.node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            if name.startswith("_"):
                continue
            lit = pycode.literal(stmt.value)
            value = str(lit) if isinstance(lit, (str, int, float, bool)) else pycode.source_of(cls.chunk, stmt.value)
            out.append(EnumValue(name=name, value=value, line=cls.block.line_of(cls.chunk, stmt)))
    return out


def _docstring(node: ast.ClassDef) -> str | None:
    doc = ast.get_docstring(node)
    return " ".join(doc.split()) if doc else None


def _python_model(cls: _PyClass, kind: ModelKind, concept: Concept) -> DataModel:
    model = DataModel(
        name=cls.node.name,
        kind=kind,
        source="python",
        bases=cls.bases,
        line=cls.line,
        description=_docstring(cls.node),
    )
    if kind == "enum":
        model.values = _enum_values(cls)
    elif kind == "model":
        for stmt in cls.node.body:
            if isinstance(stmt, ast.AnnAssign):
                fld = _python_field(cls, stmt, concept)
                if fld is not None:
                    model.fields.append(fld)
    return model


def _signature(model: DataModel) -> tuple[Any, ...]:
    return (
        model.kind,
        tuple((f.name, f.type, f.default) for f in model.fields),
        tuple((v.name, v.value) for v in model.values),
    )


def python_models(ctx: Context) -> list[DataModel]:
    concept = ctx.grammar["models"]
    classes = _python_classes(ctx, concept)
    kinds = _classify(classes, concept)
    out: dict[str, DataModel] = {}
    for cls in classes:
        kind = kinds.get(cls.node.name)
        if kind is None or not _usable(cls.node.name):
            continue
        model = _python_model(cls, kind, concept)
        first = out.get(model.name)
        if first is None:
            out[model.name] = model
        elif _signature(first) != _signature(model):
            ctx.sink.warn(
                model.line or 1,
                f"Python class {model.name} is defined again with different fields (first at line {first.line}); "
                "the first definition is used",
            )
    return list(out.values())


# ---------------------------------------------------------------- Mermaid


def _mermaid_kind(cls: mermaid.MermaidClass, concept: Concept) -> ModelKind:
    """Kind from the stereotype, the name's last word and the body, in that order."""
    stereo_kinds: dict[str, str] = concept.data["stereotype_kinds"]
    exc_suffixes = tuple(concept.data["exception_suffixes"])
    stereo = (cls.stereotype or "").strip().lower()
    by_stereo = stereo_kinds.get(stereo)
    if by_stereo == "enum":
        return "enum"
    if cls.name.endswith(exc_suffixes) or by_stereo == "exception" or stereo.endswith(("exception", "error")):
        return "exception"
    if by_stereo in ("model", "component"):
        return by_stereo  # type: ignore[return-value]
    last = (naming.words(cls.name) or [""])[-1]
    if last in {s.lower() for s in concept.data["component_suffixes"]}:
        return "component"
    if cls.methods and all(a.visibility == "-" for a in cls.attributes):
        return "component"
    if cls.literals and not cls.attributes and not cls.methods:
        return "enum"
    return "model"


def _mermaid_model(cls: mermaid.MermaidClass, concept: Concept) -> DataModel:
    kind = _mermaid_kind(cls, concept)
    model = DataModel(
        name=cls.name,
        kind=kind,
        source="mermaid",
        bases=list(cls.parents),
        stereotype=cls.stereotype,
        line=cls.line,
    )
    if kind == "enum":
        members = cls.literals + [a for a in cls.attributes if a.type is None]
        model.values = [EnumValue(name=m.name, value=m.name, line=m.line) for m in members]
    else:
        members = cls.attributes + ([] if kind == "component" else cls.literals)
        for m in members:
            model.fields.append(ModelField(name=m.name, type=m.type or "Any", line=m.line))
    return model


def mermaid_models(ctx: Context) -> list[DataModel]:
    concept = ctx.grammar["models"]
    out: dict[str, DataModel] = {}
    for fence in ctx.doc.fences():
        if fence.lang not in ("mermaid", "") or not mermaid.is_class_diagram(fence.content):
            continue
        for cls in mermaid.parse(fence.content, fence.line + 1):
            if cls.name not in out and _usable(cls.name):
                out[cls.name] = _mermaid_model(cls, concept)
    return list(out.values())


# ---------------------------------------------------------------- OpenAPI


def _schema_type(schema: Any, concept: Concept) -> str:
    """An OpenAPI schema -> a Python-ish annotation (``str``, ``list[Site]``, ``datetime``)."""
    if not isinstance(schema, dict):
        return "Any"
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    for combo in ("allOf", "oneOf", "anyOf"):
        parts = schema.get(combo)
        if isinstance(parts, list) and parts:
            types = [_schema_type(p, concept) for p in parts if isinstance(p, dict)]
            types = [t for t in types if t != "Any"] or ["Any"]
            return types[0] if combo == "allOf" or len(types) == 1 else " | ".join(dict.fromkeys(types))
    typ = schema.get("type")
    if isinstance(typ, list):  # OpenAPI 3.1: [string, "null"]
        typ = next((t for t in typ if t != "null"), None)
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in concept.data["openapi_formats"]:
        return str(concept.data["openapi_formats"][fmt])
    if typ == "array":
        return f"list[{_schema_type(schema.get('items'), concept)}]"
    if typ == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"dict[str, {_schema_type(schema['additionalProperties'], concept)}]"
    if isinstance(typ, str) and typ in concept.data["openapi_types"]:
        return str(concept.data["openapi_types"][typ])
    if "properties" in schema:
        return "dict"
    return "Any"


def _line(node: Any, key: Any, base: int) -> int:
    try:
        return int(base + node.lc.key(key)[0])
    except Exception:  # plain dicts (JSON) carry no position
        return base


def _openapi_fields(schema: dict[str, Any], base: int, concept: Concept, bases: list[str]) -> list[ModelField]:
    """Fields from ``properties`` (and ``allOf`` parts); ``base`` is the line of the source's first line."""
    props: dict[str, Any] = {}
    required: set[str] = set()
    parts = [schema] + [p for p in schema.get("allOf") or [] if isinstance(p, dict)]
    for part in parts:
        if isinstance(part.get("$ref"), str) and part is not schema:
            bases.append(part["$ref"].rsplit("/", 1)[-1])
        if isinstance(part.get("properties"), dict):
            props.update({str(k): (v, part["properties"]) for k, v in part["properties"].items()})
        if isinstance(part.get("required"), list):
            required.update(str(r) for r in part["required"])
    mapping: dict[str, str] = concept.data["openapi_constraints"]
    out: list[ModelField] = []
    for name, (prop, container) in props.items():
        if not isinstance(prop, dict):
            prop = {}
        fld = ModelField(name=name, type=_schema_type(prop, concept), line=_line(container, name, base))
        fld.required = name in required
        types = prop.get("type")
        fld.optional = not fld.required or bool(prop.get("nullable")) or (isinstance(types, list) and "null" in types)
        if "default" in prop:
            fld.default = repr(prop["default"])
        if isinstance(prop.get("description"), str):
            fld.description = " ".join(prop["description"].split())
        for key, target in mapping.items():
            value = prop.get(key)
            if isinstance(value, bool) and key.startswith("exclusive"):
                continue  # OpenAPI 3.0 boolean flag; the bound itself is minimum/maximum
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                fld.constraints[target] = value
        out.append(fld)
    return out


def _enum_name(value: Any, index: int) -> str:
    text = str(value)
    try:
        name = naming.env_name(text)
    except ValueError:
        return f"VALUE_{index}"
    return name if not name[0].isdigit() else f"V_{name}"


def _openapi_model(name: str, schema: dict[str, Any], line: int, base: int, concept: Concept) -> DataModel:
    description = schema.get("description") if isinstance(schema.get("description"), str) else None
    model = DataModel(name=name, source="openapi", line=line, description=description)
    if isinstance(schema.get("enum"), list):
        model.kind = "enum"
        model.values = [
            EnumValue(name=_enum_name(v, i), value=str(v), line=line)
            for i, v in enumerate(schema["enum"])
            if v is not None
        ]
        return model
    model.fields = _openapi_fields(schema, base, concept, model.bases)
    return model


def openapi_models(ctx: Context, sources: list[OpenApiSource] | None = None) -> list[DataModel]:
    concept = ctx.grammar["models"]
    out: dict[str, DataModel] = {}
    for src in ctx.openapi if sources is None else sources:
        for name, (schema, line) in src.schemas.items():
            if name in out or not _usable(name):
                continue
            out[name] = _openapi_model(name, schema, line, src.line, concept)
    return list(out.values())


# ---------------------------------------------------------------- field tables


def _label_name(text: str, concept: Concept) -> str | None:
    m = re.match(concept.data["table_label"], text.replace("*", "").strip())
    return m.group("name") if m else None


def _table_object_name(blocks: list[Block], index: int, concept: Concept) -> str | None:
    """The object a field table describes: a bold label a few paragraphs up, else the heading."""
    for j in range(index - 1, max(index - 4, -1), -1):
        block = blocks[j]
        if isinstance(block, Paragraph):
            first = block.raw[0][1].strip() if block.raw else ""
            if first.startswith("**"):
                return _label_name(block.text, concept)
            continue
        if isinstance(block, Heading):
            return _label_name(block.text, concept)
        return None
    return None


def _required(cell: str, concept: Concept) -> bool | None:
    key = cell.strip().lower().strip("*` ")
    if key in {str(v).lower() for v in concept.data["required_yes"]}:
        return True
    if key in {str(v).lower() for v in concept.data["required_no"]}:
        return False
    return None


def _table_model(table: Table, name: str, concept: Concept) -> DataModel | None:
    cols = concept.match_columns(table.header)
    types: dict[str, str] = concept.data["table_types"]
    model = DataModel(name=name, source="table", line=table.line)
    for row in table.rows:
        fname = table.column(row, cols["name"]).strip("*` ")
        if not re.fullmatch(r"[A-Za-z_][\w.]*", fname):
            continue
        raw_type = table.column(row, cols["type"]).strip("` ")
        fld = ModelField(name=fname, type=types.get(raw_type.lower(), raw_type or "Any"), line=row.line)
        req = _required(table.column(row, cols.get("required")), concept) if "required" in cols else None
        if req is not None:
            fld.required = req
            fld.optional = not req
        desc = table.column(row, cols.get("description")).strip() if "description" in cols else ""
        fld.description = desc or None
        model.fields.append(fld)
    return model if model.fields else None


def table_models(ctx: Context) -> list[DataModel]:
    concept = ctx.grammar["models"]
    blocks = ctx.doc.blocks
    out: dict[str, DataModel] = {}
    for index, block in enumerate(blocks):
        if not isinstance(block, Table):
            continue
        cols = concept.match_columns(block.header)
        if "name" not in cols or "type" not in cols:
            continue
        if normalise_header(block.header[0]) not in concept.columns["name"]:
            continue
        name = _table_object_name(blocks, index, concept)
        if not name or name in out or not _usable(name):
            continue
        model = _table_model(block, name, concept)
        if model is not None:
            out[name] = model
    return list(out.values())


# ---------------------------------------------------------------- entry point


def extract(ctx: Context) -> list[DataModel]:
    """Every data model the document declares, one per (source, name), in source order."""
    models: list[DataModel] = []
    for reader in (python_models, mermaid_models, openapi_models, table_models):
        try:
            models.extend(reader(ctx))
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            # a reader bug must not stop the parse; say where it happened instead
            ctx.sink.warn(1, f"data models: {reader.__name__} skipped: {exc}")
    return models
