"""The steps `new` prints and the generated README's set-up run in an order that works.

``pre-commit install`` refuses outside a git repository ("git failed. Is it installed, and are you
in a Git repository directory?"), so ``git init`` comes first, in both; the first commit follows
Conventional Commits (the generated repos enforce them), so the message is ``type: description``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bbws_scaffold.commands.new import summary
from bbws_scaffold.render.new import render
from tests.paths import CATALOGUE_LLD
from tests.render.specs import load_spec

CONVENTIONAL = re.compile(r"^(feat|fix|chore|docs|refactor|test|build|ci|perf|style)(\([\w.-]+\))?!?: \S")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("out"))


def position(lines: list[str], needle: str) -> int:
    hits = [i for i, line in enumerate(lines) if needle in line]
    assert hits, f"{needle!r} not in {lines}"
    return hits[0]


def test_printed_next_steps_init_git_before_hooks_and_commit_conventionally(repo: Path) -> None:
    steps = summary(repo, load_spec(CATALOGUE_LLD)).split("next:")[1].splitlines()
    assert position(steps, "git init") < position(steps, "pre-commit install") < position(steps, "git commit")
    message = re.search(r"git commit -m '([^']+)'", "\n".join(steps))
    assert message and CONVENTIONAL.match(message.group(1)), message


def test_readme_set_up_inits_git_before_the_hooks(repo: Path) -> None:
    readme = (repo / "README.md").read_text()
    block = readme.split("## Set up", 1)[1].split("```bash", 1)[1].split("```", 1)[0].splitlines()
    assert position(block, "git init") < position(block, "pre-commit install")
