"""The steps `new` prints and the generated README's set-up run in an order that works, and are
the same commands (the README's runbook is run as written by tests/test_readme_runbook.py).

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
from tests.test_readme_runbook import runbook

CONVENTIONAL = re.compile(r"^(feat|fix|chore|docs|refactor|test|build|ci|perf|style)(\([\w.-]+\))?!?: \S")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("out"))


def position(lines: list[str], needle: str) -> int:
    hits = [i for i, line in enumerate(lines) if needle in line]
    assert hits, f"{needle!r} not in {lines}"
    return hits[0]


def test_printed_next_steps_init_git_before_hooks_and_commit_conventionally(repo: Path) -> None:
    steps = summary(repo, load_spec(CATALOGUE_LLD)).split("next", 1)[1].splitlines()[1:]
    assert position(steps, "git init") < position(steps, "pre-commit install") < position(steps, "git commit")
    message = re.search(r'git commit -m "([^"]+)"', "\n".join(steps))
    assert message and CONVENTIONAL.match(message.group(1)), message


def test_readme_set_up_inits_git_before_the_hooks_and_new_prints_the_same_commands(repo: Path) -> None:
    block = runbook((repo / "README.md").read_text())[0].splitlines()
    assert position(block, "git init") < position(block, "pre-commit install") < position(block, "git commit")
    printed = summary(repo, load_spec(CATALOGUE_LLD)).split("next", 1)[1].splitlines()[1:]
    assert printed[0].strip() == f"cd {repo}"
    assert [line.strip() for line in printed[1:]] == block
