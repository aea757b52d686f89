"""Terraform checks that need no provider: ``terraform fmt`` and python-hcl2 parsing.

* :func:`check_fmt` runs ``terraform fmt -check -recursive -list=true -diff`` on
  ``terraform/`` (``.tf`` and ``.tfvars``) and pipes every other ``*.hcl`` file
  (backend partial configs; ``terraform fmt`` refuses that extension on the
  command line) through ``terraform fmt -``. One finding per diff hunk, at the
  first line that differs.
* :func:`check_parse` parses every ``.tf``, ``.tfvars`` and ``.hcl`` file under
  ``terraform/`` with python-hcl2 (the parser the rest of bbws-scaffold uses),
  reporting syntax errors and duplicate arguments with their line.

``terraform validate``/``plan`` run in :mod:`bbws_scaffold.pipeline.tf_offline` against the
offline AWS provider; :mod:`bbws_scaffold.pipeline.schema` checks argument names without Terraform.
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule, StartRule

from .findings import CheckOutput, Finding, ToolStats
from .tools import ResolvedTool, ToolFailure, run, version_of

TERRAFORM_DIR = "terraform"
HCL_SUFFIXES = (".tf", ".tfvars", ".hcl")
_SKIP_DIRS = {".terraform", ".git", "node_modules"}
_FIX = "run `terraform fmt -recursive terraform`"


def terraform_files(repo: Path, suffixes: tuple[str, ...] = HCL_SUFFIXES) -> list[Path]:
    """HCL files under ``repo/terraform`` (sorted; ``.terraform/`` and lock files skipped)."""
    root = repo / TERRAFORM_DIR
    if not root.is_dir():
        return []
    out = []
    for p in root.rglob("*"):
        if not p.is_file() or not p.name.endswith(suffixes):
            continue
        if _SKIP_DIRS.intersection(p.relative_to(repo).parts):
            continue
        if p.name == ".terraform.lock.hcl":
            continue
        out.append(p)
    return sorted(out)


def rel(repo: Path, p: Path | str) -> str:
    path = Path(p)
    if not path.is_absolute():
        path = repo / path
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return Path(p).as_posix()


# --------------------------------------------------------------------------- fmt

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")
_TF_ERROR = re.compile(r"^(?:Error|│ Error): (?P<msg>.+)$")
_TF_ON = re.compile(r"on (?P<file>\S+) line (?P<line>\d+)")


def _diff_findings(repo: Path, diff: str, default_file: str | None = None) -> list[Finding]:
    """One finding per hunk of a unified diff, at the first changed old line."""
    findings: list[Finding] = []
    current = default_file
    old_line = 0
    in_hunk_reported = True
    for line in diff.splitlines():
        if line.startswith("--- "):
            name = line[4:].strip()
            if name.startswith("old/"):
                name = name[4:]
            current = rel(repo, name) if name not in ("-", "") else default_file
            continue
        if line.startswith("+++ "):
            continue
        m = _HUNK.match(line)
        if m:
            old_line = int(m.group(1))
            in_hunk_reported = False
            continue
        if current is None or in_hunk_reported:
            continue
        if line.startswith(" "):
            old_line += 1
        elif line.startswith(("-", "+")):
            findings.append(
                Finding(
                    "terraform-fmt",
                    current,
                    max(old_line, 1),
                    "fmt",
                    f"not `terraform fmt`-clean from here; {_FIX}",
                )
            )
            in_hunk_reported = True
    return findings


def _error_findings(repo: Path, stderr: str) -> list[Finding]:
    """Terraform syntax errors ("Error: X ... on FILE line N") as findings."""
    findings = []
    message = None
    for raw in stderr.splitlines():
        line = raw.strip().lstrip("│").strip()
        m = _TF_ERROR.match(line)
        if m:
            message = m.group("msg").strip()
            continue
        m = _TF_ON.search(line)
        if m and message:
            findings.append(
                Finding(
                    "terraform-fmt",
                    rel(repo, m.group("file")),
                    int(m.group("line")),
                    "syntax",
                    message,
                )
            )
            message = None
    return findings


def _unified_diff(old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "-", "-", n=0))


def check_fmt(repo: Path, terraform: ResolvedTool) -> CheckOutput:
    start = time.monotonic()
    findings: list[Finding] = []
    tf_files = terraform_files(repo, (".tf", ".tfvars"))
    other = [p for p in terraform_files(repo, (".hcl",)) if not p.name.endswith(".tftest.hcl")]
    if tf_files:
        res = run(
            "terraform-fmt",
            [*terraform.argv, "fmt", "-check", "-recursive", "-list=true", "-diff", "-no-color", TERRAFORM_DIR],
            cwd=repo,
            timeout=300,
        )
        if res.returncode not in (0, 2, 3):
            raise ToolFailure("terraform-fmt", f"exited {res.returncode}: {res.stderr.strip()[-400:]}")
        found = _diff_findings(repo, res.stdout) + _error_findings(repo, res.stderr)
        if res.returncode != 0 and not found:
            listed = [ln.strip() for ln in res.stdout.splitlines() if ln.strip().endswith((".tf", ".tfvars"))]
            found = [
                Finding("terraform-fmt", rel(repo, f), 0, "fmt", f"not `terraform fmt`-clean; {_FIX}") for f in listed
            ]
            if not found:
                raise ToolFailure(
                    "terraform-fmt", f"exited {res.returncode} without a diff: {res.stderr.strip()[-400:]}"
                )
        findings += found
    for path in other:
        text = path.read_text(encoding="utf-8", errors="replace")
        res = run("terraform-fmt", [*terraform.argv, "fmt", "-no-color", "-"], cwd=repo, stdin=text, timeout=120)
        name = rel(repo, path)
        if res.returncode != 0:
            errs = _error_findings(repo, res.stderr)
            if not errs:
                raise ToolFailure("terraform-fmt", f"`fmt -` on {name} exited {res.returncode}")
            findings += [replace(e, file=name) for e in errs]
            continue
        if res.stdout != text:
            findings += [
                replace(f, message=f"not `terraform fmt`-clean from here; compare with `terraform fmt - < {name}`")
                for f in _diff_findings(repo, _unified_diff(text, res.stdout), default_file=name)
            ]
    return CheckOutput(
        tuple(findings),
        ToolStats(
            "terraform-fmt",
            len(findings),
            time.monotonic() - start,
            checked=len(tf_files) + len(other),
            version=version_of(terraform, repo),
        ),
    )


# --------------------------------------------------------------------------- parse


@dataclass(frozen=True)
class ParsedFile:
    path: Path
    tree: StartRule | None
    error: Finding | None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "parse error"


def parse_file(repo: Path, path: Path) -> ParsedFile:
    """Parse one HCL file with python-hcl2; a failure is returned as a finding."""
    name = rel(repo, path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ParsedFile(path, None, Finding("hcl2", name, 0, "unreadable", str(exc)))
    try:
        tree = hcl2.parses(text)
    except Exception as exc:  # lark raises several exception types
        line = int(getattr(exc, "line", 0) or 0)
        token = getattr(exc, "token", None)
        if token is not None and getattr(token, "type", "") == "$END":
            msg = "unexpected end of file (unclosed block, bracket or string?)"
        elif token is not None:
            msg = f"unexpected {str(token).strip()[:40]!r}"
        else:
            msg = _first_line(str(exc))
        col = getattr(exc, "column", None)
        if col and col > 0:
            msg += f" (column {col})"
        return ParsedFile(path, None, Finding("hcl2", name, max(line, 0), "syntax", msg))
    return ParsedFile(path, tree, None)


def line_of(node: object) -> int:
    meta = getattr(node, "_meta", None)
    return int(getattr(meta, "line", 0) or 0)


def attr_name(node: AttributeRule) -> str:
    return str(node.identifier.serialize())


def block_labels(node: BlockRule) -> list[str]:
    return [str(label.serialize()).strip('"') for label in node.labels]


def body_items(body: BodyRule) -> tuple[list[AttributeRule], list[BlockRule]]:
    attrs = [c for c in body.children if isinstance(c, AttributeRule)]
    blocks = [c for c in body.children if isinstance(c, BlockRule)]
    return attrs, blocks


def _duplicates(repo: Path, path: Path, body: BodyRule) -> list[Finding]:
    out: list[Finding] = []
    seen: dict[str, int] = {}
    attrs, blocks = body_items(body)
    for a in attrs:
        name = attr_name(a)
        if name in seen:
            out.append(
                Finding(
                    "hcl2",
                    rel(repo, path),
                    line_of(a),
                    "duplicate-argument",
                    f"argument `{name}` already set on line {seen[name]}",
                )
            )
        else:
            seen[name] = line_of(a)
    for b in blocks:
        out += _duplicates(repo, path, b.body)
    return out


def check_parse(repo: Path) -> tuple[CheckOutput, list[ParsedFile]]:
    """Parse every HCL file; returns the check output and the parsed trees
    (reused by the schema check)."""
    start = time.monotonic()
    parsed = [parse_file(repo, p) for p in terraform_files(repo)]
    findings = [pf.error for pf in parsed if pf.error is not None]
    for pf in parsed:
        if pf.tree is not None:
            findings += _duplicates(repo, pf.path, pf.tree.body)
    return (
        CheckOutput(
            tuple(findings),
            ToolStats("hcl2", len(findings), time.monotonic() - start, checked=len(parsed)),
        ),
        parsed,
    )
