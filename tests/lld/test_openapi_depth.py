"""A hostile OpenAPI block (nested hundreds of levels) is a ``FILE:LINE: error:``, never a
RecursionError: the depth is bounded (``openapi.MAX_DEPTH``) before the recursive loader runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.lld.readers.openapi import MAX_DEPTH
from tests.lld.test_document import FUNCS, GOOD_HEAD

DEPTH = 300
# GOOD_HEAD + FUNCS are lines 1-9; then a blank, the heading, a blank and the fence (line 13)
BLOCK_START = 14


def block_style() -> str:
    # line 14 `openapi:` (root mapping, depth 1), 15 `paths:`, 16 `/widgets:` (depth 2); the
    # mapping holding `k{i}` starts on line 16 + i at depth 2 + i
    lines = ["openapi: 3.0.0", "paths:", "  /widgets:"]
    lines += ["  " * (i + 1) + f"k{i}:" for i in range(1, DEPTH)]
    lines.append("  " * (DEPTH + 1) + "v: 1")
    return "\n".join(lines)


def flow_style() -> str:
    return "openapi: 3.0.0\npaths: {}\nx: " + "[" * DEPTH + "]" * DEPTH


def lld(block: str) -> str:
    return GOOD_HEAD + FUNCS + "\n## 2 API\n\n```yaml\n" + block + "\n```\n"


@pytest.mark.parametrize(
    ("block", "line"),
    [
        # the mapping at depth MAX_DEPTH + 1 holds k{MAX_DEPTH - 1}: line 16 + MAX_DEPTH - 1
        (block_style(), 16 + MAX_DEPTH - 1),
        (flow_style(), BLOCK_START + 2),  # every bracket is on the `x:` line
    ],
    ids=["block", "flow"],
)
def test_deep_embedded_block_is_a_file_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block: str, line: int
) -> None:
    f = tmp_path / "deep.md"
    f.write_text(lld(block), encoding="utf-8")
    assert main(["lld", "validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:{line}: error: OpenAPI block nests deeper than {MAX_DEPTH} levels" in err, err
    assert "internal error" not in err and "Recursion" not in err


def test_deep_external_json_is_a_file_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ok.md"
    f.write_text(GOOD_HEAD + FUNCS, encoding="utf-8")
    spec = tmp_path / "deep.json"
    # deeper than the json module's own recursion limit, too
    spec.write_text('{"openapi": "3.0.0", "paths": {"/w": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}}\n")
    assert main(["lld", "validate", str(f), "--openapi", str(spec)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:1: error: OpenAPI file {spec} nests deeper than {MAX_DEPTH} levels" in err, err
    assert "internal error" not in err


def nested(depth: int) -> str:
    """An OpenAPI document whose deepest mapping is ``depth`` levels down (JSON, one key a line)."""
    # the root, then the values of paths, /w, get, responses, 200 and content: 7 levels; then the schema
    schema: dict[str, object] = {"type": "string"}
    for _ in range(depth - 8):
        schema = {"x": schema}
    doc = {"openapi": "3.0.0", "paths": {"/w": {"get": {"responses": {"200": {"content": {"a/b": schema}}}}}}}
    return json.dumps(doc, indent=1)


@pytest.mark.parametrize(("depth", "code"), [(MAX_DEPTH, 0), (MAX_DEPTH + 1, 2)])
def test_the_bound_is_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int, code: int) -> None:
    """Only what is deeper than MAX_DEPTH is refused (the corpus peaks at 12)."""
    f = tmp_path / "bound.md"
    f.write_text(lld(nested(depth)), encoding="utf-8")
    assert main(["lld", "validate", str(f)]) == code
    assert ("nests deeper than" in capsys.readouterr().err) == (code == 2)
