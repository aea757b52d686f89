"""Snapshots of the generated tree (relative path -> content) for the example LLDs.

Every blueprint change shows up here as a reviewable diff; refresh deliberately with
``pytest tests/render/test_snapshots.py --snapshot-update``. Volatile answers (``_commit``, the
library version tag) are excluded.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from bbws_scaffold.render.new import render
from tests.paths import example_llds
from tests.render.specs import load_spec

LLDS = example_llds()


def tree(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if path.name == ".copier-answers.yml":
            text = re.sub(r"(?m)^_commit: .*$", "_commit: <version tag>", text)
        out[path.relative_to(root).as_posix()] = text
    return out


@pytest.mark.parametrize("lld", LLDS, ids=[p.parent.name for p in LLDS])
def test_generated_tree(lld: Path, tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    repo = render(load_spec(lld), tmp_path)
    assert tree(repo) == snapshot
