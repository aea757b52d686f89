"""Issue 13 (and 16, "Parser"): an LLD whose names collide with the generated code's own renders a
repository that compiles, passes its linters and its own tests, with a FILE:LINE warning for each
pair of names told apart. One render covers every collision class of the issue:

* a GSI on an attribute named ``token`` (``def query_token_index(self, token, limit, token)``);
* ``{self}`` and ``{limit}`` path parameters, ``{inviteId}`` beside ``{invite_id}``;
* entities named ``None``, ``Schemas`` (``src/models/schemas.py``), ``Base`` (``BaseRepository``)
  and two that normalise alike; an attribute named ``str``; attributes ``orgId`` and ``org_id``
  (one a key placeholder of the other's entity);
* a function named ``handler``, one named ``con`` (a Windows device), one of 250+ characters;
* sibling routes ``/payments/{paymentId}`` and ``/payments/{id}``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bbws_scaffold import naming
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.pipeline.syntax import syntax_errors
from bbws_scaffold.render.new import render

pytestmark = pytest.mark.e2e

LLD = Path(__file__).parent / "fixtures" / "2.9.7_LLD_Clash_Lambda.md"
TEXT = LLD.read_text(encoding="utf-8")


def _line(needle: str) -> int:
    return next(i for i, ln in enumerate(TEXT.splitlines(), start=1) if needle in ln)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *cmd], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(parse_file(LLD), tmp_path_factory.mktemp("out"))


def test_the_collisions_are_warned_at_their_lines() -> None:
    warned: dict[int | None, str] = {}
    for w in parse_file(LLD).warnings:  # a line may also carry its binding's stub warning
        warned[w.line] = f"{warned[w.line]}\n{w.message}" if w.line in warned else w.message
    assert "invite_id_2" in warned[_line("| create_invite |")]
    assert "renamed {paymentId}" in warned[_line("| delete_payment |")]
    assert "none_2" in warned[_line("`NONE#{otherId}`")]  # the entity's key row
    assert "'orgId' is named 'org_id_2'" in warned[_line("| orgId | String |")]


def test_every_file_compiles_and_parses(repo: Path) -> None:
    assert syntax_errors(repo) == []


@pytest.mark.parametrize(
    "tool",
    [["black", "--check", "-q", "."], ["isort", "--check-only", "-q", "."], ["flake8"], ["mypy"]],
    ids=["black", "isort", "flake8", "mypy"],
)
def test_tool_reports_nothing(repo: Path, tool: list[str]) -> None:
    res = run(tool, repo)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]


def test_its_own_tests_pass(repo: Path) -> None:
    res = run(["pytest", "-q", "-p", "no:cacheprovider"], repo)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]


def test_no_module_overwrites_another_and_names_are_portable(repo: Path) -> None:
    models = repo / "src/models"
    # the Schemas entity beside (not over) the LLD's schema module
    assert "class Schemas(" in (models / "schemas_.py").read_text(encoding="utf-8")
    assert "class Schemas(" not in (models / "schemas.py").read_text(encoding="utf-8")
    assert {"none.py", "none_2.py", "base_.py", "token.py"} <= {p.name for p in models.iterdir()}
    devices = naming.WINDOWS_DEVICES
    for path in repo.rglob("*"):
        assert len(path.name) <= 100 and path.name.split(".")[0].lower() not in devices, path
    assert (repo / "src/handlers/con_.py").is_file() and (repo / "src/handlers/handler_.py").is_file()


def test_the_token_index_query_takes_the_token_and_the_page_token(repo: Path) -> None:
    tree = ast.parse((repo / "src/repositories/token_repository.py").read_text(encoding="utf-8"))
    (query,) = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "query_token_index"]
    assert [a.arg for a in query.args.args] == ["self", "token_", "limit", "token", "descending"]
