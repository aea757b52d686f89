"""The answers a spec produces do not depend on the order its mappings arrive in.

copier stores the answers file with sorted keys; a plain ``copier update`` (or ``bbws-scaffold
update`` without ``--lld``) replays the spec from there. If anything derived from the spec followed
mapping order, a fresh render and a replayed one would differ, and an update with nothing new
would rewrite files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.plan.answers import answers_data
from bbws_scaffold.yamlfile import dump_answers
from tests import yamlio
from tests.paths import corpus_llds, example_llds


@pytest.mark.parametrize("lld", [*example_llds(), *corpus_llds()], ids=lambda p: p.name)
def test_replayed_spec_gives_identical_answers(lld: Path) -> None:
    spec = parse_file(lld)
    fresh = answers_data(spec, "acme")
    stored = yamlio.load_answers(dump_answers(fresh))  # what the answers file holds (fresh is sorted)
    replayed = answers_data(ServiceSpec.model_validate(stored["spec"]), "acme", stored["environments"])
    assert json.dumps(replayed) == json.dumps(fresh)  # same content, same order
