"""The CLI: one line per error (never a traceback), exit codes, import lightness, config, logs."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bbws_scaffold.runtime import log as runtime_log
from bbws_scaffold.runtime.cli import main
from bbws_scaffold.runtime.config import load_config
from bbws_scaffold.runtime.errors import RuntimeOpError
from tests.paths import ROOT
from tests.runtime.conftest import DEV, PROD, SIT, package, write_repo


def test_importing_the_runtime_and_its_cli_loads_nothing_heavy():
    code = (
        "import sys\n"
        "import bbws_scaffold.runtime, bbws_scaffold.runtime.cli as cli\n"
        "cli.build_parser()\n"
        "import bbws_scaffold.runtime.deploy, bbws_scaffold.runtime.canary, bbws_scaffold.runtime.report\n"
        "heavy = ['copier', 'jinja2', 'markdown_it', 'pydantic', 'yaml', 'ruamel', 'hcl2', 'black', 'git', 'github']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print('boto3' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]


def test_config_defaults_and_unknown_environment(cfg):
    assert cfg.promotion_order == ("dev", "sit", "prod")
    assert [(e.account_id, e.region) for e in cfg.environments.values()] == [
        (DEV, "eu-west-1"),
        (SIT, "eu-west-1"),
        (PROD, "af-south-1"),
    ]
    assert cfg.env("prod").required_reviewers == 2 and cfg.previous("prod").name == "sit"
    with pytest.raises(RuntimeOpError, match="unknown environment 'qa' .*dev, sit, prod"):
        cfg.env("qa")


def test_config_is_found_upwards_or_through_the_env_var(tmp_path, monkeypatch):
    write_repo(tmp_path)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    monkeypatch.delenv("BBWS_RUNTIME_CONFIG", raising=False)
    assert load_config().source == tmp_path / "deploy" / "environments.json"
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "service": "x",
                "promotion_order": ["dev"],
                "environments": {"dev": {"account_id": "12345", "region": "eu-west-1"}},
            }
        )
    )
    monkeypatch.setenv("BBWS_RUNTIME_CONFIG", str(bad))
    with pytest.raises(RuntimeOpError, match="account_id must be a 12-digit"):
        load_config()


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_guard_and_refusals_are_one_line(aws, repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    aws.set_account(monkeypatch, SIT)
    assert _cli(capsys, "guard", "--env", "sit")[:2] == (0, f"account {SIT} is sit's\n")
    code, out, err = _cli(capsys, "guard", "--env", "prod")
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("bbws-runtime: refused: ") and SIT in last and PROD in last
    assert "Traceback" not in err

    code, _, err = _cli(capsys, "destroy", "--env", "prod")
    assert code == 2 and err.strip().splitlines()[-1] == (
        "bbws-runtime: refused: terraform destroy in prod (production) is refused, always"
    )
    code, _, err = _cli(capsys, "deploy", "--env", "sit", "--version", "v1", "--no-terraform")
    assert code == 2 and "direct deploys to sit are refused" in err


def test_cli_deploy_then_rollback_list(aws, repo, monkeypatch, capsys, accounts):
    monkeypatch.chdir(repo)
    dev = accounts("dev")
    code_zip = package("v1")
    dev.create_functions(code_zip)
    (repo / "dist").mkdir()
    (repo / "dist" / "lambda.zip").write_bytes(code_zip)
    aws.set_account(monkeypatch, DEV)
    for key, value in {
        "GITHUB_SHA": "0123456789abcdef" * 2 + "01234567",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_RUN_ID": "99",
        "GITHUB_REPOSITORY": "org/repo",
    }.items():
        monkeypatch.setenv(key, value)
    code, out, _ = _cli(capsys, "deploy", "--env", "dev", "--no-terraform")
    sha = "0123456789abcdef" * 2 + "01234567"
    assert code == 0 and json.loads(out)["version"] == sha
    code, out, _ = _cli(capsys, "rollback", "--env", "dev", "--list")
    assert code == 0 and out.splitlines()[1].split()[1:5] == ["deploy", sha, "succeeded", "octocat"]
    code, out, _ = _cli(capsys, "report", "--env", "dev", "--output", "build/report.md")
    assert code == 0 and "| outcome | **succeeded** |" in (repo / "build" / "report.md").read_text()
    code, _, err = _cli(capsys, "rollback", "--env", "dev")
    assert code == 2 and err.strip().endswith(f"no successful deployment older than {sha} to roll back to")


def test_cli_missing_config_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BBWS_RUNTIME_CONFIG", raising=False)
    code, _, err = _cli(capsys, "guard", "--env", "dev")
    assert code == 2 and err.count("\n") == 1 and "no deploy/environments.json" in err


def test_package_is_reproducible(tmp_path):
    from bbws_scaffold.runtime.artifact import build_zip

    src = tmp_path / "pkg"
    (src / "src" / "__pycache__").mkdir(parents=True)
    (src / "src" / "a.py").write_text("A = 1\n")
    (src / "src" / "__pycache__" / "a.cpython-312.pyc").write_bytes(b"junk")
    (src / "lib.py").write_text("B = 2\n")
    first = build_zip(src, tmp_path / "one.zip")
    (src / "src" / "a.py").touch()  # a newer mtime must not change the package
    assert build_zip(src, tmp_path / "two.zip") == first
    import zipfile

    assert zipfile.ZipFile(tmp_path / "one.zip").namelist() == ["lib.py", "src/a.py"]
    (src / "lib.py").write_text("B = 3\n")
    assert build_zip(src, tmp_path / "three.zip") != first


def test_log_lines_are_json_and_never_carry_secrets():
    buf = io.StringIO()
    runtime_log.set_stream(buf)
    try:
        runtime_log.log(
            "x",
            SecretAccessKey="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            nested={"session_token": "abc", "note": "key AKIAIOSFODNN7EXAMPLE used"},
            text="aws_secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            git_sha="0123456789abcdef0123456789abcdef01234567",
        )
    finally:
        runtime_log.set_stream(None)
    line = buf.getvalue()
    assert line.count("\n") == 1
    data = json.loads(line)
    assert data["event"] == "x" and data["SecretAccessKey"] == "***"
    assert data["nested"] == {"session_token": "***", "note": "key *** used"}
    assert "wJalrXUtnFEMI" not in line and "AKIAIOSFODNN7EXAMPLE" not in line
    assert data["git_sha"] == "0123456789abcdef0123456789abcdef01234567"  # not mistaken for a key
