"""Security scanners for the generated code: bandit and detect-secrets.

* **bandit** ``-r src -f json -q``: every severity and confidence (LOW and up),
  only ``src/`` (tests legitimately use ``assert``, B101). ``# nosec`` markers
  are honoured as bandit does by default; they are visible in review.
* **detect-secrets** ``scan --all-files`` over the whole repository (not only
  git-tracked files: a freshly generated repo may not be committed yet), minus
  build/cache/vendor folders (``.git``, ``.venv``, ``node_modules``,
  ``.terraform``, ``.tools``, ``dist``, ``build``, caches) and
  ``.terraform.lock.hcl`` (public provider checksums). Inline
  ``# pragma: allowlist secret`` is honoured. Findings carry the secret type,
  never the secret.
  ``.copier-answers.yml`` is scanned on its own with the credential-format
  detectors only (AWS keys, private keys, tokens ...): it is the LLD transcribed
  as data, whose field names (``JWT_SECRET_ARN``, route ``key``) would trip the
  name-based heuristics on every service, while a real credential pasted into an
  LLD still has a credential's format and is still reported. The generated CI
  workflow scans it the same way.

Both run from the gate tools directory (or PATH): they are command-line tools,
not libraries bbws-scaffold imports, and keeping them out of the package's own
dependencies keeps ``pip install bbws-scaffold`` lean.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from .findings import CheckOutput, Finding, ToolStats
from .terraform import rel
from .tools import ResolvedTool, ToolFailure, parse_json, run, tail, version_of

SRC_DIR = "src"
ANSWERS_FILE = ".copier-answers.yml"
# name/entropy heuristics: noise on data transcribed from an LLD (see module docstring)
HEURISTIC_PLUGINS = ("KeywordDetector", "IbmCloudIamDetector", "Base64HighEntropyString", "HexHighEntropyString")
EXCLUDE_FILES = (
    r"(^|/)(\.git|\.venv|venv|node_modules|\.terraform|\.tools|dist|build|"
    r"\.mypy_cache|\.pytest_cache|\.ruff_cache|__pycache__|\.hypothesis)/"
    r"|(^|/)\.terraform\.lock\.hcl$"
    r"|^\.copier-answers\.yml$"
)


def check_bandit(repo: Path, bandit: ResolvedTool) -> CheckOutput:
    start = time.monotonic()
    if not (repo / SRC_DIR).is_dir():
        return CheckOutput((), ToolStats("bandit", 0, 0.0, checked=0))
    res = run("bandit", [*bandit.argv, "-r", SRC_DIR, "-f", "json", "-q"], cwd=repo, timeout=600)
    if res.returncode not in (0, 1):
        raise ToolFailure("bandit", f"exited {res.returncode}: {tail(res.stderr or res.stdout)}")
    data = parse_json("bandit", res.stdout)
    if not isinstance(data, dict):
        raise ToolFailure("bandit", "expected a JSON object")
    findings = []
    for r in data.get("results", []):
        findings.append(
            Finding(
                "bandit",
                rel(repo, r.get("filename", "")),
                int(r.get("line_number") or 0),
                f"{r.get('test_id', '?')}",
                f"{str(r.get('issue_text', '')).strip()} "
                f"(severity {str(r.get('issue_severity', '?')).lower()}, "
                f"confidence {str(r.get('issue_confidence', '?')).lower()})",
            )
        )
    for err in data.get("errors", []):
        findings.append(Finding("bandit", rel(repo, err.get("filename", "")), 0, "error", str(err.get("reason", ""))))
    scanned = len([k for k in data.get("metrics", {}) if k != "_totals"])
    return CheckOutput(
        tuple(findings),
        ToolStats("bandit", len(findings), time.monotonic() - start, checked=scanned, version=version_of(bandit, repo)),
    )


def check_detect_secrets(repo: Path, detect_secrets: ResolvedTool) -> CheckOutput:
    start = time.monotonic()
    results = _scan(detect_secrets, repo, ["--all-files", "--exclude-files", EXCLUDE_FILES, "."])
    if (repo / ANSWERS_FILE).is_file():
        disabled = [arg for plugin in HEURISTIC_PLUGINS for arg in ("--disable-plugin", plugin)]
        results.update(_scan(detect_secrets, repo, [*disabled, ANSWERS_FILE]))
    findings = []
    for filename, secrets in sorted(results.items()):
        for s in secrets:
            findings.append(
                Finding(
                    "detect-secrets",
                    rel(repo, filename),
                    int(str(s.get("line_number") or 0)),
                    str(s.get("type", "secret")).replace(" ", "-").lower(),
                    f"possible secret ({s.get('type', 'unknown type')}); remove it and rotate it, "
                    "or mark a false positive with `# pragma: allowlist secret`",
                )
            )
    return CheckOutput(
        tuple(findings),
        ToolStats(
            "detect-secrets",
            len(findings),
            time.monotonic() - start,
            checked=_count_files(repo) + int((repo / ANSWERS_FILE).is_file()),
            version=version_of(detect_secrets, repo),
        ),
    )


def _scan(detect_secrets: ResolvedTool, repo: Path, args: list[str]) -> dict[str, list[dict[str, object]]]:
    """One ``detect-secrets scan`` run: its ``results`` mapping (file -> findings)."""
    res = run("detect-secrets", [*detect_secrets.argv, "scan", *args], cwd=repo, timeout=600)
    if res.returncode != 0:
        raise ToolFailure("detect-secrets", f"exited {res.returncode}: {tail(res.stderr or res.stdout)}")
    data = parse_json("detect-secrets", res.stdout)
    if not isinstance(data, dict):
        raise ToolFailure("detect-secrets", "expected a JSON object")
    return dict(data.get("results") or {})


def _count_files(repo: Path) -> int:
    """Files detect-secrets looked at (same exclusions), for the stats line."""
    pattern = re.compile(EXCLUDE_FILES)
    count = 0
    for root, dirs, files in os.walk(repo):
        base = Path(root).relative_to(repo).as_posix()
        prefix = "" if base == "." else base + "/"
        dirs[:] = [d for d in dirs if not pattern.search(f"{prefix}{d}/")]
        count += sum(1 for f in files if not pattern.search(prefix + f))
    return count
