"""The GitHub REST transport: PyGithub's requester, clear error lines, rate-limit waits, dry run.

Reconcilers talk to an :class:`Api`: ``read`` (state that may not exist yet: ``None`` on 404),
``lookup`` (something that must exist: a team id, a public key), ``write`` (a change). The live
:class:`GitHubApi` sends them; :class:`DryRunApi` prints every call instead of writing, and reads
through a live client only when asked to (``--dry-run --read-live``); otherwise it sends nothing,
token or not, and assumes nothing exists yet.

The token is handed to PyGithub's ``Auth.Token`` and nowhere else: no message, log line or
printed call contains it. Secret values travel as :class:`Hidden` objects that print masked and
are only turned into their wire form (sealed-box ciphertext) when the request is sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from bbws_scaffold.errors import PublishError

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# PyGithub's pacing (GitHub asks for at least a second between writes to avoid secondary limits)
REQUEST_INTERVAL: float | None = 0.25
WRITE_INTERVAL: float | None = 1.0


def path(*segments: str) -> str:
    """A REST path with every segment percent-encoded (names from configuration stay one segment)."""
    return "/" + "/".join(quote(str(s), safe="") for s in segments)


class Hidden:
    """A value that must reach GitHub but never the screen (``repr`` is masked)."""

    def __init__(self, label: str, value: str) -> None:
        self.label = label
        self._value = value

    def wire(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"<{self.label}: masked>"


class Sealed(Hidden):
    """A secret value sealed (libsodium sealed box) with the repository's public key on sending."""

    def __init__(self, label: str, value: str, public_key: str) -> None:
        super().__init__(label, value)
        self.public_key = public_key

    def wire(self) -> str:
        from github.PublicKey import encrypt  # PyGithub: ~0.2 s to import, paid only by real calls

        return encrypt(self.public_key, self._value)

    def __repr__(self) -> str:
        return f"<{self.label} sealed with the public key>"


def to_wire(body: Any) -> Any:
    if isinstance(body, Hidden):
        return body.wire()
    if isinstance(body, dict):
        return {k: to_wire(v) for k, v in body.items()}
    if isinstance(body, list):
        return [to_wire(v) for v in body]
    return body


def show(body: Any) -> str:
    """A body as printed: JSON with hidden values masked, keys in a stable order."""
    return json.dumps(body, sort_keys=True, default=repr)


@dataclass
class Call:
    method: str
    path: str
    body: Any = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" {show(self.body)}" if self.body is not None else "")


class Api(Protocol):
    calls: list[Call]
    dry_run: bool

    def read(self, url: str) -> Any | None: ...

    def lookup(self, url: str, what: str) -> Any: ...

    def write(self, method: str, url: str, body: Any = None, *, errors: dict[int, str] | None = None) -> Any: ...


def _header(headers: dict[str, Any], name: str) -> str:
    return str(headers.get(name.lower(), "") or "")


def explain(status: int, headers: dict[str, Any], data: Any, method: str, url: str) -> str:
    """One line for an error response: what failed and what to do about it."""
    message = data.get("message", "") if isinstance(data, dict) else ""
    where = f"{method} {url}"
    if status == 401:
        return f"GitHub rejected the token (401 {message or 'Bad credentials'}) on {where}: set a valid GITHUB_TOKEN"
    if status == 403:
        needed = _header(headers, "X-Accepted-OAuth-Scopes")
        have = _header(headers, "X-OAuth-Scopes")
        if needed:
            return (
                f"the token lacks the scope needed for {where}: {needed} "
                f"(the token has: {have or 'no scopes'}); use a token with that scope"
            )
        return f"GitHub refused {where} (403 {message or 'Forbidden'}): the token lacks permission"
    if status == 404:
        return f"{where}: 404 not found (it does not exist, or the token cannot see it)"
    if status == 422:
        details = [e.get("message") or e.get("code", "") for e in data.get("errors", []) if isinstance(e, dict)]
        details += [e for e in data.get("errors", []) if isinstance(e, str)] if isinstance(data, dict) else []
        return f"GitHub rejected {where} (422 {message})" + (f": {'; '.join(map(str, details))}" if details else "")
    return f"GitHub answered {status} to {where}" + (f": {message}" if message else "")


