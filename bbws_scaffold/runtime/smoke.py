"""smoke: HTTP checks of the deployed API, derived from the service's routes (``service.json``).

Every route is called once against the stage URL. Path parameters get a value no real item has,
so reads answer 404 and writes with an empty JSON body answer 400: the check is that nothing
answers 5xx (the function starts, its imports and configuration work, the route is wired) and
nothing times out. DELETE routes are never called, in any environment. Results go to a JSON file
the deployment report reads.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.log import log, redact_text
from bbws_scaffold.runtime.manifest import Route, ServiceManifest

PLACEHOLDER = "bbws-smoke-0000"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_SKIPPED_METHODS = frozenset({"DELETE"})


@dataclass(frozen=True)
class Check:
    method: str
    path: str
    url: str
    status: int | None  # None: no HTTP answer (connection error, timeout) or skipped
    passed: bool
    skipped: bool = False
    error: str = ""
    millis: int = 0


def concrete_path(route: Route) -> str:
    """The route's path with each ``{param}`` replaced by a placeholder value."""
    out, rest = [], route.path
    while "{" in rest:
        head, _, tail = rest.partition("{")
        _, _, rest = tail.partition("}")
        out += [head, urllib.parse.quote(PLACEHOLDER, safe="")]
    return "".join(out) + rest


def check_base_url(base_url: str) -> str:
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise RuntimeOpError(f"smoke base URL {base_url!r} must be an http(s) URL without query or fragment")
    return base_url.rstrip("/")


def run_checks(manifest: ServiceManifest, base_url: str, *, timeout: float = 10.0) -> list[Check]:
    base = check_base_url(base_url)
    checks: list[Check] = []
    for route in manifest.routes:
        url = base + concrete_path(route)
        shown = redact_text(url)  # results and logs never carry a password in the base URL
        if route.method in _SKIPPED_METHODS:
            checks.append(Check(route.method, route.path, shown, None, passed=True, skipped=True))
            continue
        data = b"{}" if route.method in _BODY_METHODS else None
        req = urllib.request.Request(url, data=data, method=route.method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        start = time.monotonic()
        status: int | None
        error = ""
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # nosec B310 - scheme checked above
                status = resp.status
                resp.read(65536)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            status, error = None, str(getattr(exc, "reason", exc))
        millis = int((time.monotonic() - start) * 1000)
        passed = status is not None and status < 500
        checks.append(Check(route.method, route.path, shown, status, passed, error=error, millis=millis))
        log("smoke.check", method=route.method, path=route.path, status=status, passed=passed, error=error)
    return checks


def write_results(checks: list[Check], path: str | Path) -> None:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(c) for c in checks], indent=2) + "\n", encoding="utf-8")


def read_results(path: str | Path) -> list[Check]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Check(**item) for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def base_url_from_outputs(path: str | Path) -> str:
    """``api_url`` from a saved ``terraform output -json`` (what ``deploy`` writes)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeOpError(f"cannot read terraform outputs {path}: {exc}") from exc
    value = data.get("api_url")
    value = value.get("value") if isinstance(value, dict) else value
    if not isinstance(value, str):
        raise RuntimeOpError(f"{path} has no api_url output: pass --base-url")
    return value
