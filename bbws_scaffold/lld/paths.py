"""Endpoint paths API Gateway accepts: checked, and made consistent, before the model is built.

API Gateway (REST API) builds one resource per path segment, and its rules are those of
``CreateResource``'s ``pathPart`` (the message AWS and moto give for a bad one: "Resource's path
part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus
sign before the closing brace"), plus one more: a resource has at most one variable child, so
sibling routes must use one variable name at the same position ("A sibling ({id}) of this resource
already has a variable path part -- only one is allowed").

* A path whose segments break the character rule (quotes, spaces, non-ASCII, ``%``, ...) is an
  error at its line: it is never silently left out of ``terraform/api_gateway.tf``.
* A path written with an elision (``/tenants/{tenantId}/.../items``, ``…``) is an error: the
  real path is not in the document.
* Sibling variables with different names (``/payments/{paymentId}`` beside ``/payments/{id}``)
  are renamed to the first name the document uses at that position, with a warning; the
  endpoint's ``path`` is rewritten in route form (``{name}`` placeholders, no query string), so
  the handler reads the parameter API Gateway sends.

The route form of a path (``<int:id>`` -> ``{id}``, query and fragment cut, a leading ``/``, no
trailing one) is :func:`route_path`.
"""

from __future__ import annotations

import re

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.model import Endpoint, split_params

LITERAL_RE = re.compile(r"[A-Za-z0-9._-]+")
VARIABLE_RE = re.compile(r"\{([A-Za-z0-9._-]+)(\+?)\}")
_ELISION_RE = re.compile(r"^(?:\.{3,}|…)$|\.{3}|…")


def route_path(path: str) -> str:
    """``path`` in route form: ``<id>``/``<int:id>`` -> ``{id}``, no query or fragment, a leading
    ``/`` and no trailing one."""
    p = "".join("{" + name + "}" if name is not None else piece for piece, name in split_params(path))
    p = re.sub(r"[?#].*$", "", p, flags=re.DOTALL).strip()
    p = p if p.startswith("/") else "/" + p
    return p.rstrip("/") or "/"


def segments(path: str) -> list[str]:
    """The path parts of a route-form path (``/`` has none)."""
    return [] if path == "/" else path[1:].split("/")


def segment_problem(seg: str) -> str | None:
    """Why API Gateway refuses ``seg`` as a path part, or None."""
    if _ELISION_RE.search(seg):
        return f"'{seg}' elides part of the path; write the full path"
    if not seg:
        return "an empty path segment ('//')"
    if LITERAL_RE.fullmatch(seg) or VARIABLE_RE.fullmatch(seg):
        return None
    bad = sorted({ch for ch in seg if not (LITERAL_RE.fullmatch(ch) or ch in "{}+")})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        return f"'{seg}' holds {shown}: API Gateway allows only A-Z a-z 0-9 . _ - in a path part"
    return f"'{seg}': braces only around a whole path part ({{name}} or {{name+}})"


def check(endpoints: list[Endpoint], sink: DiagnosticSink) -> None:
    """Refuse paths API Gateway refuses, and give sibling variables one name (see the module doc)."""
    parts: dict[int, list[str]] = {}
    for i, ep in enumerate(endpoints):
        path = route_path(ep.path)
        problems = [p for p in (segment_problem(s) for s in segments(path)) if p]
        if _ELISION_RE.search(ep.path) and not any("elides" in p for p in problems):
            problems.insert(0, "the path elides part of itself with '...'; write the full path")
        for problem in problems:
            sink.error(ep.line or 1, f"{ep.method} {ep.path}: {problem}")
        if not problems:
            parts[i] = segments(path)
    _one_variable_per_position(endpoints, parts, sink)


def _one_variable_per_position(endpoints: list[Endpoint], parts: dict[int, list[str]], sink: DiagnosticSink) -> None:
    depth = max((len(p) for p in parts.values()), default=0)
    for d in range(depth):
        chosen: dict[tuple[str, ...], tuple[str, Endpoint]] = {}  # parent resource -> first variable there
        for i, segs in parts.items():
            if len(segs) <= d or not VARIABLE_RE.fullmatch(segs[d]):
                continue
            ep, parent = endpoints[i], tuple(segs[:d])
            first = chosen.setdefault(parent, (segs[d], ep))
            if segs[d] == first[0]:
                continue
            where = "/" + "/".join(parent + (segs[d],))
            if segs[d].endswith("+}") != first[0].endswith("+}"):
                sink.error(
                    ep.line or 1,
                    f"{ep.method} {ep.path}: {segs[d]} and {first[0]} ({first[1].method} {first[1].path}) are two "
                    f"variables at {where}; API Gateway allows one variable path part per resource",
                )
                continue
            sink.warn(
                ep.line or 1,
                f"{ep.method} {ep.path}: path variable {segs[d]} renamed {first[0]} as in {first[1].method} "
                f"{first[1].path} (API Gateway allows one variable name per path position)",
            )
            segs[d] = first[0]
            ep.path = "/" + "/".join(segs)
