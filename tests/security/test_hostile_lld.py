"""An LLD written to inject: every string must reach generated files escaped for its language.

Titles, descriptions, tags, env var examples and pydantic defaults carry shell, HCL, GitHub
expression and Python payloads. The generated repo must stay green (its own tests and linters,
the pipeline gate) and no payload may survive as live syntax.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.render.new import render
from tests.pipeline.helpers import gate

pytestmark = pytest.mark.e2e

EVIL = Path(__file__).parent / "fixtures" / "2.9.9_LLD_Evil_Lambda.md"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evil")
    return render(parse_file(EVIL), out)


def texts(repo: Path, *suffixes: str) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in repo.rglob("*") if p.is_file() and p.suffix in suffixes}


def test_everything_stays_inside_the_repo(repo: Path) -> None:
    for p in repo.rglob("*"):
        assert p.resolve().is_relative_to(repo.resolve())
        assert ".." not in p.relative_to(repo).parts
    assert not Path("/tmp/pwned").exists()


def test_python_payloads_are_inert(repo: Path) -> None:
    """The LLD's payloads may appear in comments and string literals, never as code."""
    for path, text in texts(repo, ".py").items():
        tree = ast.parse(text, str(path))  # every module is valid Python
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert "__import__" not in names and "system" not in attrs, path


def test_terraform_never_interpolates_lld_text(repo: Path) -> None:
    for path, text in texts(repo, ".tf", ".tfvars").items():
        assert not re.search(r"(?<!\$)\$\{jndi", text), path
        assert not re.search(r"(?<!%)%\{ if true", text), path


PAYLOADS = ("curl http://evil", "$(whoami)", "$(id)", "rm -rf /", "jndi", "$(touch /tmp/pwned)")


def test_workflows_and_scripts_carry_no_lld_payload(repo: Path) -> None:
    """LLD text never reaches shell or GitHub expressions (it would only ever arrive through env:)."""
    for path, text in texts(repo, ".yml", ".yaml", ".sh").items():
        if path.name == ".copier-answers.yml":
            continue
        assert not [p for p in PAYLOADS if p in text], path


@pytest.mark.parametrize(
    "tool",
    [
        ["pytest", "-q", "-p", "no:cacheprovider"],
        ["black", "--check", "-q", "."],
        ["isort", "--check-only", "-q", "."],
        ["flake8"],
        ["mypy"],
    ],
    ids=["pytest", "black", "isort", "flake8", "mypy"],
)
def test_generated_repo_is_green(repo: Path, tool: list[str]) -> None:
    res = subprocess.run([sys.executable, "-m", *tool], cwd=repo, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]


def test_gate_is_clean(repo: Path) -> None:
    result = gate(repo)
    assert result.findings == (), [f"{f.tool} {f.location} {f.rule} {f.message}" for f in result.findings]
