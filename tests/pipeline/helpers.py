"""Shared helpers for the gate tests: copy the fixture repo, run the gate for real."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bbws_scaffold.pipeline.findings import GateResult
from bbws_scaffold.pipeline.gate import run_gate

FIXTURES = Path(__file__).parent / "fixtures"
GOOD_REPO = FIXTURES / "good_repo"


def copy_good_repo(dest: Path) -> Path:
    repo = dest / "2_bbws_cart_lambda"
    shutil.copytree(GOOD_REPO, repo, ignore=shutil.ignore_patterns("__pycache__", ".terraform"))
    return repo


def gate(repo: Path, **kwargs: object) -> GateResult:
    """Run the real gate; a missing/broken tool fails the test with the install hint."""
    result = run_gate(repo, **kwargs)  # type: ignore[arg-type]
    if result.errors:
        pytest.fail(
            "the gate could not run (install the tools: bash scripts/install-gate-tools.sh):\n"
            + "\n".join(str(e) for e in result.errors),
            pytrace=False,
        )
    return result


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drifted: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
