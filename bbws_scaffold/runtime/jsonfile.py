"""Reading the runtime's JSON files (``deploy/*.json``) defensively, with errors naming file and line.

The standard library's parser accepts what a configuration must not hold: ``NaN`` and
``Infinity`` (not JSON at all), duplicate keys (the last one silently wins), and nesting deep
enough to end in ``RecursionError``. Here a file is refused before parsing when it is larger than
:data:`MAX_BYTES` or nested deeper than :data:`MAX_DEPTH`, and while parsing on a non-finite
number or a repeated key, each with ``FILE:LINE`` in the message.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.errors import RuntimeOpError

MAX_BYTES = 1 << 20  # the generated files are a few KiB
MAX_DEPTH = 16  # the deepest generated file nests 4 levels

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def nesting_error(text: str) -> str | None:
    """``"N: ..."`` (line N) where ``text`` first nests deeper than :data:`MAX_DEPTH`, else ``None``."""
    blanked = _STRING.sub(lambda m: '"' + " " * (len(m.group()) - 2) + '"', text)  # keep positions
    depth = 0
    for m in _BRACKET.finditer(blanked):
        depth = depth + 1 if m.group() in "[{" else depth - 1
        if depth > MAX_DEPTH:
            return f"{_line(text, m.start())}: nested deeper than {MAX_DEPTH} levels"
    return None


class _Refusal(ValueError):
    pass


def _no_constants(name: str) -> Any:
    raise _Refusal(f"{name} is not a JSON number (use a finite number)")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refusal(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refusal(f"{text} is too large for a number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:  # beyond any count or limit a configuration holds (and int64)
        raise _Refusal(f"{text[:24]}... is too large for a number")
    return int(text)


def read_json(path: Path, what: str) -> Any:
    """The parsed content of ``path`` (``what`` names it in errors: "the runtime configuration")."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise RuntimeOpError(f"{path}: cannot read {what}: {exc.strerror or exc}") from exc
    if len(raw) > MAX_BYTES:
        raise RuntimeOpError(f"{path}: larger than {MAX_BYTES} bytes; not {what}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuntimeOpError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    deep = nesting_error(text)
    if deep:
        raise RuntimeOpError(f"{path}:{deep}")
    try:
        return json.loads(
            text,
            parse_constant=_no_constants,
            object_pairs_hook=_no_duplicates,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as exc:
        raise RuntimeOpError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from exc
    except _Refusal as exc:
        raise RuntimeOpError(f"{path}: {exc}") from exc
