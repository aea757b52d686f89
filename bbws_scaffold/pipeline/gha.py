"""Read GitHub Actions workflow files with line numbers (ruamel.yaml round-trip).

Shared by the platform policy checks (:mod:`.policy`) and the shellcheck runner
(:mod:`.workflows`). ruamel.yaml is used because it keeps the position of every
key (``CommentedMap.lc``) and, being YAML 1.2, leaves the ``on:`` key a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

WORKFLOW_DIR = ".github/workflows"


def workflow_files(repo: Path) -> list[Path]:
    d = repo / WORKFLOW_DIR
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix in (".yml", ".yaml"))


def key_line(node: Any, key: str, default: int = 0) -> int:
    """1-based line of ``key`` in mapping ``node`` (``default`` if unknown)."""
    if isinstance(node, CommentedMap) and key in node:
        try:
            return int(node.lc.key(key)[0]) + 1
        except (KeyError, TypeError, AttributeError):
            pass
    return default


def node_line(node: Any, default: int = 0) -> int:
    lc = getattr(node, "lc", None)
    if lc is not None and getattr(lc, "line", None) is not None:
        return int(lc.line) + 1
    return default


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass
class Step:
    index: int
    data: dict[str, Any]
    line: int

    @property
    def uses(self) -> str:
        return text(self.data.get("uses")).strip()

    @property
    def run(self) -> str:
        return text(self.data.get("run"))

    @property
    def name(self) -> str:
        return text(self.data.get("name")).strip()

    @property
    def id(self) -> str:
        return text(self.data.get("id")).strip()

    @property
    def with_(self) -> dict[str, Any]:
        return as_map(self.data.get("with"))

    @property
    def label(self) -> str:
        return self.name or self.id or self.uses or f"step {self.index + 1}"

    def line_of(self, key: str) -> int:
        return key_line(self.data, key, self.line)

    def run_is_literal_block(self) -> bool:
        return isinstance(self.data.get("run"), LiteralScalarString)


@dataclass
class Job:
    id: str
    data: dict[str, Any]
    line: int
    steps: list[Step] = field(default_factory=list)

    @property
    def uses(self) -> str:
        """Reusable-workflow call (``jobs.<id>.uses``)."""
        return text(self.data.get("uses")).strip()

    def line_of(self, key: str) -> int:
        return key_line(self.data, key, self.line)


@dataclass
class Workflow:
    path: Path
    rel: str
    source: str
    data: dict[str, Any]
    jobs: list[Job]

    def line_of(self, key: str) -> int:
        return key_line(self.data, key, 1)


class WorkflowError(Exception):
    def __init__(self, rel: str, line: int, message: str) -> None:
        super().__init__(f"{rel}:{line}: {message}")
        self.rel = rel
        self.line = line
        self.message = message


def load_workflow(repo: Path, path: Path) -> Workflow:
    rel = path.relative_to(repo).as_posix()
    source = path.read_text(encoding="utf-8", errors="replace")
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(source)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1) if mark is not None else 0
        raise WorkflowError(rel, line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except YAMLError as exc:
        raise WorkflowError(rel, 0, f"invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise WorkflowError(rel, 1, "a workflow must be a YAML mapping")
    jobs: list[Job] = []
    for job_id, job_data in as_map(data.get("jobs")).items():
        jd = as_map(job_data)
        job = Job(str(job_id), jd, key_line(data.get("jobs"), job_id, 1))
        steps = jd.get("steps")
        if isinstance(steps, list):
            for i, st in enumerate(steps):
                if isinstance(st, dict):
                    job.steps.append(Step(i, st, node_line(st, job.line)))
        jobs.append(job)
    return Workflow(path, rel, source, data, jobs)
