"""What publishing checks before its first request: names GitHub would refuse or silently change,
and an API URL the token may be sent to.

Repository names (GitHub, "Repository limits" > "Repository name",
https://docs.github.com/en/repositories/creating-and-managing-repositories/repository-limits): at
most 100 characters; ASCII letters, digits, ``.``, ``-`` and ``_`` only (GitHub turns any other
character into ``-`` and creates the repository under that other name); a ``.git`` suffix is
removed and a ``.wiki`` suffix is refused. ``.`` and ``..`` are not names. GitHub documents no
rule against ``--`` or a trailing ``_`` in a repository name, so neither is refused here.

The API URL carries the token in every request, so it must be ``https://``; plain ``http://`` is
accepted only for a server on this machine (127.0.0.0/8, ``::1``, ``localhost``): a test double
or a local proxy.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from bbws_scaffold.errors import PublishError

REPO_NAME_MAX = 100
_REPO_RE = re.compile(r"[A-Za-z0-9._-]+")
# organisation logins: letters, digits and single inner hyphens, at most 39 characters
_ORG_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?")


def check_org(org: str) -> None:
    if not _ORG_RE.fullmatch(org):
        raise PublishError(f"{org!r} is not a valid GitHub organisation name", where="--org")


def repo_name_problem(name: str) -> str | None:
    """Why GitHub would refuse (or silently rename) a repository called ``name``; ``None`` if it would not."""
    if not name or name in (".", ".."):
        return "it is not a name"
    if len(name) > REPO_NAME_MAX:
        return f"it is {len(name)} characters long; GitHub allows at most {REPO_NAME_MAX}"
    bad = sorted({c for c in name if not _REPO_RE.fullmatch(c)})
    if bad:
        return f"it contains {''.join(bad)!r}; GitHub allows only ASCII letters, digits, '.', '-' and '_'"
    lowered = name.lower()
    if lowered.endswith(".git"):
        return "it ends in '.git', which GitHub removes"
    if lowered.endswith(".wiki"):
        return "it ends in '.wiki', which GitHub reserves for wikis"
    return None


def check_repo_name(name: str) -> None:
    problem = repo_name_problem(name)
    if problem is not None:
        raise PublishError(f"repository name {name!r} cannot be published to GitHub: {problem}")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(url: str) -> None:
    """An API URL the token may be sent to (see the module docstring). Messages never repeat the
    URL whole: it might carry credentials."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise PublishError("not a URL (is the port a number?)", where="--api-url") from None
    if parts.username is not None or parts.password is not None:
        raise PublishError("must not carry credentials (the token comes from GITHUB_TOKEN)", where="--api-url")
    if parts.scheme not in ("https", "http") or not host:
        raise PublishError(
            f"{parts.scheme or 'no scheme'}://{host}: the GitHub API is an https:// URL", where="--api-url"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise PublishError(
            f"http://{host} would send the token unencrypted: use https:// "
            "(plain http is accepted only on this machine: 127.0.0.0/8, ::1, localhost)",
            where="--api-url",
        )
