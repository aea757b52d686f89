"""Lambda environment variables from every notation of survey §6.

Declarations are read from env-var sections (or blocks/tables labelled "Environment Variables"):
``NAME=value`` shell blocks, ``Variable | Description | Example`` tables (also one column per
environment, ``Variable | DEV | SIT | PROD``), and Python assignment blocks. HCL
``environment { variables = {...} }`` / ``environment_variables = {...}`` maps and SAM/CFN
``Environment.Variables`` mappings are read wherever they sit, and so are ``os.environ[...]`` /
``os.environ.get`` / ``os.getenv`` reads in Lambda code, but never in test code (pytest
functions and classes, blocks that import pytest, sections and files that are tests).

Only UPPER_SNAKE names count. The first declaration of a name wins; later ones only fill in what
it lacks (description, example, required). A variable is scoped to functions only when every
declaration of it is scoped (an HCL module, a per-function table).
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers import pycode
from bbws_scaffold.lld.readers.document import Fence, Section, Table
from bbws_scaffold.lld.readers.grammar import Concept, normalise_header
from bbws_scaffold.lld.readers.values import strip_markup
from bbws_scaffold.model import EnvVar


@dataclass
class _Decl:
    name: str
    line: int
    source: str
    description: str | None = None
    example: str | None = None
    required: bool | None = None
    functions: list[str] | None = None  # None: applies to every function
    extra: dict[str, Any] = field(default_factory=dict)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = strip_markup(text).strip()
    return text if text and text not in ("-", "—", "N/A", "n/a") else None


def _is_name(concept: Concept, name: str) -> bool:
    """UPPER_SNAKE only: the grammar compiles values case-insensitively, so match the pattern here."""
    if name.lower() in {str(e).lower() for e in concept.data["environment_columns"]}:
        return False
    return re.fullmatch(concept.value("name").pattern, name) is not None


def _in_env_scope(concept: Concept, section: Section, label: str | None) -> bool:
    """Inside an env-var section, or right after a label such as ``**Environment Variables:**``."""
    if section.within("env") is not None:
        return True
    return bool(label and re.search(concept.data["label"], label, re.IGNORECASE))


# ---------------------------------------------------------------- shell blocks


def _shell(ctx: Context, concept: Concept) -> Iterator[_Decl]:
    """``NAME=value  # comment`` lines of shell/env blocks in env-var scope."""
    langs = set(concept.data["shell_langs"])
    pattern = concept.value("line")
    for fence in ctx.doc.fences():
        if fence.lang not in langs or not _in_env_scope(concept, fence.section, fence.label):
            continue
        for line, text in fence.lines():
            m = pattern.match(text)
            if not m or not _is_name(concept, m.group("name")):
                continue
            value = m.group("value").strip().strip("\"'")
            yield _Decl(m.group("name"), line, "bash", _clean(m.group("comment")), value or None)


# ---------------------------------------------------------------- tables


def _required(concept: Concept, cell: str) -> bool | None:
    key = strip_markup(cell).lower()
    if key in {str(v).lower() for v in concept.data["required_yes"]}:
        return True
    if key in {str(v).lower() for v in concept.data["required_no"]}:
        return False
    return None


def _function_scope(concept: Concept, section: Section) -> list[str] | None:
    """A function named in the heading of a per-function section (``12.7 `sync_tenant_state` ``)."""
    m = concept.value("function_token").search(section.title)
    return [m.group("fn")] if m else None


def _table_rows(concept: Concept, table: Table) -> Iterator[_Decl]:
    cols = concept.match_columns(table.header)
    envs = {str(e).lower() for e in concept.data["environment_columns"]}
    env_cols = [i for i, h in enumerate(table.header) if normalise_header(h) in envs]
    if "example" not in cols and env_cols:
        cols["example"] = env_cols[0]
    scoped = None if table.section.within("env") else _function_scope(concept, table.section)
    for row in table.rows:
        name = strip_markup(table.column(row, cols["name"]))
        if not _is_name(concept, name):
            continue
        decl = _Decl(name, row.line, "table", functions=scoped)
        if "description" in cols:
            decl.description = _clean(table.column(row, cols["description"]))
        if "example" in cols:
            decl.example = _clean(table.column(row, cols["example"]))
        if "required" in cols:
            decl.required = _required(concept, table.column(row, cols["required"]))
        yield decl


