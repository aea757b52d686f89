"""Helpers for the WordPress image tests: a recording docker runner and per-account moto sessions."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest

from bbws_scaffold.plan.wordpress import wordpress_answers
from bbws_scaffold.render.new import render_wordpress
from bbws_scaffold.runtime.config import RuntimeConfig, parse_config
from bbws_scaffold.runtime.docker.image import ImageConfig, load_image_config
from bbws_scaffold.runtime.docker.runner import Completed

DEV, SIT, PROD = "536580886816", "815856636111", "093646564004"


def account_session(account_id: str, region: str = "eu-west-1") -> boto3.session.Session:
    """A boto3 session the moto server treats as ``account_id`` (its ``x-moto-account-id`` header)."""
    session = boto3.session.Session(region_name=region)

    def add_header(request: object, **_: object) -> None:
        request.headers["x-moto-account-id"] = account_id  # type: ignore[attr-defined]

    session.events.register("before-send.*.*", add_header)
    return session


Handler = Callable[[tuple[str, ...], str | None], Completed]


@dataclass
class FakeRunner:
    """Records every docker command line; ``handlers`` answer by subcommand (default: exit 0)."""

    calls: list[tuple[str, ...]] = field(default_factory=list)
    stdins: list[str | None] = field(default_factory=list)
    cwds: list[Path | None] = field(default_factory=list)
    handlers: dict[str, Handler] = field(default_factory=dict)

    def __call__(
        self, argv: Sequence[str], *, stdin: str | None = None, capture: bool = True, cwd: Path | None = None
    ) -> Completed:
        args = tuple(argv)
        self.calls.append(args)
        self.stdins.append(stdin)
        self.cwds.append(cwd)
        sub = _subcommand(args)
        if sub in self.handlers:
            return self.handlers[sub](args, stdin)
        return Completed(args, 0, "", "")

    def commands(self, name: str) -> list[tuple[str, ...]]:
        return [c for c in self.calls if _subcommand(c) == name]


def _subcommand(args: tuple[str, ...]) -> str:
    rest = list(args[1:])
    if rest[:1] == ["--config"]:
        rest = rest[2:]
    return " ".join(rest[:2]) if rest[:1] == ["image"] else (rest[0] if rest else "")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository rendered with the packaged defaults."""
    return render_wordpress(tmp_path_factory.mktemp("wp"), answers=wordpress_answers(org="BigBeardWebSolutions"))


@pytest.fixture
def image(rendered: Path) -> ImageConfig:
    return load_image_config(rendered / "deploy" / "image.json")


@pytest.fixture
def runtime_config(tmp_path: Path) -> RuntimeConfig:
    envs = {
        "dev": {"account_id": DEV, "region": "eu-west-1"},
        "sit": {"account_id": SIT, "region": "eu-west-1", "required_reviewers": 1},
        "prod": {"account_id": PROD, "region": "af-south-1", "required_reviewers": 2},
    }
    data = {"service": "wordpress-container", "promotion_order": ["dev", "sit", "prod"], "environments": envs}
    path = tmp_path / "environments.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return parse_config(data, path)
