"""Who and what is running: the GitHub Actions run (or a local shell) an operation records."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.log import redact_text

_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")
_REF_RE = re.compile(r"^refs/[A-Za-z0-9._/-]{1,200}$")


@dataclass(frozen=True)
class RunContext:
    git_sha: str
    actor: str
    run_id: str
    run_url: str
    commit_time: str = ""  # ISO 8601, of the deployed commit: $BBWS_COMMIT_TIME (scripts/ set it from git)
    git_ref: str = ""  # $GITHUB_REF: refs/heads/hotfix/... marks a hotfix (DORA change failure rate)

    @classmethod
    def from_env(cls) -> RunContext:
        """Read GitHub's default variables (``GITHUB_SHA``, ``GITHUB_ACTOR``, ``GITHUB_RUN_ID``, ...)."""
        sha = os.environ.get("GITHUB_SHA", "")
        run_id = os.environ.get("GITHUB_RUN_ID", "")
        server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
        repo = os.environ.get("GITHUB_REPOSITORY", "")
        url = redact_text(f"{server}/{repo}/actions/runs/{run_id}") if repo and run_id else ""
        actor = os.environ.get("GITHUB_ACTOR") or os.environ.get("USER") or "unknown"
        return cls(
            git_sha=sha if _SHA_RE.fullmatch(sha) else "",
            actor=actor,
            run_id=run_id,
            run_url=url,
            commit_time=_iso_or_empty(os.environ.get("BBWS_COMMIT_TIME", "")),
            git_ref=ref if _REF_RE.fullmatch(ref := os.environ.get("GITHUB_REF", "")) else "",
        )

    def default_version(self) -> str:
        """The release label of a build: its commit sha (promote checks that commit out again)."""
        return self.git_sha


def _iso_or_empty(text: str) -> str:
    try:
        return datetime.fromisoformat(text.strip()).isoformat() if text.strip() else ""
    except ValueError:
        return ""


def check_version(version: str | None) -> str:
    """A release label (``--version``): letters, digits, ``. _ -``; at most 64 characters."""
    if not version or not _VERSION_RE.fullmatch(version):
        raise RuntimeOpError(
            f"version {version!r} must be 1-64 letters, digits, '.', '_' or '-' (by default the commit sha)"
        )
    return version