class GitHubApi:
    """Live calls through PyGithub's requester (``Github(...).requester``)."""

    dry_run = False

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_waits: int = 3,
        max_wait_s: float = 900.0,
        throttle: bool = True,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        from github import Auth, Github  # PyGithub: ~0.2 s to import; a dry run never loads it

        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            retry=None,
            timeout=30,
            seconds_between_requests=REQUEST_INTERVAL if throttle else None,
            seconds_between_writes=WRITE_INTERVAL if throttle else None,
        )
        self._requester = self._gh.requester
        self.sleep, self.clock = sleep, clock
        self.max_waits, self.max_wait_s = max_waits, max_wait_s
        self.on_wait = on_wait or (lambda _msg: None)
        self.calls: list[Call] = []

    def close(self) -> None:
        self._gh.close()

    def _wait_for(self, status: int, headers: dict[str, Any], data: Any) -> float | None:
        """Seconds to wait when the answer is a rate limit, else ``None``."""
        if status not in (403, 429):
            return None
        retry_after = _header(headers, "Retry-After")
        if retry_after.isdigit():
            return float(retry_after)
        if _header(headers, "X-RateLimit-Remaining") == "0" and _header(headers, "X-RateLimit-Reset").isdigit():
            return max(float(_header(headers, "X-RateLimit-Reset")) - self.clock(), 0.0) + 1.0
        message = data.get("message", "") if isinstance(data, dict) else ""
        if status == 429 or "secondary rate limit" in message.lower():
            return 60.0  # GitHub: wait at least a minute when no header says how long
        return None

    def request(self, method: str, url: str, body: Any = None) -> tuple[int, dict[str, Any], Any]:
        self.calls.append(Call(method, url, body))
        waits = 0
        while True:
            try:
                status, raw_headers, text = self._requester.requestJson(
                    method, url, input=to_wire(body) if body is not None else None
                )
            except OSError as exc:  # requests' ConnectionError is an OSError
                raise PublishError(f"cannot reach GitHub for {method} {url}: {type(exc).__name__}") from None
            headers = {k.lower(): v for k, v in raw_headers.items()}
            try:
                data = json.loads(text) if text else None
            except ValueError:
                data = None
            wait = self._wait_for(status, headers, data)
            if wait is None:
                return status, headers, data
            if waits >= self.max_waits or wait > self.max_wait_s:
                raise PublishError(
                    f"GitHub rate limit on {method} {url}: still limited after {waits} wait(s); "
                    f"retry in {int(wait)}s"
                )
            waits += 1
            self.on_wait(f"rate limited by GitHub on {method} {url}: waiting {int(wait)}s before retrying")
            self.sleep(wait)

    def read(self, url: str) -> Any | None:
        status, headers, data = self.request("GET", url)
        if status == 404:
            return None
        if status >= 400:
            raise PublishError(explain(status, headers, data, "GET", url))
        return data

    def lookup(self, url: str, what: str) -> Any:
        status, headers, data = self.request("GET", url)
        if status == 404:
            raise PublishError(f"{what} not found on GitHub (GET {url}: 404)")
        if status >= 400:
            raise PublishError(explain(status, headers, data, "GET", url))
        return data

    def write(self, method: str, url: str, body: Any = None, *, errors: dict[int, str] | None = None) -> Any:
        status, headers, data = self.request(method, url, body)
        if status >= 400:
            known = (errors or {}).get(status)
            line = explain(status, headers, data, method, url)
            raise PublishError(f"{known} ({line})" if known and status not in (401, 403) else line)
        return data


class DryRunApi:
    """Prints every call; writes nothing. Reads go to ``live`` when given (``--read-live``)."""

    dry_run = True

    def __init__(self, out: Callable[[str], None], live: GitHubApi | None = None) -> None:
        self.out = out
        self.live = live
        self.calls: list[Call] = []

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self.out(str(call))

    def read(self, url: str) -> Any | None:
        self._record(Call("GET", url))
        return self.live.read(url) if self.live else None

    def lookup(self, url: str, what: str) -> Any:
        self._record(Call("GET", url))
        if self.live:
            found = self.live.read(url)
            if found is not None:
                return found
            # a live run would stop here, unless a change printed above creates it first
            self.out(f"  note: {what} does not exist yet (GET {url}: 404)")
        return {"id": f"<id of {what}>", "key": None, "key_id": f"<key_id of {what}>"}

    def write(self, method: str, url: str, body: Any = None, *, errors: dict[int, str] | None = None) -> Any:
        self._record(Call(method, url, body))
        return {}
