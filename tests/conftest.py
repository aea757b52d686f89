"""Shared fixtures: where the corpus and the examples live."""

from __future__ import annotations

from pathlib import Path

import pytest

# moto server mode on 127.0.0.1 for every test that takes the ``aws`` fixture
pytest_plugins = ["tests.aws_server"]

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "lld_corpus"
EXAMPLES = ROOT / "examples"


def corpus_llds() -> list[Path]:
    return sorted(CORPUS.glob("*_LLD_*.md"))


def example_llds() -> list[Path]:
    return sorted(EXAMPLES.glob("*/*_LLD_*.md"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    assert CORPUS.is_dir(), f"the LLD corpus is expected at {CORPUS}"
    return CORPUS
