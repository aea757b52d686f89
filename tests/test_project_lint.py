"""bbws-scaffold holds itself to the bar it sets for generated repos: black, isort, flake8, mypy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.paths import ROOT


@pytest.mark.parametrize(
    "tool",
    [["black", "--check", "-q", "."], ["isort", "--check-only", "-q", "."], ["flake8"], ["mypy"]],
    ids=["black", "isort", "flake8", "mypy"],
)
def test_project_is_lint_clean(tool: list[str]) -> None:
    res = subprocess.run([sys.executable, "-m", *tool], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
