"""Arbitrary markdown never crashes the parser: it yields a spec or an LLDError, nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbws_scaffold.errors import LLDError
from bbws_scaffold.lld.parser import parse_text
from bbws_scaffold.model import ServiceSpec

TITLES = [
    "Lambda Functions",
    "API Endpoints",
    "Component Overview",
    "DynamoDB Schema",
    "GSI: EmailIndex",
    "Pydantic Models",
    "Environment Variables",
    "NFRs",
    "Tagging",
    "High Level Epic Overview",
    "Dependencies",
    "Tenant Entity",
    "Table: `bbws-x-{env}`",
    "Class Diagram",
    "OpenAPI Specification",
]
HEADERS = [
    "Function",
    "Endpoint",
    "Method",
    "Path",
    "Description",
    "Attribute",
    "Type",
    "Value",
    "Entity",
    "PK",
    "SK",
    "GSI Name",
    "Index",
    "Variable",
    "Tag",
    "Metric",
    "Target",
    "User Story #",
    "Test Scenario(s)",
    "Trigger",
    "Memory",
    "Timeout",
    "Dependency",
    "Purpose",
    "Key Type",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "GET /v1.0/a/{id}",
            "POST /x",
            "`TENANT#{tenantId}`",
            "PK",
            "SK",
            "PK (email)",
            "256MB (default)",
            "30s",
            "-",
            "String",
            "Partition Key",
            "SQS: `q-{env}`",
            "US-001",
            "< 500ms",
            "**bold**",
            "",
            "{dev\\|sit\\|prod}",
            "EventBridge",
            "arm64",
            "Python 3.12",
            "GET",
            "/v1.0/{a}/{b}",
            "<br/>",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="|\n\r"), max_size=20),
)
FENCE_BODIES = st.sampled_from(
    [
        "class A(BaseModel):\n    x: int = Field(..., alias='y')\n",
        "class E(str, Enum):\n    A = 'a'\n",
        "def f(:\n",
        "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      operationId: getA\n",
        "paths: [1, 2\n",
        "classDiagram\n  class A {\n    +str x\n  }\n  A <|-- B\n",
        "X=1\nexport Y=2 # c\n",
        '{"TableName": "t", "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}]}',
        'resource "aws_dynamodb_table" "t" {\n  name = "x"\n  hash_key = "PK"\n}\n',
        "PK: TENANT#{id}\nSK: METADATA\n",
        "sequenceDiagram\n  A->>B: POST /v1.0/x\n",
        "os.environ['A']\n",
    ]
) | st.text(max_size=80)


@st.composite
def table(draw):
    cols = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(cols), max_size=len(cols)), max_size=5))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


@st.composite
def block(draw):
    kind = draw(st.sampled_from(["heading", "table", "fence", "text", "header"]))
    if kind == "heading":
        return (
            "#" * draw(st.integers(1, 5))
            + f" {draw(st.integers(1, 9))}.{draw(st.integers(1, 9))} "
            + draw(st.sampled_from(TITLES))
        )
    if kind == "table":
        return draw(table())
    if kind == "fence":
        lang = draw(st.sampled_from(["", "python", "yaml", "json", "mermaid", "bash", "hcl", "text"]))
        return f"```{lang}\n{draw(FENCE_BODIES)}\n```"
    if kind == "header":
        return f"**{draw(st.sampled_from(['Version', 'Component', 'Parent HLD', 'Status']))}**: {draw(CELLS)}"
    return draw(st.text(max_size=60))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(block(), max_size=14))
def test_arbitrary_markdown_never_crashes(blocks):
    text = "\n\n".join(blocks)
    try:
        spec = parse_text("fuzz.md", text)
    except LLDError as exc:
        assert exc.diagnostics and all(d.severity == "error" and d.line for d in exc.diagnostics)
        return
    assert isinstance(spec, ServiceSpec)
    assert ServiceSpec.model_validate_json(spec.model_dump_json()) == spec


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text):
    try:
        parse_text("fuzz.md", text)
    except LLDError:
        pass
