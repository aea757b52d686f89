"""Issue 13, "Nothing broken is handed over": ``new`` refuses a render holding a file that does not
compile or parse (nothing is written), and the gate reports each such file.

The broken files are planted by hand (a generator bug is what this guards against, so the test
cannot wait for one): in the staged blueprint for ``new``, in a copy of the gate's good fixture
repo for ``pipeline validate``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bbws_scaffold.errors import RenderError
from bbws_scaffold.pipeline.gate import CHECK_NAMES, run_gate
from bbws_scaffold.pipeline.syntax import syntax_errors
from bbws_scaffold.render import new as render_new
from tests.paths import CATALOGUE_LLD
from tests.pipeline.helpers import copy_good_repo
from tests.render.specs import load_spec

BROKEN = {
    "src/utils/broken.py": "def f(self, token, token):\n    return token\n",  # a compiler error, not a parse error
    "config/broken.yaml": "a: [1, 2\n",
    "config/broken.json": '{"a": 1,}\n',
    "config/broken.toml": "a = \n",
    "terraform/broken.tf": 'resource "aws_s3_bucket" "b" {\n',
}


def _plant(root: Path) -> None:
    for rel, text in BROKEN.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_syntax_errors_names_each_broken_file_and_its_line(tmp_path: Path) -> None:
    repo = copy_good_repo(tmp_path)
    assert syntax_errors(repo) == []
    _plant(repo)
    found = {f.file: f for f in syntax_errors(repo)}
    assert set(found) == set(BROKEN)
    assert found["src/utils/broken.py"].line == 1 and "duplicate argument" in found["src/utils/broken.py"].message
    assert found["config/broken.json"].line == 1


def test_the_gate_reports_a_file_that_does_not_compile(tmp_path: Path) -> None:
    assert "syntax" in CHECK_NAMES
    repo = copy_good_repo(tmp_path)
    _plant(repo)
    result = run_gate(repo, checks=["syntax"])
    assert result.exit_code == 1
    # HCL files are the hcl2 check's (one report per file, not two)
    assert {f.file for f in result.findings if f.tool == "syntax"} == set(BROKEN) - {"terraform/broken.tf"}


@pytest.mark.e2e
def test_new_refuses_a_render_that_does_not_compile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    staged = render_new.staged_template

    def broken_stage() -> Path:
        stage = staged()
        (stage / "blueprints/lambda_service/src/utils/broken.py").write_text(BROKEN["src/utils/broken.py"])
        return stage

    monkeypatch.setattr(render_new, "staged_template", broken_stage)
    out = tmp_path / "out"
    with pytest.raises(RenderError) as err:
        render_new.render(load_spec(CATALOGUE_LLD), out)
    assert "src/utils/broken.py:1: duplicate argument 'token'" in str(err.value)
    assert list(out.iterdir()) == []  # no repository, no temporary folder left behind
