"""checkov on ``terraform/``: zero failed checks; skips only inline, with a reason.

Runs ``checkov -d terraform --framework terraform -o json --skip-download``
(plus ``-d docker --framework dockerfile`` when the repo builds images under
``docker/<name>/Dockerfile``) from checkov's own virtualenv (see :mod:`bbws_scaffold.pipeline.tools`), with
the repository as working directory. ``--quiet`` is *not* passed: it drops
``skipped_checks`` from the JSON, and the skip reasons are needed.
``--skip-download`` keeps checkov offline (no Prisma Cloud policy metadata).

Findings (tool ``checkov``):

* every failed check: rule = check id (``CKV_AWS_117``), location = first line
  of the resource block, message = check name + resource address;
* ``skip-without-reason``: a ``#checkov:skip=CKV_X_N`` comment with no
  ``:reason`` (found by scanning the comments, so the line is the comment's);
  skipped checks whose suppress comment checkov reports as empty are reported
  too when the scan missed them;
* ``config-suppression``: a ``.checkov.yaml``/``.checkov.yml`` in the repo
  root or ``terraform/`` (checkov reads those automatically; a ``skip-check``
  there would hide failures without an inline reason);
* ``parse-error``: files checkov could not parse.

Stats carry checkov's own summary: passed / skipped / failed counts.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from .findings import CheckOutput, Finding, ToolStats
from .terraform import TERRAFORM_DIR, rel, terraform_files
from .tools import ResolvedTool, ToolFailure, parse_json, run, tail

TOOL = "checkov"
IMAGE_DIR = "docker"  # container images of an image repo: docker/<name>/Dockerfile
_SKIP_RE = re.compile(
    r"(?:checkov|bridgecrew):skip=\s*(?P<id>[A-Za-z0-9_]+)(?:\s*:(?P<reason>.*))?",
)
_COMMENT_START = re.compile(r"(#|//|/\*)")
_NO_REASON = {"", "no comment provided"}


def scan_skip_comments(repo: Path) -> tuple[list[Finding], set[tuple[str, str]]]:
    """Inline ``checkov:skip`` comments without a reason, plus every (file, check id)
    skipped inline (to cross-check checkov's own list)."""
    findings: list[Finding] = []
    skipped: set[tuple[str, str]] = set()
    for path in terraform_files(repo, (".tf",)):
        name = rel(repo, path)
        for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            c = _COMMENT_START.search(line)
            if not c:
                continue
            m = _SKIP_RE.search(line, c.start())
            if not m:
                continue
            check_id = m.group("id")
            skipped.add((name, check_id))
            reason = (m.group("reason") or "").strip().rstrip("*/").strip()
            if not reason:
                findings.append(
                    Finding(
                        TOOL,
                        name,
                        lineno,
                        "skip-without-reason",
                        f"`checkov:skip={check_id}` needs a reason: "
                        f"`#checkov:skip={check_id}:<why this check does not apply>`",
                    )
                )
    return findings, skipped


def _config_files(repo: Path) -> list[Finding]:
    out = []
    for d in (repo, repo / TERRAFORM_DIR):
        for name in (".checkov.yaml", ".checkov.yml"):
            if (d / name).is_file():
                out.append(
                    Finding(
                        TOOL,
                        rel(repo, d / name),
                        0,
                        "config-suppression",
                        "checkov reads this file automatically; suppress checks only inline "
                        "(`#checkov:skip=ID:reason` in the resource) so every skip has a visible reason",
                    )
                )
    return out


def _reports(data: Any) -> list[dict[str, Any]]:
    """checkov prints one report object, a list of them, or a bare summary."""
    if isinstance(data, list):
        return [d for d in data if isinstance(d, dict)]
    if isinstance(data, dict):
        return [data]
    raise ToolFailure(TOOL, f"unexpected JSON output type {type(data).__name__}")


def _file_of(repo: Path, check: dict[str, Any]) -> str:
    path = check.get("file_abs_path") or ""
    if path:
        return rel(repo, path)
    return rel(repo, f"{TERRAFORM_DIR}/{str(check.get('file_path', '')).lstrip('/')}")


def check_checkov(repo: Path, checkov: ResolvedTool) -> CheckOutput:
    start = time.monotonic()
    findings, inline_skips = scan_skip_comments(repo)
    findings += _config_files(repo)
    tf = terraform_files(repo, (".tf",))
    if not tf:
        return CheckOutput(
            tuple(findings),
            ToolStats(
                TOOL,
                len(findings),
                time.monotonic() - start,
                checked=0,
                unit="resources",
                passed=0,
                skipped=0,
                failed=0,
            ),
        )
    scans = [(TERRAFORM_DIR, "terraform")]
    if any((repo / IMAGE_DIR).glob("*/Dockerfile")):  # an image repo: its Dockerfiles too (a separate run:
        scans.append((IMAGE_DIR, "dockerfile"))  # checkov repeats reports when given two -d at once)
    reports: list[dict[str, Any]] = []
    for target, framework in scans:
        res = run(
            TOOL,
            [*checkov.argv, "-d", target, "--framework", framework, "-o", "json", "--skip-download", "--compact"],
            cwd=repo,
            timeout=900,
        )
        if res.returncode not in (0, 1):
            raise ToolFailure(TOOL, f"exited {res.returncode}: {tail(res.stderr or res.stdout)}")
        reports += _reports(parse_json(TOOL, res.stdout))
    passed = skipped = failed = resources = 0
    version = None
    for report in reports:
        summary = report.get("summary", report)
        passed += int(summary.get("passed", 0))
        skipped += int(summary.get("skipped", 0))
        failed += int(summary.get("failed", 0))
        resources += int(summary.get("resource_count", 0))
        version = summary.get("checkov_version", version)
        results = report.get("results", {})
        for check in results.get("failed_checks", []):
            line_range = check.get("file_line_range") or [0, 0]
            findings.append(
                Finding(
                    TOOL,
                    _file_of(repo, check),
                    int(line_range[0] or 0),
                    str(check.get("check_id")),
                    f"{check.get('check_name', '').strip()} [{check.get('resource', '?')}]",
                )
            )
        for check in results.get("skipped_checks", []):
            reason = str((check.get("check_result") or {}).get("suppress_comment") or "").strip()
            file = _file_of(repo, check)
            if reason.lower() in _NO_REASON and (file, check.get("check_id")) not in inline_skips:
                line_range = check.get("file_line_range") or [0, 0]
                findings.append(
                    Finding(
                        TOOL,
                        file,
                        int(line_range[0] or 0),
                        "skip-without-reason",
                        f"{check.get('check_id')} skipped without a reason [{check.get('resource', '?')}]",
                    )
                )
        for err in results.get("parsing_errors", []):
            findings.append(Finding(TOOL, rel(repo, str(err)), 0, "parse-error", "checkov could not parse this file"))
    return CheckOutput(
        tuple(findings),
        ToolStats(
            TOOL,
            len(findings),
            time.monotonic() - start,
            checked=resources,
            unit="resources",
            passed=passed,
            skipped=skipped,
            failed=failed,
            version=version,
        ),
    )
