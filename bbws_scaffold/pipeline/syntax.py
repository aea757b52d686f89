"""Does every file of a repository parse? The one syntax check ``new`` and the gate both run.

* ``.py``: byte-compiled with :func:`compile` (not only parsed: ``def f(self, token, token)`` and a
  repeated keyword argument are errors of the compiler, not of the parser).
* ``.yml``/``.yaml``: ruamel.yaml's safe loader (YAML 1.2, the dialect of :mod:`bbws_scaffold.yamlfile`).
* ``.json``: :mod:`json`; ``.toml``: :mod:`tomllib`.
* ``.tf``/``.tfvars``/``.hcl`` under ``terraform/``: python-hcl2 (:func:`.terraform.parse_file`).
  The gate's own ``hcl2`` check already reports those, so :func:`check_syntax` leaves them out.

Each failure is one :class:`~.findings.Finding` of tool ``syntax`` at the file and line.
"""

from __future__ import annotations

import json
import os
import time
import tomllib
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .findings import CheckOutput, Finding, ToolStats
from .terraform import HCL_SUFFIXES, TERRAFORM_DIR, parse_file, rel

TOOL = "syntax"
_SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", ".terraform", "__pycache__", ".mypy_cache"})
_KINDS = {".py": "python", ".yml": "yaml", ".yaml": "yaml", ".json": "json", ".toml": "toml"}


def _files(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        out += [Path(dirpath) / f for f in sorted(filenames)]
    return out


def _python(name: str, text: str) -> tuple[int, str] | None:
    try:
        compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc.lineno or 0, exc.msg
    except ValueError as exc:  # source holding a NUL byte
        return 0, str(exc)
    return None


def _yaml(name: str, text: str) -> tuple[int, str] | None:
    try:
        YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return (mark.line + 1 if mark else 0), str(exc.problem or exc.context or "invalid YAML")
    except YAMLError as exc:
        return 0, str(exc).strip().splitlines()[0]
    return None


def _json(name: str, text: str) -> tuple[int, str] | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.msg
    return None


def _toml(name: str, text: str) -> tuple[int, str] | None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return 0, str(exc)
    return None


_PARSERS = {"python": _python, "yaml": _yaml, "json": _json, "toml": _toml}


def syntax_errors(root: Path, *, hcl: bool = True) -> list[Finding]:
    """A finding per file under ``root`` that does not compile or parse (none: all is well)."""
    findings: list[Finding] = []
    for path in _files(root):
        name = rel(root, path)
        if hcl and name.startswith(TERRAFORM_DIR + "/") and path.name.endswith(HCL_SUFFIXES):
            parsed = parse_file(root, path)
            if parsed.error is not None:
                findings.append(Finding(TOOL, name, parsed.error.line, "hcl", parsed.error.message))
            continue
        kind = _KINDS.get(path.suffix)
        if kind is None:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            findings.append(Finding(TOOL, name, 0, kind, f"unreadable: {exc}"))
            continue
        problem = _PARSERS[kind](name, text)
        if problem is not None:
            findings.append(Finding(TOOL, name, problem[0], kind, problem[1]))
    return findings


def check_syntax(repo: Path) -> CheckOutput:
    """The gate's check: every Python, YAML, JSON and TOML file parses (HCL: the ``hcl2`` check)."""
    t0 = time.perf_counter()
    findings = syntax_errors(repo, hcl=False)
    checked = sum(1 for p in _files(repo) if p.suffix in _KINDS)
    return CheckOutput(tuple(findings), ToolStats(TOOL, len(findings), time.perf_counter() - t0, checked=checked))
