"""The regular expressions an LLD may constrain a string with, checked and sampled.

Only the subset both Python's ``re`` and pydantic-core's Rust regex accept passes
:func:`pattern_ok`; :func:`generate` builds a string from a parsed pattern (the sample values
check it with ``re`` afterwards, so a wrong guess is never emitted).
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+: re._parser; older: sre_parse
    import re._constants as _sre_c  # type: ignore[import-not-found]
    import re._parser as _sre_p  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_p  # type: ignore[no-redef]


class Unsupported(Exception):
    """The pattern uses something outside the accepted subset (or no sample character exists)."""


def parse_regex(p: str) -> Any:
    parsed = _sre_p.parse(p)
    _check_nodes(parsed)
    return parsed


def pattern_ok(p: str) -> bool:
    """Compiles, and uses only what both Python's re and pydantic-core's Rust regex accept."""
    try:
        re.compile(p)
        parse_regex(p)
    except (re.error, Unsupported, OverflowError, RecursionError):
        return False
    return True


_OK_OPS = {"LITERAL", "NOT_LITERAL", "IN", "ANY", "MAX_REPEAT", "MIN_REPEAT", "SUBPATTERN", "BRANCH", "AT", "CATEGORY"}


def _check_nodes(seq: Any) -> None:
    for op, av in seq:
        name = str(op)
        if name not in _OK_OPS:
            raise Unsupported(name)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            _check_nodes(av[2])
        elif name == "SUBPATTERN":
            _check_nodes(av[-1])
        elif name == "BRANCH":
            for alt in av[1]:
                _check_nodes(alt)


_CANDIDATES = "aA1bcx0Z9-_.@ +:/"
_CATS = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
}


def _in_set(c: str, items: Any) -> bool:
    neg = False
    hit = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            neg = True
        elif name == "LITERAL":
            hit = hit or ord(c) == av
        elif name == "RANGE":
            hit = hit or av[0] <= ord(c) <= av[1]
        elif name == "CATEGORY":
            hit = hit or _CATS.get(str(av), lambda _c: False)(c)
        else:
            raise Unsupported(name)
    return hit != neg


def _one_char(pred: Any) -> str:
    for c in _CANDIDATES:
        if pred(c):
            return c
    for o in range(33, 127):
        if pred(chr(o)):
            return chr(o)
    raise Unsupported("no character")


def generate(seq: Any, budget: list[int]) -> str:
    """A string matching the parsed pattern ``seq``; repeats grow while ``budget[0]`` lasts."""
    out = []
    for op, av in seq:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(av))
        elif name == "NOT_LITERAL":
            out.append(_one_char(lambda c, av=av: ord(c) != av))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_one_char(lambda c, av=av: _in_set(c, av)))
        elif name == "CATEGORY":
            out.append(_one_char(_CATS.get(str(av), lambda _c: False)))
        elif name == "AT":
            continue
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            lo, hi, sub = av
            hi = lo + 10_000 if hi == _sre_c.MAXREPEAT else hi
            part = generate(sub, [0])
            count = lo
            while budget[0] > 0 and count < hi and part:
                count += 1
                budget[0] -= len(part)
            out.append("".join(generate(sub, [0]) for _ in range(count)))
        elif name == "SUBPATTERN":
            out.append(generate(av[-1], budget))
        elif name == "BRANCH":
            out.append(generate(av[1][0], budget))
        else:
            raise Unsupported(name)
    return "".join(out)
