"""Terraform, with plan-file discipline: what is applied is exactly the plan that was shown.

``init`` uses the environment's backend file, ``plan`` always writes a plan file, and ``apply``
accepts only a plan file this wrapper wrote (checked by digest, so a plan swapped or edited in
between is refused). In production nothing is ever destroyed: ``destroy`` (and a destroy-mode
plan) is refused outright, and a plan that deletes or replaces a stateful resource (tables, keys,
queues, buckets, log groups) is refused before it is applied.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess  # nosec B404 - fixed argument lists, never a shell
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.log import log, redact_text

PROTECTED_TYPES = frozenset(
    {
        "aws_dynamodb_table",
        "aws_kms_key",
        "aws_sqs_queue",
        "aws_s3_bucket",
        "aws_cloudwatch_log_group",
        "aws_secretsmanager_secret",
    }
)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Terraform:
    """One Terraform working directory deployed to one environment."""

    def __init__(
        self,
        workdir: str | Path,
        env_name: str,
        *,
        production: bool,
        binary: str = "terraform",
        protected_types: frozenset[str] = PROTECTED_TYPES,
    ) -> None:
        self.workdir = Path(workdir)
        self.env_name = env_name
        self.production = production
        self.protected_types = protected_types
        found = shutil.which(binary)
        if found is None:
            raise RuntimeOpError(f"terraform binary {binary!r} not found on PATH")
        self.binary = found
        self._plans: dict[Path, str] = {}

    # -- running ---------------------------------------------------------------------------
    def _run(self, args: Sequence[str], *, capture: bool = False) -> str:
        cmd = [self.binary, f"-chdir={self.workdir}", *args]
        env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0")
        log("terraform.run", env=self.env_name, args=list(args))
        proc = subprocess.run(  # nosec B603 - argument list, binary resolved on PATH
            cmd,
            env=env,
            stdout=subprocess.PIPE if capture else sys.stderr,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = " ".join(redact_text(proc.stderr or "").split())[-800:]
            raise RuntimeOpError(f"terraform {args[0]} failed (exit {proc.returncode}): {tail}")
        if proc.stderr:
            sys.stderr.write(redact_text(proc.stderr))
        return proc.stdout if capture else ""

    # -- commands --------------------------------------------------------------------------
    def init(self, backend_config: str | Path | None = None) -> None:
        args = ["init", "-input=false", "-reconfigure", "-no-color"]
        if backend_config is not None:
            path = Path(backend_config)
            if not (self.workdir / path).is_file() and not path.is_file():
                raise RuntimeOpError(f"backend configuration {path} not found (relative to {self.workdir})")
            args.append(f"-backend-config={path}")
        self._run(args)

    def plan(self, plan_file: str | Path, *, var_file: str | Path | None = None, destroy: bool = False) -> Path:
        """Write a plan to ``plan_file`` (relative to the working directory) and remember its digest."""
        if destroy:
            self._refuse_destroy()
        rel = Path(plan_file)
        args = ["plan", "-input=false", "-lock-timeout=5m", "-no-color", f"-out={rel}"]
        if var_file is not None:
            args.append(f"-var-file={var_file}")
        if destroy:
            args.append("-destroy")
        self._run(args)
        path = (self.workdir / rel).resolve()
        self._plans[path] = _file_digest(path)
        log("terraform.planned", env=self.env_name, plan=str(rel), destroy=destroy)
        return path

    def show(self, plan_file: Path) -> dict[str, Any]:
        out = self._run(["show", "-json", "-no-color", str(plan_file)], capture=True)
        try:
            data = json.loads(out)
        except json.JSONDecodeError as exc:
            raise RuntimeOpError(f"terraform show -json returned no JSON: {exc}") from exc
        return data if isinstance(data, dict) else {}

    def check_plan(self, plan_file: Path) -> list[str]:
        """Refuse in production a plan that destroys anything stateful; return the changed addresses."""
        data = self.show(plan_file)
        changed: list[str] = []
        doomed: list[str] = []
        for change in data.get("resource_changes") or []:
            actions = (change.get("change") or {}).get("actions") or []
            if actions == ["no-op"] or actions == ["read"]:
                continue
            address = str(change.get("address"))
            changed.append(address)
            if "delete" in actions and (change.get("type") in self.protected_types):
                doomed.append(address)
        if self.production and doomed:
            raise Refused(
                f"the {self.env_name} plan deletes or replaces stateful resources ({', '.join(doomed)}): "
                "production data is never destroyed by a deployment"
            )
        return changed

    def apply(self, plan_file: Path) -> None:
        """Apply exactly ``plan_file``: one this wrapper planned, unchanged since."""
        path = Path(plan_file).resolve()
        expected = self._plans.get(path)
        if expected is None:
            raise Refused(f"{plan_file} was not planned by this run: only a plan just shown is applied")
        if not path.is_file() or _file_digest(path) != expected:
            raise Refused(f"{plan_file} changed after it was planned: refusing to apply it")
        self.check_plan(path)
        self._run(["apply", "-input=false", "-lock-timeout=5m", "-no-color", str(path)])
        del self._plans[path]
        log("terraform.applied", env=self.env_name, plan=str(plan_file))

    def output(self) -> dict[str, Any]:
        out = self._run(["output", "-json", "-no-color"], capture=True)
        data = json.loads(out or "{}")
        return {k: v.get("value") for k, v in data.items()} if isinstance(data, dict) else {}

    def destroy(self, plan_file: str | Path = "destroy.tfplan", *, var_file: str | Path | None = None) -> None:
        """Destroy a non-production environment, through a plan file like everything else."""
        self._refuse_destroy()
        self.apply(self.plan(plan_file, var_file=var_file, destroy=True))

    def _refuse_destroy(self) -> None:
        if self.production:
            log("terraform.destroy_refused", env=self.env_name)
            raise Refused(f"terraform destroy in {self.env_name} (production) is refused, always")
