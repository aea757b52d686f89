"""git for publishing (GitPython): init ``main``, the first commit, and the push.

The token is given to git per command as an ``http.extraheader`` through ``GIT_CONFIG_*``
environment variables: it is not on the command line (``ps``), not in the remote URL and never
written to ``.git/config``. The ``origin`` remote records the plain clone URL.

GitPython is imported inside each step (~85 ms): a dry run and the API-only steps never load it.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from bbws_scaffold.errors import PublishError

INITIAL_MESSAGE = "feat: initial scaffold from LLD"


@dataclass(frozen=True)
class Author:
    name: str
    email: str


def auth_env(token: str | None, url: str) -> dict[str, str]:
    """Per-command git environment: no prompts, and the token as an HTTP header for https remotes."""
    env = {"GIT_TERMINAL_PROMPT": "0"}
    if token and url.startswith("https://"):
        n = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update(
            {
                "GIT_CONFIG_COUNT": str(n + 1),
                f"GIT_CONFIG_KEY_{n}": "http.extraheader",
                f"GIT_CONFIG_VALUE_{n}": f"AUTHORIZATION: basic {basic}",
            }
        )
    return env


def _git_error(action: str, exc: Exception, token: str | None) -> PublishError:
    text = " ".join(str(getattr(exc, "stderr", "") or exc).split())
    if token:
        text = text.replace(token, "***")
    return PublishError(f"git {action} failed: {text}")


def commit_initial(target: Path, author: Author, branch: str = "main") -> tuple[str, bool]:
    """``git init -b main`` and the first commit unless the repository already has one.

    Returns ``(HEAD sha, whether a commit was made)``; a re-run finds the commit and makes none.
    """
    from git import Actor, Repo
    from git.exc import GitCommandError

    try:
        repo = Repo(target) if (target / ".git").exists() else Repo.init(target, initial_branch=branch)
        if repo.head.is_valid():
            if repo.active_branch.name != branch:
                raise PublishError(f"{target}: the checked-out branch is {repo.active_branch.name}, not {branch}")
            return repo.head.commit.hexsha, False
        repo.git.add("-A")
        actor = Actor(author.name, author.email)
        commit = repo.index.commit(INITIAL_MESSAGE, author=actor, committer=actor)
        return commit.hexsha, True
    except GitCommandError as exc:
        raise _git_error("commit", exc, None) from None


def remote_sha(target: Path, url: str, branch: str, token: str | None) -> str | None:
    """The commit ``branch`` points at on the remote, or ``None`` when it has no such branch."""
    from git import Repo
    from git.exc import GitCommandError

    try:
        out = str(Repo(target).git.ls_remote(url, f"refs/heads/{branch}", env=auth_env(token, url)))
    except GitCommandError as exc:
        raise _git_error("ls-remote", exc, token) from None
    return out.split()[0] if out.strip() else None


def push(target: Path, url: str, branch: str, token: str | None) -> None:
    """Push ``branch`` (never forced) and record ``origin`` as the plain clone URL."""
    from git import Repo
    from git.exc import GitCommandError

    repo = Repo(target)
    try:
        repo.git.push(url, f"refs/heads/{branch}:refs/heads/{branch}", env=auth_env(token, url))
    except GitCommandError as exc:
        raise _git_error(f"push of {branch}", exc, token) from None
    if "origin" not in [r.name for r in repo.remotes]:
        repo.create_remote("origin", url)
