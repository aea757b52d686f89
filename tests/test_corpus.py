"""The six real LLDs against their hand-checked ground truth (../shared/lld_corpus/ground_truth).

The same scoring prints as a table with ``python bench/corpus_scores.py -v``.
"""

from __future__ import annotations

import json

import pytest

from bbws_scaffold.lld.parser import parse_file
from bench.corpus_scores import score
from tests.paths import CORPUS, ground_truth_files

GT = ground_truth_files()


@pytest.fixture(scope="module", params=GT, ids=lambda p: p.stem)
def scored(request):
    gt = json.loads(request.param.read_text(encoding="utf-8"))
    return score(parse_file(CORPUS / f"{request.param.stem}.md"), gt)


def test_the_corpus_is_there():
    assert len(GT) == 6


def test_endpoints_precision_and_recall(scored):
    assert scored.endpoint_precision >= 0.95, scored.misses
    assert scored.endpoint_recall >= 0.95, scored.misses
    assert scored.primary_recall == 1.0, scored.misses


def test_function_pairing(scored):
    assert scored.function_pairing == 1.0, scored.misses
    assert scored.other_functions == 1.0, scored.misses


def test_tables_keys_and_gsis(scored):
    assert scored.tables == 1.0, scored.misses
    assert scored.gsis == 1.0, scored.misses


def test_model_names(scored):
    assert scored.models == 1.0, scored.misses
    assert scored.mermaid_classes == 1.0, scored.misses
    assert scored.openapi_schemas == 1.0, scored.misses


def test_env_var_names(scored):
    assert scored.env_vars == (1.0, 1.0), scored.misses


def test_identity_and_runtime(scored):
    assert scored.runtime == 1.0, scored.misses
