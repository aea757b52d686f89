"""A reader for the Mermaid flowcharts the generated READMEs hold, written from Mermaid's
flowchart syntax (not from bbws_scaffold.plan.diagram): node statements ``id["label"]`` in the
shapes rectangle ``[..]``, cylinder ``[(..)]``, asymmetric ``>..]`` and parallelogram ``[/../]``;
edges ``a --> b``, ``a -- "text" --> b``, ``a -.-> b``; ``class id name``; ``classDef``;
``subgraph id["title"]`` ... ``end``. Labels are decoded from Mermaid's ``#NNN;`` entity codes.

Any line that is none of these fails the reading: an injected statement cannot hide."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bbws_scaffold.model import ServiceSpec

_ID = r"[A-Za-z][A-Za-z0-9_]*"
_NODE = re.compile(rf'^\s*({_ID})(\["|\[\("|>"|\[/")([^"]*)("\]|"\)\]|"/\])$')
_EDGE = re.compile(rf'^\s*({_ID}) (-->|-\.->|-- "[^"]*" -->) ({_ID})$')
_CLASS = re.compile(rf"^\s*class ({_ID}) ({_ID})$")
_CLASSDEF = re.compile(rf"^\s*classDef ({_ID}) [^\"`<>]*$")
_SUBGRAPH = re.compile(rf'^\s*subgraph ({_ID})\["([^"]*)"\]$')
_ENTITY = re.compile(r"#(\d+);")


def decode(text: str) -> str:
    return _ENTITY.sub(lambda m: chr(int(m.group(1))), text)


@dataclass
class Flowchart:
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (shape opener, decoded label)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from, arrow, to)
    classes: dict[str, str] = field(default_factory=dict)  # node id -> class name
    subgraphs: dict[str, str] = field(default_factory=dict)

    def labels(self, opener: str) -> list[str]:
        return [label for shape, label in self.nodes.values() if shape == opener]

    def id_of(self, label: str) -> str:
        [found] = [i for i, (_, lab) in self.nodes.items() if lab == label]
        return found


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, flags=re.DOTALL | re.MULTILINE)


def read_flowchart(text: str) -> Flowchart:
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "flowchart LR", lines[0]
    chart = Flowchart()
    depth = 0
    for line in lines[1:]:
        if m := _NODE.match(line):
            assert m.group(1) not in chart.nodes, f"node {m.group(1)} defined twice"
            chart.nodes[m.group(1)] = (m.group(2), decode(m.group(3)))
        elif m := _EDGE.match(line):
            chart.edges.append((m.group(1), m.group(2), m.group(3)))
        elif m := _CLASS.match(line):
            chart.classes[m.group(1)] = m.group(2)
        elif m := _SUBGRAPH.match(line):
            chart.subgraphs[m.group(1)] = decode(m.group(2))
            depth += 1
        elif line.strip() == "end":
            depth -= 1
            assert depth >= 0
        elif not _CLASSDEF.match(line):
            raise AssertionError(f"not a flowchart statement: {line!r}")
    assert depth == 0
    known = set(chart.nodes) | set(chart.subgraphs)
    assert all(a in known and b in known for a, _, b in chart.edges)
    assert set(chart.classes) <= set(chart.nodes)
    return chart


def check_matches_spec(chart: Flowchart, spec: ServiceSpec) -> None:
    """Every route, function and table of the spec is a node; each route points at its function,
    each function at the tables it accesses, each trigger at its function."""
    routes = {lab.split(" (", 1)[0]: i for i, (shape, lab) in chart.nodes.items() if i.startswith("r")}
    assert set(routes) == {f"{ep.method} {ep.path}" for ep in spec.endpoints}
    assert sorted(chart.labels('["')) == sorted([*routes_labels(chart), *(fn.ident for fn in spec.functions)])
    assert sorted(chart.labels('[("')) == sorted(t.name for t in spec.tables)
    fn_ids = {fn.ident: chart.id_of(fn.ident) for fn in spec.functions}
    for ep in spec.endpoints:
        if ep.handler in fn_ids:
            assert (routes[f"{ep.method} {ep.path}"], "-->", fn_ids[ep.handler]) in chart.edges
    table_ids = {t.name: chart.id_of(t.name) for t in spec.tables}
    for fn in spec.functions:
        for access in fn.access:
            if access.table in table_ids:
                assert any(a == fn_ids[fn.ident] and b == table_ids[access.table] for a, _, b in chart.edges)
        if fn.trigger == "sqs" and fn.source_name:
            assert (chart.id_of(f"SQS: {fn.source_name}"), "-->", fn_ids[fn.ident]) in chart.edges
    assert {chart.classes[i] for i in routes.values()} <= {"public", "authenticated"}


def routes_labels(chart: Flowchart) -> list[str]:
    return [lab for i, (shape, lab) in chart.nodes.items() if i.startswith("r") and shape == '["']
