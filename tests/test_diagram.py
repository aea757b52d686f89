"""The Mermaid diagram of a service (``lld parse --diagram``, the generated README): its nodes are
the spec's routes, functions, tables and triggers, its edges who calls whom, and LLD text in a
label can neither break out of it nor change the chart."""

from __future__ import annotations

import pytest

from bbws_scaffold.access import derive
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.plan.diagram import mermaid, mermaid_block
from tests.mermaid import check_matches_spec, mermaid_blocks, read_flowchart
from tests.paths import CATALOGUE_LLD, CORPUS, corpus_llds, example_llds

LLDS = example_llds() + corpus_llds()


@pytest.mark.parametrize("lld", LLDS, ids=[p.stem for p in LLDS])
def test_the_diagram_of_every_lld_matches_its_spec(lld) -> None:
    spec = parse_file(lld)
    [block] = mermaid_blocks(mermaid_block(spec) + "\n")
    check_matches_spec(read_flowchart(block), spec)


def test_order_queues_trigger_their_functions() -> None:
    # 2.1.8 lists order_creator_record as triggered by the SQS queue bbws-order-record-{env}
    chart = read_flowchart(mermaid(parse_file(CORPUS / "2.1.8_LLD_Order_Lambda.md")))
    assert (chart.id_of("SQS: bbws-order-record-{env}"), "-->", chart.id_of("order_creator_record")) in chart.edges
    # and every function of it writes the orders table
    table = chart.id_of("bbws-customer-portal-orders-{environment}")
    assert any(a == chart.id_of("create_order") and b == table for a, _, b in chart.edges)


EVIL = [
    '"]; click f1 "javascript:alert(1)"',
    "<script>alert(1)</script>",
    "two\nlines\n%% comment\nend",
    "```\n# heading",
    "{{ 7 * 7 }} {% if x %}",
    "a | b ; c #35; [x] (y) {z}",
]


@pytest.mark.parametrize("text", EVIL)
def test_lld_text_in_labels_cannot_change_the_chart(text: str) -> None:
    spec = parse_file(CATALOGUE_LLD)
    eps = [ep.model_copy(update={"path": f"/v1/{text}", "auth": text}) for ep in spec.endpoints[:1]]
    tables = [t.model_copy(update={"name": text}) for t in spec.tables[:1]]
    evil = spec.model_copy(update={"endpoints": eps + spec.endpoints[1:], "tables": tables + spec.tables[1:]})
    block = mermaid_block(evil)
    body = block.split("\n", 1)[1].rsplit("\n", 1)[0]
    assert "`" not in body and "<" not in body and "{{" not in body and "{%" not in body
    assert mermaid_blocks(block + "\n") == [body + "\n"]  # the fence closes where it should
    chart = read_flowchart(body)  # every line is a flowchart statement
    flat = " ".join(text.split())
    assert f"{eps[0].method} /v1/{flat} (auth: {flat})" in chart.labels('["')
    assert flat in chart.labels('[("')
    assert not any("click" in line.split('"')[0] for line in body.splitlines())


def test_public_and_authenticated_routes_are_marked() -> None:
    spec = parse_file(CATALOGUE_LLD)
    auths = ["None", "Cognito JWT", None]
    eps = [ep.model_copy(update={"auth": a}) for ep, a in zip(spec.endpoints, auths)]
    eps = [ep.model_copy(update={"access": derive(ep)}) for ep in eps]
    chart = read_flowchart(mermaid(spec.model_copy(update={"endpoints": eps})))
    marks = {lab: chart.classes[i] for i, (_, lab) in chart.nodes.items() if i.startswith("r")}
    assert marks == {
        f"{eps[0].method} {eps[0].path} (public)": "public",
        f"{eps[1].method} {eps[1].path} (auth: Cognito JWT)": "authenticated",
        f"{eps[2].method} {eps[2].path} (authenticated)": "authenticated",
    }