def _tables(ctx: Context, concept: Concept) -> Iterator[_Decl]:
    for table in ctx.doc.tables():
        cols = concept.match_columns(table.header)
        if "name" not in cols or not _in_env_scope(concept, table.section, table.label):
            continue
        yield from _table_rows(concept, table)


# ---------------------------------------------------------------- HCL and SAM/CloudFormation maps


def _matching_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` just before ``start`` (or the end of the text)."""
    depth = 1
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            i = end if end != -1 else len(text)
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def _hcl_scope(concept: Concept, before: str) -> list[str] | None:
    """The function of the innermost ``module "x_lambda" {`` opened before a map."""
    label = None
    for line in before.splitlines():
        m = concept.value("hcl_block").match(line)
        if m:
            label = m.group("label")
    if label is None:
        return None
    for suffix in concept.data["hcl_label_suffixes"]:
        if label.endswith(suffix) and len(label) > len(suffix):
            label = label[: -len(suffix)]
            break
    return [label]


def _hcl(ctx: Context, concept: Concept) -> Iterator[_Decl]:
    opener = concept.value("hcl_open")
    entry = concept.value("hcl_entry")
    for fence in ctx.doc.fences():
        text = fence.content
        for m in opener.finditer(text):
            body_end = _matching_brace(text, m.end())
            scope = _hcl_scope(concept, text[: m.start()])
            first_line = fence.line + 1 + text.count("\n", 0, m.end())
            for offset, raw in enumerate(text[m.end() : body_end].split("\n")):
                e = entry.match(raw)
                if e and _is_name(concept, e.group("name")):
                    example = e.group("value").strip().strip('"') or None
                    yield _Decl(e.group("name"), first_line + offset, "hcl", example=example, functions=scope)


def _walk_structured(concept: Concept, node: Any, parent: str | None) -> Iterator[tuple[str, Any, Any]]:
    """(name, value, mapping) for each ``Environment: Variables: {NAME: value}`` entry."""
    keys = set(concept.data["structured_keys"])
    parents = set(concept.data["structured_parents"])
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys and parent in parents and isinstance(value, dict):
                for name, v in value.items():
                    yield str(name), v, value
            else:
                yield from _walk_structured(concept, value, str(key))
    elif isinstance(node, list):
        for item in node:
            yield from _walk_structured(concept, item, parent)


def _structured(ctx: Context, concept: Concept) -> Iterator[_Decl]:
    langs = set(concept.data["structured_langs"])
    for fence in ctx.doc.fences():
        if fence.lang not in langs or "ariables" not in fence.content:
            continue
        try:
            data = YAML(typ="rt", pure=True).load(io.StringIO(fence.content))
        except (YAMLError, ValueError, RecursionError):
            continue
        for name, value, mapping in _walk_structured(concept, data, None):
            if not _is_name(concept, name):
                continue
            try:
                line = fence.line + 1 + int(mapping.lc.key(name)[0])
            except Exception:  # JSON-ish content without positions
                line = fence.line
            example = str(value) if isinstance(value, (str, int, float, bool)) else None
            yield _Decl(name, line, "yaml", example=example)


# ---------------------------------------------------------------- Python


def _is_test_block(concept: Concept, fence: Fence, block: pycode.PyBlock) -> bool:
    """Blocks that are test code: under a test section, labelled with a test file, importing pytest."""
    for sec in fence.section.ancestors():
        if any(re.search(p, sec.key) for p in concept.data["test_sections"]):
            return True
    if fence.label and re.search(concept.data["test_path"], fence.label):
        return True
    first = fence.content.lstrip().split("\n", 1)[0]
    if first.startswith("#") and re.search(concept.data["test_path"], first):
        return True
    test_imports = set(concept.data["test_imports"])
    for _, node in block.nodes():
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in test_imports for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in test_imports:
            return True
    return False


def _is_test_node(concept: Concept, node: ast.AST) -> bool:
    decorators = {str(d) for d in concept.data["test_decorators"]}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if node.name.startswith(concept.data["test_function_prefix"]):
            return True
    elif isinstance(node, ast.ClassDef):
        if node.name.startswith(concept.data["test_class_prefix"]):
            return True
    else:
        return False
    return any(pycode.dotted(d).split(".")[0] in decorators for d in node.decorator_list)


def _lambda_nodes(concept: Concept, node: ast.AST) -> Iterator[ast.AST]:
    """Every node except those inside test functions and test classes."""
    for child in ast.iter_child_nodes(node):
        if _is_test_node(concept, child):
            continue
        yield child
        yield from _lambda_nodes(concept, child)


def _environ_read(concept: Concept, node: ast.AST) -> tuple[str, ast.AST | None, bool] | None:
    """(name, default node, subscript?) for ``os.environ["X"]`` / ``os.environ.get("X", d)`` / ``os.getenv``."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        if pycode.dotted(node.value) in concept.data["environ_names"]:
            name = pycode.string_arg(node.slice)
            return (name, None, True) if name else None
    if isinstance(node, ast.Call) and node.args:
        if pycode.dotted(node.func) in concept.data["getenv_names"]:
            name = pycode.string_arg(node.args[0])
            default = node.args[1] if len(node.args) > 1 else None
            default = default or next((k.value for k in node.keywords if k.arg == "default"), None)
            return (name, default, False) if name else None
    return None


def _reads(concept: Concept, block: pycode.PyBlock) -> Iterator[_Decl]:
    for chunk in block.chunks:
        for node in _lambda_nodes(concept, chunk.tree):
            got = _environ_read(concept, node)
            if got is None or not _is_name(concept, got[0]):
                continue
            name, default, subscript = got
            decl = _Decl(name, block.line_of(chunk, node), "code")
            if default is not None:
                lit = pycode.literal(default)
                decl.example = str(lit) if isinstance(lit, (str, int, float, bool)) else None
                decl.required = False
            elif subscript:
                decl.required = True
            yield decl


def _assignments(concept: Concept, block: pycode.PyBlock) -> Iterator[_Decl]:
    """``NAME = value`` at the top of a Python block in env-var scope (reads are handled apart)."""
    for chunk in block.chunks:
        for stmt in chunk.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value = stmt.target, stmt.value
            else:
                continue
            if not isinstance(target, ast.Name) or not _is_name(concept, target.id):
                continue
            if any(_environ_read(concept, n) for n in ast.walk(value)):
                continue
            lit = pycode.literal(value)
            example = str(lit) if isinstance(lit, (str, int, float, bool)) else pycode.source_of(chunk, value)
            yield _Decl(target.id, block.line_of(chunk, stmt), "python", example=example or None)


def _python(ctx: Context, concept: Concept) -> Iterator[_Decl]:
    for fence in ctx.doc.fences():
        if not pycode.looks_python(fence, concept.data["python_langs"]):
            continue
        block = pycode.parse_block(fence)
        if not block.chunks or _is_test_block(concept, fence, block):
            continue
        if _in_env_scope(concept, fence.section, fence.label):
            yield from _assignments(concept, block)
        yield from _reads(concept, block)


# ---------------------------------------------------------------- merge


def _merge(decls: list[_Decl]) -> list[EnvVar]:
    """One variable per name in document order; later declarations fill gaps and widen the scope."""
    merged: dict[str, _Decl] = {}
    for decl in sorted(decls, key=lambda d: d.line):
        first = merged.get(decl.name)
        if first is None:
            scope = list(decl.functions) if decl.functions is not None else None
            merged[decl.name] = replace(decl, functions=scope)
            continue
        first.description = first.description or decl.description
        first.example = first.example or decl.example
        first.required = first.required if first.required is not None else decl.required
        if first.functions is not None:
            if decl.functions is None:
                first.functions = None
            else:
                first.functions += [f for f in decl.functions if f not in first.functions]
    return [
        EnvVar(
            name=d.name,
            line=d.line,
            description=d.description,
            example=d.example,
            required=d.required,
            functions=d.functions or [],
            source=d.source,
        )
        for d in merged.values()
    ]


def extract(ctx: Context) -> list[EnvVar]:
    concept = ctx.grammar["env"]
    decls: list[_Decl] = []
    for reader in (_shell, _tables, _hcl, _structured, _python):
        try:
            decls.extend(reader(ctx, concept))
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            ctx.sink.warn(1, f"environment variables: {reader.__name__} skipped: {exc}")
    return _merge(decls)
