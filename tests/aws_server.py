"""moto in server mode on 127.0.0.1: real HTTP, started and stopped by the tests.

Registered as a plugin in ``tests/conftest.py``: any test takes the ``aws`` fixture. It
points boto3 at the server through ``AWS_ENDPOINT_URL`` (honoured natively by botocore), sets
throw-away credentials and resets the server's state between tests, so no test sees another's
resources and nothing ever leaves the machine.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class AwsServer:
    endpoint: str

    def reset(self) -> None:
        """Forget every resource the server holds (moto's reset API)."""
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback only
            resp.read()

    def set_account(self, monkeypatch: pytest.MonkeyPatch, account_id: str) -> None:
        """Make STS (and every ARN moto builds) report ``account_id`` for this test."""
        monkeypatch.setenv("MOTO_ACCOUNT_ID", account_id)

    def state(self, path: str) -> object:
        with urllib.request.urlopen(f"{self.endpoint}{path}", timeout=10) as resp:  # noqa: S310
            return json.loads(resp.read())


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[AwsServer]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield AwsServer(endpoint=f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture
def aws(_moto_server: AwsServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsServer]:
    """A clean moto server and an environment that sends every boto3 call to it."""
    for name in (
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", _moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    _moto_server.reset()
    yield _moto_server
    _moto_server.reset()
