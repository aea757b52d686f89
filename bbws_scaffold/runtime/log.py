"""Structured logging: one JSON object per line on stderr, secrets redacted.

GitHub Actions shows stderr in the job log; a JSON line per event is both readable there and
parseable by log tooling. Values whose *key* looks like a credential are replaced wholesale, and
anything that *looks* like an AWS secret or session token, a URL's ``user:password@`` or a
``password=...`` inside a value is masked, so a careless ``log("x", response=...)`` cannot leak
one. :func:`redact_text` does the same for every other message the runtime prints or stores
(the CLI's error line and ``BBWS_DEBUG`` traceback, recorded failure details, SNS messages,
Terraform's passed-through stderr).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Mapping
from typing import IO, Any

REDACTED = "***"

_SECRET_KEY = re.compile(r"(secret|password|passwd|token|credential|private[_-]?key|authorization|signature)", re.I)
_SECRET_VALUE = re.compile(
    r"(?:(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9]))"  # access key ids
    # 40-character secret access keys (base64 alphabet); a 40-digit hex git sha is left alone
    r"|(?:(?<![A-Za-z0-9/+])(?![0-9a-f]{40}(?![A-Za-z0-9/+]))[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+]))"
)

# the password (or token) in a URL's userinfo (scheme://user:pw@host): all of it goes  # pragma: allowlist secret
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]+@")
# ``password=...``, ``token: ...``, ``X-Amz-Signature=...`` inside a message or a query string
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)((?:secret|password|passwd|token|credential|signature|authorization)[A-Za-z0-9_-]*[\"']?\s*[=:]\s*[\"']?)"
    r"(?!\*\*\*)[^\s&\"',;}]+"
)

_stream: IO[str] | None = None


def set_stream(stream: IO[str] | None) -> None:
    """Send log lines to ``stream`` instead of ``sys.stderr`` (``None`` restores stderr)."""
    global _stream
    _stream = stream


def redact(value: Any, key: str = "") -> Any:
    """``value`` with credentials removed, recursively (keys decide first, then value shapes)."""
    if key and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(str(value))


def redact_text(text: str) -> str:
    """``text`` with URL passwords, ``secret=...`` assignments and AWS key shapes masked."""
    text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
    text = _SECRET_ASSIGNMENT.sub(rf"\1{REDACTED}", text)
    return _SECRET_VALUE.sub(REDACTED, text)


def log(event: str, **fields: Any) -> None:
    """Write ``{"ts", "event", **fields}`` as one JSON line to stderr."""
    record = {"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event}
    record.update(redact(fields))
    stream = _stream if _stream is not None else sys.stderr
    stream.write(json.dumps(record, sort_keys=False, default=str) + "\n")
    stream.flush()
