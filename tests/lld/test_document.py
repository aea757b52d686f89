"""Bad input never yields a traceback: a FILE:LINE: message and exit 2 from the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bbws_scaffold.cli import main

GOOD_HEAD = "# Widget Lambda - Low-Level Design\n\n**Version**: 1.0\n\n## 1.3 Lambda Functions\n\n"
FUNCS = "| Function | Endpoint | Description |\n|---|---|---|\n| get_widget | GET /v1.0/widgets/{widgetId} | Get |\n"


def run(tmp_path: Path, name: str, data: bytes, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    f = tmp_path / name
    f.write_bytes(data)
    code = main(["lld", "parse", str(f), *args])
    err = capsys.readouterr().err
    return code, err


@pytest.mark.parametrize(
    "name,data,line,fragment",
    [
        ("empty.md", b"", 1, "empty document"),
        ("blank.md", b"\n\n   \n", 1, "empty document"),
        ("binary.md", b"# T\n\x00\x01\x02", 2, "binary content"),
        ("latin1.md", "# Título\n\nniño".encode("latin-1"), 1, "not valid UTF-8"),
        ("prose.md", b"Just some notes\n\nnothing here\n", 1, "not an LLD"),
        ("notitle.md", b"## Random\n\ntext\n", 1, "not an LLD"),
        ("fence.md", (GOOD_HEAD + FUNCS + "\n```python\nx = 1\n").encode(), 11, "never closed"),
        (
            "pipes.md",
            (GOOD_HEAD + FUNCS + "| put_widget | PUT `/v1.0/widgets` | `a` | `b` |\n").encode(),
            10,
            "unescaped '|'",
        ),
        (
            "pipes_in_code.md",
            (GOOD_HEAD + FUNCS + "| put_widget | PUT /v1.0/widgets | Sets `a | b` |\n").encode(),
            10,
            "unescaped '|'",
        ),
        (
            "broken.md",
            (GOOD_HEAD + "| Function | Endpoint |\n| get | GET /v1.0/x |\n| put | PUT /v1.0/x |\n").encode(),
            7,
            "broken table",
        ),
    ],
)
def test_bad_input_reports_file_line_and_exits_2(tmp_path, capsys, name, data, line, fragment):
    code, err = run(tmp_path, name, data, capsys)
    assert code == 2
    assert "Traceback" not in err
    assert re.search(rf"{re.escape(name)}:{line}: error: .*{re.escape(fragment)}", err), err


def test_huge_file_is_refused_without_reading_it_all(tmp_path, capsys):
    f = tmp_path / "huge.md"
    with f.open("wb") as fh:
        fh.write(GOOD_HEAD.encode())
        fh.seek(50 * 1024 * 1024)
        fh.write(b"\n")
    code = main(["lld", "parse", str(f)])
    err = capsys.readouterr().err
    assert code == 2 and "huge.md:1: error: file is 52.4 MB" in err


def test_missing_file(tmp_path, capsys):
    code = main(["lld", "validate", str(tmp_path / "nope.md")])
    assert code == 2 and "nope.md:1: error: cannot read file" in capsys.readouterr().err


def test_a_clean_minimal_lld_parses(tmp_path, capsys):
    code, err = run(tmp_path, "ok.md", (GOOD_HEAD + FUNCS).encode(), capsys, "--json")
    assert code == 0, err


def _parse(tmp_path: Path, name: str, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    import json

    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    code = main(["lld", "parse", "--json", str(f)])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def test_pipe_inside_one_code_span_is_repaired_with_a_warning(tmp_path, capsys):
    text = GOOD_HEAD + FUNCS + "\n## Tagging\n\n| Tag | Value |\n|---|---|\n| Env | `dev | sit` |\n| Owner | ops |\n"
    code, spec, err = _parse(tmp_path, "pipes_ok.md", text, capsys)
    assert code == 0, err
    assert "pipes_ok.md:15: warning:" in err and "`code` span whole" in err
    assert [(t["key"], t["value"]) for t in spec["tags"]] == [("Env", "dev | sit"), ("Owner", "ops")]


def test_empty_extra_cells_and_overflow_outside_the_inventory_only_warn(tmp_path, capsys):
    text = (
        GOOD_HEAD
        + FUNCS
        + "\n## Troubleshooting\n\n| Issue | Fix |\n|---|---|\n| slow | `a` | `b` |\n"
        + "\n## Tagging\n\n| Tag | Value |\n|---|---|\n| Owner | ops | |\n"
    )
    code, spec, err = _parse(tmp_path, "overflow.md", text, capsys)
    assert code == 0, err
    assert "overflow.md:15: warning:" in err and "past column 2 are ignored" in err
    assert "overflow.md:21: warning:" in err and "extra cells are empty" in err
    assert spec["endpoints"][0]["path"] == "/v1.0/widgets/{widgetId}"


def test_guide_that_only_talks_about_llds_is_not_a_service(tmp_path, capsys):
    text = "# Project Instructions\n\n## API Design\n\n- Versioning: URL-based (`/v1/orders`)\n\n## Testing\n\n- unit\n"
    code, doc, err = _parse(tmp_path, "GUIDE.md", text, capsys)
    assert code == 2 and "Traceback" not in err
    # with --json the error is inside the one document on stdout (the same exit code)
    assert doc["ok"] is False and doc["exit_code"] == 2
    [diag] = [d for d in doc["diagnostics"] if d["severity"] == "error"]
    assert diag["file"].endswith("GUIDE.md") and diag["line"] == 1
    assert re.match(r"not (?:a service )?(?:an )?LLD", diag["message"]), diag
