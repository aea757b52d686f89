"""``terraform validate`` and ``terraform plan`` for real, against the offline AWS provider.

    from bbws_scaffold.pipeline.tf_offline import OfflineTerraform
    with OfflineTerraform(repo, terraform_argv) as tf:
        tf.validate()          -> list[Finding]   (``terraform validate -json``)
        tf.plan("dev")         -> list[Finding]   (``plan -var-file=environments/dev.tfvars``)
        tf.environments()      -> ["dev", "prod", "sit"]

The repo's ``terraform/`` root is copied to a scratch directory (nothing is written into the
repo), an ``override.tf`` replaces the ``backend "s3" {}`` with a local backend (Terraform's
override-file semantics), and ``terraform init`` installs only the offline provider
(:mod:`bbws_scaffold.pipeline.offline_provider`) from a filesystem mirror. Each diagnostic
Terraform prints becomes a finding at ``terraform/<file>:<line>``.

What this cannot catch is listed in :mod:`bbws_scaffold.pipeline.offline_provider.server`.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .findings import CheckOutput, Finding, ToolStats
from .offline_provider import available, install
from .tools import ResolvedTool, RunResult, ToolFailure, run, tail, tool_env

TERRAFORM_DIR = "terraform"
OVERRIDE = 'terraform {\n  backend "local" {}\n}\n'
OVERRIDE_NAME = "zz_bbws_offline_override.tf"
ARTIFACT_RE = re.compile(r'"(?:\$\{path\.module\}/)?(\.\./[A-Za-z0-9_./-]+\.zip)"')


class OfflineTerraform:
    def __init__(self, repo: Path, terraform: tuple[str, ...] | list[str], *, tool: str = "terraform-validate") -> None:
        self.repo = Path(repo).resolve()
        self.terraform = tuple(terraform)
        self.tool = tool
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.root = Path()
        self.env: dict[str, str] = {}
        self.init_findings: list[Finding] = []

    # -- set-up ----------------------------------------------------------------------------------
    def __enter__(self) -> "OfflineTerraform":

        self._tmp = tempfile.TemporaryDirectory(prefix="bbws-tf-offline-")
        tmp = Path(self._tmp.name)
        cli = install(tmp / "provider")
        self.root = tmp / "root"
        shutil.copytree(
            self.repo / TERRAFORM_DIR, self.root, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl")
        )
        (self.root / OVERRIDE_NAME).write_text(OVERRIDE, encoding="utf-8")
        self._placeholder_artifacts(tmp)
        self.env = tool_env()
        self.env.pop("TF_PLUGIN_CACHE_DIR", None)
        self.env.update({"TF_CLI_CONFIG_FILE": str(cli), "TF_INPUT": "0"})
        res = self.run(["init", "-input=false", "-no-color"])
        if res.returncode != 0:
            self.init_findings = [Finding(self.tool, TERRAFORM_DIR, 0, "init", tail(res.stderr or res.stdout))]
        return self

    def _placeholder_artifacts(self, tmp: Path) -> None:
        """Build artifacts the root reads from outside ``terraform/`` (``../dist/lambda.zip``,
        which CI builds before it plans): the repo's own copy when present, else an empty zip."""
        for tf_file in self.root.glob("*.tf"):
            for rel_path in ARTIFACT_RE.findall(tf_file.read_text(encoding="utf-8")):
                target = (self.root / rel_path).resolve()
                if not target.is_relative_to(tmp) or target.exists():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                own = (self.repo / TERRAFORM_DIR / rel_path).resolve()
                if own.is_file() and own.is_relative_to(self.repo):
                    shutil.copyfile(own, target)
                else:
                    with zipfile.ZipFile(target, "w") as zf:
                        zf.writestr("placeholder.txt", "offline plan: the real package is built by CI\n")

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def run(self, args: list[str], timeout: float = 600) -> RunResult:
        """``terraform ARGS`` in the scratch root, with the offline provider."""
        return run(self.tool, [*self.terraform, *args], cwd=self.root, timeout=timeout, env=self.env)

    # -- checks ----------------------------------------------------------------------------------
    def environments(self) -> list[str]:
        env_dir = self.repo / TERRAFORM_DIR / "environments"
        return sorted(p.stem for p in env_dir.glob("*.tfvars")) if env_dir.is_dir() else []

    def validate(self) -> list[Finding]:
        if self.init_findings:
            return list(self.init_findings)
        res = self.run(["validate", "-json", "-no-color"])
        try:
            doc = json.loads(res.stdout)
        except ValueError as exc:
            raise ToolFailure(self.tool, f"terraform validate printed no JSON ({exc}): {tail(res.stderr)}") from exc
        return [self._finding(d, "terraform-validate") for d in doc.get("diagnostics", [])]

    def plan(self, env: str, out: Path | None = None) -> list[Finding]:
        """Plan with ``environments/<env>.tfvars``; ``out`` keeps the saved plan (for ``show -json``)."""
        if self.init_findings:
            return [
                Finding("terraform-plan", f.file, f.line, f"{env}: {f.rule}", f.message) for f in self.init_findings
            ]
        args = ["plan", "-input=false", "-refresh=false", "-lock=false", "-json", "-no-color"]
        args.append(f"-var-file=environments/{env}.tfvars")
        args.append(f"-out={out if out is not None else self.root / f'{env}.tfplan'}")
        res = self.run(args)
        findings = []
        for line in res.stdout.splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("type") == "diagnostic":
                findings.append(self._finding(msg["diagnostic"], "terraform-plan", env))
        if res.returncode != 0 and not any(f.rule.startswith(f"{env}: error") for f in findings):
            findings.append(
                Finding("terraform-plan", TERRAFORM_DIR, 0, f"{env}: error", tail(res.stderr or res.stdout))
            )
        return findings

    def show_json(self, plan_file: Path) -> dict[str, Any]:
        res = self.run(["show", "-json", str(plan_file)])
        if res.returncode != 0:
            raise ToolFailure(self.tool, f"terraform show failed: {tail(res.stderr)}")
        doc: dict[str, Any] = json.loads(res.stdout)
        return doc

    def _finding(self, diag: dict[str, Any], tool: str, env: str = "") -> Finding:
        rng = diag.get("range") or {}
        filename = rng.get("filename") or ""
        line = int((rng.get("start") or {}).get("line") or 0)
        file = f"{TERRAFORM_DIR}/{filename}" if filename else TERRAFORM_DIR
        if filename == OVERRIDE_NAME:
            file = f"{TERRAFORM_DIR} (backend override)"
        message = diag.get("summary", "")
        if diag.get("detail"):
            message += ": " + " ".join(diag["detail"].split())
        severity = diag.get("severity", "error")
        return Finding(tool, file, line, f"{env}: {severity}" if env else severity, message)


