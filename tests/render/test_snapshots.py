"""The generated tree of the example LLDs: which files each example gets, and what the catalogue's say.

Structure, for every example: the generated paths follow from the spec and the blueprint. Every
file the blueprint holds under a plain name is there (copied, or rendered from its ``.jinja``);
each per-item or conditional template yields what its rule below derives from the spec (one
handler module and one integration test per function, one model module per entity, ...).

Content, for the catalogue example only: a syrupy snapshot of every file rendered from a
``.jinja`` template, so that each blueprint change shows up as a reviewable diff. Files copied as
they are and the copier answers file (the whole spec, snapshotted by tests/test_examples.py) are
left out. Refresh deliberately with ``pytest tests/render/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from bbws_scaffold.config.environments import environments_answer
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.plan.code import build_plan
from bbws_scaffold.render.new import render
from tests.paths import CATALOGUE_LLD, ROOT, example_llds
from tests.render.specs import catalogue_spec, load_spec

BLUEPRINT = ROOT / "blueprints" / "lambda_service"
ANSWERS = ".copier-answers.yml"
ANSWERS_TEMPLATE = "{{ _copier_conf.answers_file }}.jinja"
LLDS = example_llds()


def blueprint_files() -> list[str]:
    """The blueprint's file names as copier sees them (``_macros`` and caches are excluded;
    directory symlinks, such as the vendored runtime, are followed as copier follows them)."""
    skip = {"_macros", "__pycache__"}
    files = (Path(d) / f for d, _, names in os.walk(BLUEPRINT, followlinks=True) for f in names)
    return sorted(
        p.relative_to(BLUEPRINT).as_posix()
        for p in files
        if not skip & set(p.relative_to(BLUEPRINT).parts) and p.suffix != ".pyc"
    )


def is_templated_name(name: str) -> bool:
    return "{" in name


def shape(name: str) -> str:
    """A templated file name with its tags dropped and each expression as ``*``:
    ``src/handlers/{% yield fn from spec.functions %}{{ fn.ident }}{% endyield %}.py.jinja`` is
    ``src/handlers/*.py``."""
    return re.sub(r"\{\{.*?\}\}", "*", re.sub(r"\{%.*?%\}", "", name)).removesuffix(".jinja")


def per_item_files(spec: ServiceSpec, envs: list[str]) -> dict[str, list[str]]:
    """What each per-item or conditional template yields for ``spec``, by the shape of its name."""
    entities = [e for t in spec.tables for e in t.entities]
    keyed = [e for e in entities if e.pk]
    # which functions get a logic module and contract tests is the handler plan's decision
    # (a stub route, a CRUD route that cannot honour its models); the templates must follow it
    handlers = build_plan(spec).handlers
    idempotent = any(e.access.idempotent for e in spec.endpoints)
    return {
        ".github/workflows/deploy-*.yml": [f".github/workflows/deploy-{env}.yml" for env in envs[:1]],
        ".github/workflows/promote-*.yml": [f".github/workflows/promote-{env}.yml" for env in envs[1:]],
        "terraform/backend/*.hcl": [f"terraform/backend/{env}.hcl" for env in envs],
        "terraform/environments/*.tfvars": [f"terraform/environments/{env}.tfvars" for env in envs],
        "src/handlers/*.py": [f"src/handlers/{fn.ident}.py" for fn in spec.functions],
        "tests/integration/test_*.py": [f"tests/integration/test_{fn.ident}.py" for fn in spec.functions],
        "src/services/*_logic.py": [f"src/services/{h.ident}_logic.py" for h in handlers if h.logic],
        "tests/contract/test_*.py": [f"tests/contract/test_{h.ident}.py" for h in handlers if h.contract],
        "src/models/*.py": [f"src/models/{e.ident}.py" for e in entities],
        "src/repositories/*_repository.py": [f"src/repositories/{e.ident}_repository.py" for e in keyed],
        "src/services/*_service.py": [f"src/services/{e.ident}_service.py" for e in keyed],
        "terraform/api_gateway.tf": ["terraform/api_gateway.tf"] if spec.endpoints else [],
        # the LLD's tables and, with an idempotent route, the store of its answers
        "terraform/dynamodb.tf": ["terraform/dynamodb.tf"] if spec.tables or idempotent else [],
        "tests/security/test_access.py": ["tests/security/test_access.py"] if any(h.routes for h in handlers) else [],
        "src/utils/signature.py": ["src/utils/signature.py"] if any(e.access.signature for e in spec.endpoints) else [],
        "src/utils/idempotency.py": ["src/utils/idempotency.py"] if idempotent else [],
        "tests/integration/test_idempotency.py": ["tests/integration/test_idempotency.py"] if idempotent else [],
    }


def expected_files(spec: ServiceSpec) -> set[str]:
    plain = {name.removesuffix(".jinja") for name in blueprint_files() if not is_templated_name(name)}
    per_item = per_item_files(spec, environments_answer()["order"])
    return plain | {path for paths in per_item.values() for path in paths} | {ANSWERS}


def generated_files(repo: Path) -> set[str]:
    return {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}


def test_every_templated_name_in_the_blueprint_has_a_rule() -> None:
    shapes = {shape(name) for name in blueprint_files() if is_templated_name(name) and name != ANSWERS_TEMPLATE}
    assert shapes == set(per_item_files(catalogue_spec(), ["dev"]))


@pytest.mark.parametrize("lld", LLDS, ids=[p.parent.name for p in LLDS])
def test_generated_files_follow_the_spec(lld: Path, tmp_path: Path) -> None:
    spec = load_spec(lld)
    repo = render(spec, tmp_path)
    assert generated_files(repo) == expected_files(spec)

    for path in sorted(repo.rglob("*.py")):
        ast.parse(path.read_text(encoding="utf-8"), str(path))
    for fn in spec.functions:  # the entry point Terraform names: src.handlers.<ident>.handler
        module = ast.parse((repo / "src" / "handlers" / f"{fn.ident}.py").read_text(encoding="utf-8"))
        assert "handler" in {n.name for n in module.body if isinstance(n, ast.FunctionDef)}, fn.ident
    service = json.loads((repo / "deploy" / "service.json").read_text(encoding="utf-8"))
    assert [f["ident"] for f in service["functions"]] == [fn.ident for fn in spec.functions]
    assert sorted((r["method"], r["path"]) for r in service["routes"]) == sorted(
        (e.method, e.path) for e in spec.endpoints
    )


def test_catalogue_templated_files(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    repo = render(load_spec(CATALOGUE_LLD), tmp_path)
    copied = {name for name in blueprint_files() if not name.endswith(".jinja")}
    templated = sorted(generated_files(repo) - copied - {ANSWERS})
    assert {path: (repo / path).read_text(encoding="utf-8") for path in templated} == snapshot
