"""The docker CLI, called through one small runner so the command lines are testable.

Commands are argument lists passed to :func:`subprocess.run` (``shell=False``); secrets reach docker
only on stdin (``docker login --password-stdin``), never in argv. Each push/pull session logs in
with its own throw-away client configuration folder (``docker --config DIR``), so no registry
credential outlives the operation.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 - argument lists only, never a shell
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bbws_scaffold.runtime.errors import RuntimeOpError


@dataclass(frozen=True)
class Completed:
    """What a command did: its argv, exit code and (when captured) its output."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""


class Runner(Protocol):
    """Runs one command. ``capture=False`` streams its output to the job log (builds, pushes)."""

    def __call__(
        self, argv: Sequence[str], *, stdin: str | None = None, capture: bool = True, cwd: Path | None = None
    ) -> Completed: ...


class SubprocessRunner:
    """The real runner: :func:`subprocess.run` with an argument list and a time limit."""

    def __init__(self, timeout_s: float = 3600.0) -> None:
        self.timeout_s = timeout_s

    def __call__(
        self, argv: Sequence[str], *, stdin: str | None = None, capture: bool = True, cwd: Path | None = None
    ) -> Completed:
        args = [str(a) for a in argv]
        try:
            res = subprocess.run(  # nosec B603 - argv list, no shell; the executable is `docker`
                args,
                input=stdin,
                capture_output=capture,
                text=True,
                timeout=self.timeout_s,
                cwd=cwd,
                check=False,
            )
        except FileNotFoundError as exc:
            raise RuntimeOpError(f"`{args[0]}` is not installed or not on PATH") from exc
        except subprocess.TimeoutExpired as exc:
            raise RuntimeOpError(f"`{' '.join(args[:3])} ...` did not finish within {self.timeout_s:.0f}s") from exc
        return Completed(tuple(args), res.returncode, res.stdout or "", res.stderr or "")


class Docker:
    """The docker commands the operations use, each built as an argument list."""

    def __init__(self, runner: Runner, executable: str = "docker", config_dir: Path | None = None) -> None:
        self.runner = runner
        self.executable = executable
        self.config_dir = config_dir

    def _base(self) -> list[str]:
        return [self.executable, *(["--config", str(self.config_dir)] if self.config_dir else [])]

    def _run(
        self,
        args: Sequence[str],
        *,
        what: str,
        stdin: str | None = None,
        capture: bool = True,
        cwd: Path | None = None,
        check: bool = True,
    ) -> Completed:
        res = self.runner([*self._base(), *args], stdin=stdin, capture=capture, cwd=cwd)
        if check and res.returncode != 0:
            detail = " ".join((res.stderr or res.stdout).split())[-400:]
            raise RuntimeOpError(f"{what} failed (exit {res.returncode}){': ' + detail if detail else ''}")
        return res

    def login(self, registry: str, password: str) -> None:
        """``docker login --username AWS --password-stdin REGISTRY`` (the token on stdin only)."""
        self._run(
            ["login", "--username", "AWS", "--password-stdin", registry],
            stdin=password,
            what=f"docker login to {registry}",
        )

    def build(self, *, dockerfile: str, tag: str, context: str, build_args: dict[str, str], cwd: Path) -> None:
        args = ["build", "--pull", "--file", dockerfile, "--tag", tag]
        for key, value in build_args.items():
            args += ["--build-arg", f"{key}={value}"]
        self._run([*args, context], what=f"docker build of {tag}", capture=False, cwd=cwd)

    def tag(self, source: str, target: str) -> None:
        self._run(["tag", source, target], what=f"docker tag {source} {target}")

    def push(self, ref: str) -> None:
        self._run(["push", ref], what=f"docker push {ref}", capture=False)

    def pull(self, ref: str) -> None:
        self._run(["pull", ref], what=f"docker pull {ref}", capture=False)

    def repo_digests(self, ref: str) -> list[str]:
        """``RepoDigests`` of a local image (``registry/repo@sha256:...``, one per registry it was pushed to)."""
        res = self._run(
            ["image", "inspect", "--format", "{{json .RepoDigests}}", ref], what=f"docker image inspect {ref}"
        )
        try:
            value = json.loads(res.stdout.strip() or "null")
        except ValueError as exc:
            raise RuntimeOpError(f"docker image inspect {ref}: unexpected output {res.stdout[:200]!r}") from exc
        return [str(v) for v in value or []]

    def labels(self, ref: str) -> dict[str, str]:
        res = self._run(
            ["image", "inspect", "--format", "{{json .Config.Labels}}", ref], what=f"docker image inspect {ref}"
        )
        try:
            value = json.loads(res.stdout.strip() or "null")
        except ValueError as exc:
            raise RuntimeOpError(f"docker image inspect {ref}: unexpected output {res.stdout[:200]!r}") from exc
        return {str(k): str(v) for k, v in (value or {}).items()}

    def run_in(self, ref: str, entrypoint: str, *args: str) -> Completed:
        """``docker run --rm --network none --entrypoint X IMAGE ARGS``: one program, no shell, no network."""
        return self._run(
            ["run", "--rm", "--network", "none", "--entrypoint", entrypoint, ref, *args],
            what=f"{entrypoint} in {ref}",
            check=False,
        )

    def info(self) -> bool:
        """Whether a Docker engine answers (``docker info``)."""
        try:
            return (
                self._run(["info", "--format", "{{json .ServerVersion}}"], what="docker info", check=False).returncode
                == 0
            )
        except RuntimeOpError:
            return False