def check_terraform_offline(repo: Path, terraform: ResolvedTool, max_parallel: int = 3) -> list[CheckOutput]:
    """The gate's ``terraform-validate`` and ``terraform-plan`` (one plan per ``environments/*.tfvars``)."""
    start = time.monotonic()
    missing = available()
    if missing is not None or not (repo / TERRAFORM_DIR).is_dir():
        note = f"skipped: {missing}" if missing else f"skipped: no {TERRAFORM_DIR}/ directory"
        return [
            CheckOutput((), ToolStats(name, 0, time.monotonic() - start, unit="environments", skipped=1, note=note))
            for name in ("terraform-validate", "terraform-plan")
        ]
    with OfflineTerraform(repo, terraform.argv) as tf:
        validate_findings = tf.validate()
        validated = time.monotonic()
        envs = tf.environments()
        with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(envs) or 1))) as pool:
            plans = list(pool.map(tf.plan, envs))
    version = "offline aws 6.25.0"
    return [
        CheckOutput(
            tuple(validate_findings),
            ToolStats("terraform-validate", len(validate_findings), validated - start, 1, "roots", version=version),
        ),
        CheckOutput(
            tuple(f for p in plans for f in p),
            ToolStats(
                "terraform-plan",
                sum(len(p) for p in plans),
                time.monotonic() - validated,
                len(envs),
                "environments (" + ", ".join(f"{e}: {len(p)}" for e, p in zip(envs, plans)) + ")",
                version=version,
            ),
        ),
    ]
