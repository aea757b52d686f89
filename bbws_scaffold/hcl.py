"""Terraform configuration text (HCL native syntax) from Python values, with nothing interpolated.

    Block("resource", "aws_s3_bucket", "state", body=[("bucket", name)], comments=["why"])
    render([block, ...]) -> str

A body is a list of ``(name, value)`` attributes and nested :class:`Block` s. Values are ``str``
(always a quoted literal: ``"``/``\\`` and control characters escaped, ``${`` and ``%{`` doubled,
so Terraform never interpolates a name that came from configuration or an LLD), ``bool``, ``int``,
``list``, ``dict`` (an object; a key is a bare identifier or a quoted literal, never an
expression), :class:`Ref` (a reference such as ``aws_s3_bucket.state.id``, checked to be a plain
traversal) and :class:`Call` (a function call, e.g. ``jsonencode``). There is no way to put raw
text into an expression. Comments are collapsed to one line each, so text in one cannot end it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TRAVERSAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])+")
_FUNCTIONS = frozenset({"jsonencode"})
_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
INDENT = "  "


@dataclass(frozen=True)
class Ref:
    """A reference to another object of the configuration (``aws_iam_role.deploy.arn``)."""

    address: str

    def __post_init__(self) -> None:
        if not _TRAVERSAL.fullmatch(self.address):
            raise ValueError(f"not a Terraform reference: {self.address!r}")


@dataclass(frozen=True)
class Call:
    """A call of one of Terraform's built-in functions (only those in ``_FUNCTIONS``)."""

    function: str
    args: tuple[Any, ...]

    def __post_init__(self) -> None:
        if self.function not in _FUNCTIONS:
            raise ValueError(f"function {self.function!r} is not allowed here")


class Block:
    """``type "label" ... { body }``: attributes ``(name, value)`` and nested blocks, in order."""

    def __init__(
        self,
        type: str,
        *labels: str,
        body: list[Union[tuple[str, Any], "Block"]] | None = None,
        comments: list[str] | None = None,
    ) -> None:
        _ident(type)
        self.type, self.labels = type, tuple(labels)
        self.body = list(body or [])
        self.comments = list(comments or [])


def _ident(name: str) -> str:
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not a Terraform identifier: {name!r}")
    return name


def _key(name: str) -> str:
    # a bare identifier is a literal key in an object constructor (never a variable); others are quoted
    return name if _IDENT.fullmatch(name) else string(name)


def string(value: str) -> str:
    """``value`` as an HCL quoted string literal that Terraform reads back as exactly ``value``."""
    out = []
    for ch in value:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


def comment(text: str) -> str:
    return "# " + " ".join(str(text).split())


def value(v: Any, depth: int = 0) -> str:
    pad, inner = INDENT * depth, INDENT * (depth + 1)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, Ref):
        return v.address
    if isinstance(v, Call):
        return f"{v.function}(" + ", ".join(value(a, depth) for a in v.args) + ")"
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        if all(isinstance(x, (str, bool, int, Ref)) for x in v) and len(v) <= 1:
            return "[" + value(v[0], depth) + "]"
        return "[\n" + "".join(f"{inner}{value(x, depth + 1)},\n" for x in v) + f"{pad}]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        rows = _aligned([(_key(str(k)), value(x, depth + 1)) for k, x in v.items()], inner)
        return "{\n" + "".join(row + "\n" for row in rows) + f"{pad}}}"
    raise TypeError(f"no HCL form for {type(v).__name__}")


def block(b: Block, depth: int = 0) -> str:
    pad, inner = INDENT * depth, INDENT * (depth + 1)
    head = " ".join([b.type, *(string(label) for label in b.labels)])
    lines = [f"{pad}{head} {{"]
    lines += [inner + comment(c) for c in b.comments]
    attributes: list[tuple[str, str]] = []
    for item in b.body:
        if isinstance(item, Block):
            lines += _aligned(attributes, inner) + [block(item, depth + 1)]
            attributes = []
        else:
            name, v = item
            attributes.append((_ident(name), value(v, depth + 1)))
    lines += _aligned(attributes, inner)
    lines.append(f"{pad}}}")
    return "\n".join(lines)


def _aligned(rows: list[tuple[str, str]], indent: str) -> list[str]:
    """``name = value`` lines, the ``=`` of each run of one-line values aligned (``terraform fmt``'s
    layout: a value spanning lines ends the run and is not padded)."""
    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(n) for n, _v in run), default=0)
        out.extend(f"{indent}{n.ljust(width)} = {v}" for n, v in run)
        run.clear()

    for name, text in rows:
        if "\n" in text:
            flush()
            out.append(f"{indent}{name} = {text}")
        else:
            run.append((name, text))
    flush()
    return out


def render(blocks: list[Block], header: list[str] | None = None) -> str:
    """A whole ``.tf`` file: the header comments, then the blocks, one blank line apart."""
    top = "".join(comment(c) + "\n" for c in header or [])
    return top + ("\n" if top else "") + "\n\n".join(block(b) for b in blocks) + "\n"
