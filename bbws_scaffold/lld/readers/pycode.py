"""Python code blocks read with ``ast`` (never executed), shared by the models and env-var readers.

LLD code blocks are often fragments: a handler with ``...`` placeholders, a dict literal, a
``requirements.txt`` in a ```python fence, box-drawing characters. A block that does not parse
as a whole is split into top-level chunks (a line at column 0 starts a chunk) and each chunk is
parsed alone, after blanking the lines ``ast`` rejects, so one broken function does not hide the
model classes next to it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterator

from bbws_scaffold.lld.readers.document import Fence

# content markers that make an un-labelled fence worth parsing as Python
_PY_MARKERS = re.compile(
    r"^\s*(?:class\s+\w+\s*[(:]|def\s+\w+\s*\(|from\s+[\w.]+\s+import\b|import\s+\w+|@\w+)|\bos\.(?:environ|getenv)\b",
    re.MULTILINE,
)
_MAX_RETRIES = 8


@dataclass
class Chunk:
    """A parsed piece of a block: its tree, its source and the 0-based line offset in the fence content."""

    tree: ast.Module
    source: str
    offset: int


@dataclass
class PyBlock:
    fence: Fence
    chunks: list[Chunk]

    def line_of(self, chunk: Chunk, node: ast.AST) -> int:
        """The 1-based LLD line of a node (the fence line is the opening ```)."""
        return self.fence.line + 1 + chunk.offset + getattr(node, "lineno", 1) - 1

    def nodes(self) -> Iterator[tuple[Chunk, ast.AST]]:
        for chunk in self.chunks:
            for node in ast.walk(chunk.tree):
                yield chunk, node


def looks_python(fence: Fence, langs: list[str] | tuple[str, ...]) -> bool:
    """A ```python fence, or an un-labelled one whose content has Python statements."""
    if fence.lang in langs:
        return True
    return fence.lang == "" and bool(_PY_MARKERS.search(fence.content))


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def _parse_with_retries(source: str) -> ast.Module | None:
    """Parse, blanking each line the parser rejects (up to a few times)."""
    lines = source.split("\n")
    for _ in range(_MAX_RETRIES):
        try:
            return ast.parse("\n".join(lines))
        except SyntaxError as exc:
            n = (exc.lineno or 0) - 1
            if not 0 <= n < len(lines) or not lines[n].strip():
                return None
            lines[n] = ""
        except (ValueError, RecursionError, MemoryError, OverflowError):
            return None
    return None


def _top_level_chunks(source: str) -> Iterator[tuple[str, int]]:
    """Split at lines that start at column 0 (decorators and comments stay with what follows)."""
    lines = source.split("\n")
    start = 0
    for i, line in enumerate(lines):
        if i == start or not line.strip() or line[0] in " \t)]}":
            continue
        prev = lines[i - 1].lstrip()
        if prev.startswith("@") or (prev.startswith("#") and not lines[i - 1][:1].isspace()):
            continue
        yield "\n".join(lines[start:i]), start
        start = i
    yield "\n".join(lines[start:]), start


def parse_block(fence: Fence) -> PyBlock:
    """The parsed chunks of a Python fence (empty when nothing parses)."""
    source = fence.content.replace("\t", "    ")
    tree = _parse(source)
    if tree is not None:
        return PyBlock(fence, [Chunk(tree, source, 0)])
    chunks: list[Chunk] = []
    for text, offset in _top_level_chunks(source):
        sub = _parse_with_retries(text)
        if sub is not None and sub.body:
            chunks.append(Chunk(sub, text, offset))
    return PyBlock(fence, chunks)


def source_of(chunk: Chunk, node: ast.AST) -> str:
    """The node's source as written, falling back to ``ast.unparse``."""
    try:
        seg = ast.get_source_segment(chunk.source, node)
    except (ValueError, IndexError):
        seg = None
    if seg is None:
        try:
            seg = ast.unparse(node)
        except Exception:  # ast.unparse on odd trees; a name is enough here
            seg = ""
    return " ".join(seg.split()) if "\n" in seg else seg


def dotted(node: ast.AST) -> str:
    """``os.environ`` for an attribute chain, ``Enum`` for a name, ``""`` otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    if isinstance(node, ast.Subscript):  # Generic[T] -> Generic
        return dotted(node.value)
    if isinstance(node, ast.Call):  # dataclass(frozen=True) -> dataclass
        return dotted(node.func)
    return ""


def literal(node: ast.AST) -> object:
    """A literal value, or ``None`` when the node is not one."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def string_arg(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None
