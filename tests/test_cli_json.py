"""``--json`` on every command: one JSON document on stdout, valid against the command's schema in
``bbws_scaffold/output_schemas.py``, diagnostics inside it, the exit code of the text run; and
``lld validate``/``lld parse`` over many documents at once.

Expectations come from the documents (the corpus' own warnings when validated one by one, the
files a folder holds, the endpoints an LLD lists), never from the JSON read back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.output_schemas import ERROR, RUNTIME, SCHEMAS
from bbws_scaffold.runtime import cli as runtime_cli
from tests.paths import CATALOGUE_LLD, ROOT, corpus_llds

GOOD_REPO = ROOT / "tests" / "pipeline" / "fixtures" / "good_repo"


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str], schema: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Run ``argv`` with ``--json``; stdout must be exactly one JSON document valid against ``schema``."""
    code = main(argv)
    out = capsys.readouterr().out
    doc = json.loads(out)  # one document: json.loads refuses anything after it
    jsonschema.validate(doc, schema)
    assert doc["exit_code"] == code
    return code, doc


def text_exit_code(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    code = main(argv)
    capsys.readouterr()
    return code


def test_validate_the_whole_corpus_in_one_call_exits_with_the_worst(capsys: pytest.CaptureFixture[str]) -> None:
    llds = [str(p) for p in corpus_llds()]
    assert len(llds) == 6
    alone = [text_exit_code(["lld", "validate", "--strict", f], capsys) for f in llds]
    assert 1 in alone  # the corpus has documents with warnings: --strict makes them exit 1

    code = main(["lld", "validate", "--strict", *llds])
    out = capsys.readouterr()
    assert code == max(alone)
    lines = out.out.splitlines()
    assert [ln.split(": ", 1)[0] for ln in lines] == llds  # one line per document, on stdout
    for line, rc in zip(lines, alone):
        assert line.endswith(": clean") == (rc == 0)
    assert ": warning: " in out.err and ": warning: " not in out.out  # diagnostics on stderr

    code, doc = run_json(capsys, ["lld", "validate", "--strict", "--json", *llds], SCHEMAS["lld validate"])
    assert code == max(alone) and [d["exit_code"] for d in doc["documents"]] == alone
    assert [d["file"] for d in doc["documents"]] == llds


def test_lld_dir_takes_every_lld_of_the_folder_and_a_broken_one_makes_it_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for p in corpus_llds()[:2]:
        (tmp_path / p.name).write_bytes(p.read_bytes())
    (tmp_path / "2.1.99_LLD_Broken.md").write_bytes(b"")  # empty: an error
    (tmp_path / "2.1.13_OPS_Incident_Response_Runbook.md").write_text("# Runbook\n")  # not an LLD
    (tmp_path / "NOTES.md").write_text("# notes\n")
    code, doc = run_json(capsys, ["lld", "validate", "--lld-dir", str(tmp_path), "--json"], SCHEMAS["lld validate"])
    names = [Path(d["file"]).name for d in doc["documents"]]
    assert sorted(names) == sorted([p.name for p in corpus_llds()[:2]] + ["2.1.99_LLD_Broken.md"])
    assert code == 2 and doc["ok"] is False
    [broken] = [d for d in doc["documents"] if d["file"].endswith("Broken.md")]
    assert broken["exit_code"] == 2 and broken["diagnostics"][0]["severity"] == "error"
    assert broken["diagnostics"][0]["line"] == 1 and "empty document" in broken["diagnostics"][0]["message"]


def test_parse_many_files_and_the_diagram_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    llds = [str(p) for p in corpus_llds()[:3]]
    code, doc = run_json(capsys, ["lld", "parse", "--json", *llds], SCHEMAS["lld parse"])
    assert code == 0 and [d["file"] for d in doc["documents"]] == llds
    assert all(d["spec"]["title"] for d in doc["documents"])
    code, doc = run_json(capsys, ["lld", "parse", "--json", "--diagram", llds[0]], SCHEMAS["lld parse"])
    assert doc["documents"][0]["diagram"].startswith("```mermaid\nflowchart")
    assert main(["lld", "parse", "--diagram", llds[0]]) == 0
    assert capsys.readouterr().out.startswith("```mermaid\nflowchart LR\n")


def test_one_file_parse_json_is_still_the_service_spec(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lld", "parse", "--json", str(CATALOGUE_LLD)]) == 0
    spec = json.loads(capsys.readouterr().out)
    assert main(["lld", "schema", "--json"]) == 0
    jsonschema.validate(spec, json.loads(capsys.readouterr().out))


def test_errors_are_one_json_document_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.md")
    code, doc = run_json(capsys, ["lld", "parse", "--json", missing], ERROR)
    assert code == 2 and doc["diagnostics"][0]["file"] == missing and "cannot read" in doc["diagnostics"][0]["message"]
    code, doc = run_json(capsys, ["lld", "next-number", "--json", "--hld-prefix", "x", str(tmp_path)], ERROR)
    assert code == 2 and "argument --hld-prefix: 'x' is not an HLD number" in doc["diagnostics"][0]["message"]
    code, doc = run_json(capsys, ["update", str(tmp_path), "--json"], ERROR)
    assert code == 2 and doc["command"] == "update"


def test_next_number_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "2.1.12_LLD_Payment.md").write_text("# x\n")
    (tmp_path / "2.1.13_OPS_Incident_Response_Runbook.md").write_text("# x\n")
    code, doc = run_json(
        capsys, ["lld", "next-number", "--json", "--hld-prefix", "2.1", str(tmp_path)], SCHEMAS["lld next-number"]
    )
    assert code == 0 and doc["next"] == "2.1.14"


def test_new_dry_run_writes_nothing_and_shows_tree_and_bindings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    assert main(["new", "--lld", str(CATALOGUE_LLD), "--output", str(out_dir), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert not out_dir.exists()  # the target (and its parent) stay absent
    assert "README.md" in text.splitlines()[1:] or "  README.md" in text.splitlines()
    assert "  terraform/main.tf" in text.splitlines()
    # the catalogue LLD lists GET /v1.0/products/{productId} (get_product): a CRUD get on Product
    assert any("/v1.0/products/{productId}" in ln and "CRUD get on Product" in ln for ln in text.splitlines())

    code, doc = run_json(
        capsys, ["new", "--lld", str(CATALOGUE_LLD), "--output", str(out_dir), "--dry-run", "--json"], SCHEMAS["new"]
    )
    assert not out_dir.exists() and doc["dry_run"] is True
    assert doc["target"] == str(out_dir / "2_bbws_catalogue_lambda")
    assert "README.md" in doc["files"] and "terraform/main.tf" in doc["files"]
    assert {(b["method"], b["path"]) for b in doc["bindings"]} >= {("GET", "/v1.0/products/{productId}")}


def test_new_json_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(
        capsys, ["new", "--lld", str(CATALOGUE_LLD), "--output", str(tmp_path), "--json"], SCHEMAS["new"]
    )
    target = Path(doc["target"])
    assert code == 0 and target.is_dir()
    assert sorted(doc["files"]) == sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())


def test_repo_dry_run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["repo", "setup-from-lld", "--lld", str(CATALOGUE_LLD), "--output", str(tmp_path), "--dry-run", "--json"]
    code, doc = run_json(capsys, argv, SCHEMAS["repo setup-from-lld"])
    assert code == 0 and doc["repository"].endswith("/2_bbws_catalogue_lambda")
    assert any(c["method"] == "POST" for c in doc["calls"]) and not list(tmp_path.iterdir())


def test_new_publish_dry_run_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["new", "--lld", str(CATALOGUE_LLD), "--output", str(tmp_path), "--publish", "--dry-run", "--json"]
    code, doc = run_json(capsys, argv, SCHEMAS["new --publish"])
    assert code == 0 and doc["dry_run"] is True and not list(tmp_path.iterdir())


def test_pipeline_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run_json(
        capsys,
        ["pipeline", "validate", str(GOOD_REPO), "--check", "bbws-policy", "--json"],
        SCHEMAS["pipeline validate"],
    )
    assert code == 0 and doc["checks"] == ["bbws-policy"]


@pytest.mark.parametrize("argv", [["lld", "schema", "--json"], ["config", "schema", "environments", "--json"]])
def test_schema_commands_print_a_json_schema(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    jsonschema.Draft202012Validator.check_schema(json.loads(capsys.readouterr().out))


def test_every_documented_shape_is_a_valid_schema() -> None:
    for schema in [*SCHEMAS.values(), ERROR, RUNTIME]:
        jsonschema.Draft202012Validator.check_schema(schema)


def test_runtime_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    code = runtime_cli.main(
        ["--json", "package", "--source", str(tmp_path / "src"), "--output", str(tmp_path / "a.zip")]
    )
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, RUNTIME)
    assert code == 0 and doc["result"]["lines"][0].startswith("sha256:")
    code = runtime_cli.main(["--json", "--config", str(tmp_path / "none.json"), "guard", "--env", "dev"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    jsonschema.validate(doc, RUNTIME)
    assert code == 2 and doc["ok"] is False and "none.json" in doc["diagnostics"][0]["message"]
    assert "bbws-runtime: error" not in captured.err  # inside the document, not on stderr


def test_completion_scripts_complete_subcommands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for shell in ("bash", "zsh", "fish"):
        assert main(["completion", shell]) == 0
        assert "_ARGCOMPLETE" in capsys.readouterr().out
    # what the scripts do on TAB: call the program back with the line; it answers on a file
    answer = tmp_path / "answer"
    line = "bbws-scaffold lld va"
    env = dict(
        os.environ,
        _ARGCOMPLETE="1",
        COMP_LINE=line,
        COMP_POINT=str(len(line)),
        _ARGCOMPLETE_IFS="\n",
        _ARGCOMPLETE_STDOUT_FILENAME=str(answer),
        PYTHONPATH=str(ROOT),
    )
    res = subprocess.run([sys.executable, "-m", "bbws_scaffold.cli"], env=env, capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert answer.read_text().split() == ["validate"]


def test_wordpress_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    argv = ["new", "--blueprint", "wordpress_image", "--output", str(out_dir), "--dry-run", "--json"]
    code, doc = run_json(capsys, argv, SCHEMAS["new"])
    assert code == 0 and not out_dir.exists() and doc["dry_run"] is True
    assert "README.md" in doc["files"] and doc["target"] == str(out_dir / "2_bbws_wordpress_container")
