"""smoke against a local HTTP server (moto cannot invoke Lambda code without Docker); the report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bbws_scaffold.runtime import report
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.records import ROLLED_BACK, SUCCEEDED, DeploymentRecord
from bbws_scaffold.runtime.smoke import read_results, run_checks, write_results


class FakeApi(BaseHTTPRequestHandler):
    """GET /products -> 200, GET /products/<id> -> 404 or 502 (``broken``), POST /products -> 400."""

    broken = False
    seen: list[tuple[str, str, bytes]] = []

    def _answer(self, status: int) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        FakeApi.seen.append((self.command, self.path, self.rfile.read(length) if length else b""))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/v1/products":
            self._answer(200)
        else:
            self._answer(502 if FakeApi.broken else 404)

    def do_POST(self) -> None:  # noqa: N802
        self._answer(400)

    def do_DELETE(self) -> None:  # noqa: N802
        self._answer(204)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    FakeApi.broken, FakeApi.seen = False, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_smoke_calls_every_route_but_delete_and_passes_without_5xx(manifest, api, tmp_path):
    checks = run_checks(manifest, api, timeout=5)
    assert [(c.method, c.path, c.status, c.passed, c.skipped) for c in checks] == [
        ("GET", "/products", 200, True, False),
        ("GET", "/products/{productId}", 404, True, False),
        ("POST", "/products", 400, True, False),
        ("DELETE", "/products/{productId}", None, True, True),
    ]
    assert FakeApi.seen == [
        ("GET", "/v1/products", b""),
        ("GET", "/v1/products/bbws-smoke-0000", b""),
        ("POST", "/v1/products", b"{}"),
    ]
    out = tmp_path / "smoke.json"
    write_results(checks, out)
    assert read_results(out) == checks


def test_smoke_fails_on_5xx_and_on_no_answer(manifest, api):
    FakeApi.broken = True
    checks = run_checks(manifest, api, timeout=5)
    assert [c.passed for c in checks] == [True, False, True, True]
    dead = run_checks(manifest, "http://127.0.0.1:9/v1", timeout=2)  # discard port: nothing listens
    assert [c.passed for c in dead if not c.skipped] == [False, False, False]
    assert all(c.status is None and c.error for c in dead if not c.skipped)


@pytest.mark.parametrize("url", ["ftp://x/y", "http://h/p?q=1", "/relative", "file:///etc/passwd"])
def test_smoke_refuses_odd_base_urls(manifest, url):
    with pytest.raises(RuntimeOpError, match="must be an http"):
        run_checks(manifest, url)


def test_report_summarises_timeline_verification_and_rollback(tmp_path, monkeypatch, manifest, api):
    deployed = DeploymentRecord(
        "catalogue",
        "prod",
        "canary",
        "rel-2",
        "sha256:ab",
        "c" * 40,
        "oct|cat",
        run_url="https://example/run",
        started_at="2026-01-01T10:00:00.000000Z",
        functions={"fn-prod": {"version": "7", "previous": "6"}},
        detail="alarm at 25%: fn-prod-errors; rolled back",
    ).finished(ROLLED_BACK)
    back = DeploymentRecord(
        "catalogue",
        "prod",
        "rollback",
        "rel-1",
        "sha256:aa",
        "b" * 40,
        "oct|cat",
        started_at="2026-01-01T10:05:00.000000Z",
    ).finished(SUCCEEDED)
    text = report.render("catalogue", "prod", [back, deployed], run_checks(manifest, api, timeout=5))
    lines = text.splitlines()
    assert lines[0] == "# Deployment report: catalogue in PROD"
    assert "| outcome | **rolled back** |" in lines
    assert "| actor | oct\\|cat |" in lines  # a pipe in a value cannot break the table
    timeline = [line for line in lines if line.startswith("| 2026-01-01")]
    assert [row.split(" | ")[2] for row in timeline] == ["canary", "rollback"]  # oldest first
    assert "| GET /products/\\{productId\\} | 404 | pass |" in lines
    assert any(line.startswith("- canary rel-2: rolled\\_back") for line in lines)

    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = report.write(text, tmp_path / "build" / "deployment-report.md")
    assert out.read_text() == text
    assert summary.read_text() == "earlier step\n" + text
