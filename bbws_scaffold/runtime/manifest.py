"""What the runtime deploys: ``deploy/service.json``, rendered next to ``environments.json``.

The generated repository renders it from the ``infra`` answer: the physical names of the
service's functions and tables (with ``{env}`` where the environment goes) and the API routes
the smoke checks call::

    {
      "service": "catalogue",
      "functions": [{"ident": "get_product", "name": "bbws-catalogue-get-product-{env}"}],
      "tables": [{"ident": "products", "name": "bbws-catalogue-products-{env}"}],
      "routes": [{"method": "GET", "path": "/products/{productId}", "public": false}]
    }

Names are checked against AWS's character sets here, so nothing read from the file can smuggle
anything into an API call or a log line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.config import RuntimeConfig
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.jsonfile import read_json

FILE_NAME = "service.json"
ENV_TOKEN = "{env}"

_IDENT_RE = re.compile(r"^[a-z0-9_]{1,64}$")
_FUNCTION_RE = re.compile(r"^[A-Za-z0-9_-]*(\{env\}[A-Za-z0-9_-]*)?$")
_TABLE_RE = re.compile(r"^[A-Za-z0-9_.-]*(\{env\}[A-Za-z0-9_.-]*)?$")
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_PATH_RE = re.compile(r"^/[A-Za-z0-9_./{}~:@!$&'()*+,;=-]*$")


@dataclass(frozen=True)
class Named:
    ident: str
    name: str

    def physical(self, env: str) -> str:
        """The resource's name in environment ``env``."""
        return self.name.replace(ENV_TOKEN, env)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    public: bool

    @property
    def has_params(self) -> bool:
        return "{" in self.path


@dataclass(frozen=True)
class ServiceManifest:
    service: str
    functions: tuple[Named, ...]
    tables: tuple[Named, ...]
    routes: tuple[Route, ...]
    source: Path

    def function_names(self, env: str) -> list[str]:
        return [f.physical(env) for f in self.functions]

    def table_names(self, env: str) -> list[str]:
        return [t.physical(env) for t in self.tables]


def load_manifest(config: RuntimeConfig, path: str | Path | None = None) -> ServiceManifest:
    """Read ``service.json`` (default: next to the configuration file) and validate it."""
    src = Path(path) if path is not None else config.source.parent / FILE_NAME
    manifest = parse_manifest(read_json(src, "the service manifest"), src, config.promotion_order)
    if manifest.service != config.service:
        raise RuntimeOpError(f"{src}: service {manifest.service!r} does not match {config.source} ({config.service!r})")
    return manifest


def parse_manifest(data: Any, source: Path, envs: tuple[str, ...] = ()) -> ServiceManifest:
    """``data`` checked: a name's length limit holds for its physical name in each of ``envs`` (without
    them, for the name with ``{env}`` left out)."""

    def fail(msg: str) -> RuntimeOpError:
        return RuntimeOpError(f"{source}: {msg}")

    if not isinstance(data, dict) or not isinstance(data.get("service"), str):
        raise fail("must be an object with a `service` name")

    def named(kind: str, pattern: re.Pattern[str], limit: int) -> tuple[Named, ...]:
        items = data.get(kind, [])
        if not isinstance(items, list):
            raise fail(f"`{kind}` must be a list")
        out: list[Named] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise fail(f"{kind}[{i}] must be an object")
            ident, name = item.get("ident"), item.get("name")
            if not isinstance(ident, str) or not _IDENT_RE.fullmatch(ident):
                raise fail(f"{kind}[{i}].ident must be a snake_case identifier")
            if not isinstance(name, str) or not pattern.fullmatch(name):
                raise fail(f"{kind}[{i}].name {name!r} is not a valid AWS name")
            for physical in [name.replace(ENV_TOKEN, env) for env in envs] or [name.replace(ENV_TOKEN, "")]:
                if not 1 <= len(physical) <= limit:
                    raise fail(f"{kind}[{i}].name {physical!r} is not a valid AWS name (1 to {limit} characters)")
            out.append(Named(ident=ident, name=name))
        return tuple(out)

    routes: list[Route] = []
    raw_routes = data.get("routes", [])
    if not isinstance(raw_routes, list):
        raise fail("`routes` must be a list")
    for i, item in enumerate(raw_routes):
        if not isinstance(item, dict):
            raise fail(f"routes[{i}] must be an object")
        method = str(item.get("method", "")).upper()
        path = item.get("path")
        if method not in _METHODS:
            raise fail(f"routes[{i}].method {method!r} is not an HTTP method")
        if not isinstance(path, str) or not _PATH_RE.fullmatch(path):
            raise fail(f"routes[{i}].path {path!r} is not a URL path")
        public = item.get("public", False)
        if not isinstance(public, bool):
            raise fail(f"routes[{i}].public must be true or false, not {public!r}")
        routes.append(Route(method=method, path=path, public=public))
    return ServiceManifest(
        service=data["service"],
        functions=named("functions", _FUNCTION_RE, 64),
        tables=named("tables", _TABLE_RE, 255),
        routes=tuple(routes),
        source=source,
    )
