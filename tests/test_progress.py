"""Progress of long steps: ``pipeline validate`` in a pseudo-terminal shows its checks as they
start and end; in a pipe stdout holds only the report (plain progress lines go to stderr, no
terminal escapes); with ``--json`` or ``--quiet`` there is no progress at all."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

from tests.paths import CORPUS, ROOT

GOOD_REPO = ROOT / "tests" / "pipeline" / "fixtures" / "good_repo"
ARGV = [sys.executable, "-m", "bbws_scaffold.cli", "pipeline", "validate", str(GOOD_REPO)]
CHECKS = ["--check", "bbws-policy", "--check", "hcl2"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "120", **extra}


def run_in_pty(argv: list[str], **env: str) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; everything it wrote there."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=_env(**env), cwd=ROOT)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_sees_each_check_end() -> None:
    code, text = run_in_pty(ARGV + CHECKS)
    assert code == 0, text
    # the policy check and the HCL parse each report their end, with their finding count
    assert "gate: bbws-policy done in" in text and "gate: hcl2 + tf-schema done in" in text
    assert "0 findings" in text
    assert "No findings in" in text  # the report itself
    assert "gate: running " in text  # live: what is running now, redrawn in place


def test_ci_on_a_terminal_gets_plain_lines() -> None:
    code, text = run_in_pty(ARGV + CHECKS, CI="true")
    assert code == 0, text
    lines = text.replace("\r\n", "\n").splitlines()
    assert "gate: bbws-policy started" in lines and "gate: running " not in text


def test_a_pipe_gets_plain_lines_on_stderr_and_a_clean_stdout() -> None:
    res = subprocess.run(ARGV + CHECKS, capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "gate:" not in res.stdout and res.stdout.startswith("No findings in")
    assert "gate: bbws-policy started" in res.stderr.splitlines()
    assert any(ln.startswith("gate: bbws-policy done in ") for ln in res.stderr.splitlines())
    assert "\x1b" not in res.stderr  # no live display or colour in a pipe


def test_json_and_quiet_show_no_progress_even_on_a_terminal() -> None:
    for flag in ("--json", "--quiet"):
        code, text = run_in_pty(ARGV + CHECKS + [flag])
        assert code == 0, text
        assert "gate:" not in text and "done in" not in text, text


ORDER_LLD = CORPUS / "2.1.8_LLD_Order_Lambda.md"  # has a warning (version mismatch)


def test_diagnostics_are_coloured_on_a_terminal_only() -> None:
    argv = [sys.executable, "-m", "bbws_scaffold.cli", "lld", "validate", str(ORDER_LLD)]
    code, text = run_in_pty(argv)
    assert code == 0 and "\x1b[33mwarning\x1b[0m" in text, repr(text)  # yellow
    code, text = run_in_pty(argv, NO_COLOR="1")
    assert code == 0 and ": warning: " in text and "\x1b[" not in text
    res = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=120)
    assert res.returncode == 0 and ": warning: " in res.stderr and "\x1b[" not in res.stderr
