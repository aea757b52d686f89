"""The runtime's configuration fails at load, naming file and field; no message carries a URL password.

Expectations come from JSON (RFC 8259: no NaN/Infinity; duplicate names are not interoperable),
DynamoDB's table-name rule (3-255 of ``A-Za-z0-9_.-``), the value ranges of
``bbws_scaffold/config/environments.py`` and RFC 3986's ``userinfo`` in URLs.
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bbws_scaffold.runtime import log as runtime_log
from bbws_scaffold.runtime.cli import main
from bbws_scaffold.runtime.config import load_config
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.manifest import load_manifest
from bbws_scaffold.runtime.records import DeploymentRecord, Recorder, RecordStore
from tests.runtime.conftest import process_env

SECRET = "s3cr3t-Pa55"


def _env_file(repo: Path) -> Path:
    return repo / "deploy" / "environments.json"


def _edit(repo: Path, env: str, key: str, raw_value: str) -> Path:
    """Set ``environments.<env>.<key>`` to ``raw_value``, written as raw JSON text (NaN included)."""
    path = _env_file(repo)
    data = json.loads(path.read_text())
    data["environments"][env][key] = "@@VALUE@@"
    path.write_text(json.dumps(data, indent=2).replace('"@@VALUE@@"', raw_value))
    return path


@pytest.mark.parametrize(
    ("env", "key", "raw"),
    [
        ("prod", "canary_wait_seconds", '"abc"'),
        ("prod", "canary_wait_seconds", "NaN"),
        ("prod", "canary_wait_seconds", "-Infinity"),
        ("prod", "canary_wait_seconds", "1e400"),
        ("sit", "reserved_concurrency", '"20"'),
        ("dev", "deletion_protection", '"false"'),  # a non-empty string is truthy: PROD-ness lost
        ("dev", "deployments_table", '"../other-account"'),
        ("dev", "deployments_table", '"bbws/deployments"'),
        ("dev", "lock_ttl_seconds", "0"),
        ("dev", "account_id", "536580886816"),  # a number loses leading zeros elsewhere: a string
        ("dev", "records_reader_role_arn", '"arn:aws:iam::1:role/x"'),
        ("dev", "required_reviewers", "1" * 5000),  # more digits than Python converts by default
    ],
)
def test_a_bad_setting_fails_at_load_naming_file_and_field(repo, env, key, raw):
    path = _edit(repo, env, key, raw)
    with pytest.raises(RuntimeOpError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}:")
    if raw not in ("NaN", "-Infinity", "1e400") and len(raw) < 100:
        assert f"environments.{env}.{key}" in message
    else:
        assert "number" in message


def test_nested_json_bombs_fail_at_load_with_the_line(repo, capsys):
    path = _env_file(repo)
    text = path.read_text()
    bomb = "[" * 100_000 + "]" * 100_000
    path.write_text(text.replace('"service": "catalogue",', f'"service": "catalogue",\n  "x": {bomb},', 1))
    with pytest.raises(RuntimeOpError, match=r"environments.json:3: nested deeper than 16 levels"):
        load_config(path)
    # through the CLI: one line, the file named, no internal error
    code = main(["--config", str(path), "rollback", "--env", "dev", "--list"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"{path}:3: nested deeper" in err


def test_the_service_manifest_is_read_the_same_way(repo, cfg):
    manifest = repo / "deploy" / "service.json"
    data = json.loads(manifest.read_text())
    data["routes"][0]["public"] = "false"  # would have made a private route public
    manifest.write_text(json.dumps(data))
    with pytest.raises(RuntimeOpError, match=r"service.json: routes\[0\].public must be true or false"):
        load_manifest(cfg)
    manifest.write_text('{"service": "catalogue", "service": "other"}')
    with pytest.raises(RuntimeOpError, match="service.json: key 'service' appears twice"):
        load_manifest(cfg)
    manifest.write_text('{"service": "catalogue", "functions": ' + "[" * 20 + "]" * 20 + "}")
    with pytest.raises(RuntimeOpError, match=r"service.json:1: nested deeper than 16"):
        load_manifest(cfg)


def test_a_function_name_is_limited_in_each_environment_not_as_written(repo, cfg):
    """Lambda allows 64 characters in a function name: a 60-character prefix plus ``{env}`` (65 as
    written) is 64 in prod, the longest environment key; one more character is 65 in prod."""
    manifest = repo / "deploy" / "service.json"
    data = json.loads(manifest.read_text())
    assert max(len(e) for e in cfg.promotion_order) == 4
    data["functions"] = [{"ident": "f", "name": "b" * 60 + "{env}"}]
    manifest.write_text(json.dumps(data))
    assert load_manifest(cfg).function_names("prod") == ["b" * 60 + "prod"]
    data["functions"] = [{"ident": "f", "name": "b" * 61 + "{env}"}]
    manifest.write_text(json.dumps(data))
    with pytest.raises(RuntimeOpError, match=r"functions\[0\].name 'b{61}prod' is not a valid AWS name \(1 to 64"):
        load_manifest(cfg)


def test_the_generated_configuration_still_loads(cfg, manifest):
    """What the blueprint renders (the environments answer) passes, with every key it carries."""
    prod = cfg.env("prod")
    assert prod.setting("canary_wait_seconds") == 600 and prod.setting("deletion_protection") is True
    assert manifest.function_names("dev")


@pytest.mark.parametrize(
    "url", [f"http://user:{SECRET}@127.0.0.1:notaport", f"ftp://user:{SECRET}@127.0.0.1/", "http://"]
)
def test_a_bad_endpoint_variable_fails_at_load_without_showing_its_password(repo, monkeypatch, url):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", url)
    with pytest.raises(RuntimeOpError) as err:
        load_config(_env_file(repo))
    assert str(err.value).startswith("environment variable AWS_ENDPOINT_URL_DYNAMODB=")
    assert SECRET not in str(err.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_message_shows_the_password_of_an_endpoint_url(repo):
    """A real connection failure (nothing listens on the port): the error line, the BBWS_DEBUG
    traceback and the log lines all mask ``user:password@``."""
    url = f"http://deployer:{SECRET}@127.0.0.1:{_closed_port()}"
    env = process_env(
        ("AWS_", "GITHUB_"),
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_MAX_ATTEMPTS="1",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        BBWS_DEBUG="1",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bbws_scaffold.runtime", "rollback", "--env", "dev", "--list"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("bbws-runtime: error: ") and "127.0.0.1" in last, proc.stderr
    assert "deployer:" not in proc.stderr and SECRET not in proc.stderr + proc.stdout
    assert "Traceback" in proc.stderr and "***@127.0.0.1" in proc.stderr


def test_a_recorded_failure_does_not_store_a_password(accounts, run):
    dev = accounts("dev")
    store = RecordStore(dev.session)
    record = DeploymentRecord("catalogue", "dev", "deploy", "rel-1", "sha256:1", "", "ci")
    with pytest.raises(RuntimeOpError):
        with Recorder(store, record):
            raise RuntimeOpError(f"cannot reach https://ci:{SECRET}@artifacts.example/pkg?token=abc123")
    (stored,) = store.history("catalogue", "dev")
    assert SECRET not in stored.detail and "abc123" not in stored.detail
    assert stored.detail == "cannot reach https://***@artifacts.example/pkg?token=***"


def test_log_lines_mask_url_passwords_and_secret_assignments():
    buf = io.StringIO()
    runtime_log.set_stream(buf)
    try:
        runtime_log.log(
            "x",
            endpoint=f"http://deployer:{SECRET}@127.0.0.1:5000",
            error=RuntimeError(f'Could not connect to the endpoint URL: "https://u:{SECRET}@sts.example/"'),
            query=f"https://bucket.example/key?X-Amz-Signature={SECRET}&X-Amz-Date=20260101",
            note=f"password={SECRET} and more",
        )
    finally:
        runtime_log.set_stream(None)
    line = json.loads(buf.getvalue())
    assert SECRET not in buf.getvalue()
    assert line["endpoint"] == "http://***@127.0.0.1:5000"
    assert line["query"] == "https://bucket.example/key?X-Amz-Signature=***&X-Amz-Date=20260101"
    assert line["note"] == "password=*** and more"
