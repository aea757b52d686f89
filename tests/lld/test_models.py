"""Data models: Python classes, mermaid class diagrams, OpenAPI schemas and field tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbws_scaffold.lld.parser import parse_file, parse_text
from bbws_scaffold.model import DataModel, ServiceSpec
from tests.paths import CORPUS, ground_truth_files

HEAD = "# Widget Lambda - Low-Level Design\n\n**Version**: 1.0\n\n## 5. Data Models\n\n"


def parse(body: str) -> ServiceSpec:
    return parse_text("2.9.9_LLD_Widget.md", HEAD + body)


def model(spec: ServiceSpec, name: str, source: str = "python") -> DataModel:
    return next(m for m in spec.models if m.name == name and m.source == source)


def names(spec: ServiceSpec, source: str, kinds: tuple[str, ...] = ("model", "enum")) -> list[str]:
    return [m.name for m in spec.models if m.source == source and m.kind in kinds]


PYDANTIC = '''```python
from pydantic import BaseModel, EmailStr, Field
from typing import List, Optional
from decimal import Decimal
from enum import Enum

class Status(str, Enum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"

class Item(BaseModel):
    """A line item."""
    item_id: str = Field(..., alias="itemId", min_length=1, max_length=40)
    price: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)
    email: EmailStr
    note: Optional[str] = Field(None, regex=r"^[a-z]+$", description="free text")
    tags: List[str] = Field(default_factory=list)
    site_id: str | None = None
    status: Status = Status.ACTIVE
    count: int = 0

    class Config:
        populate_by_name = True

class SpecialItem(Item):
    extra: bool = False
```
'''


def test_pydantic_fields_as_written():
    spec = parse(PYDANTIC)
    assert names(spec, "python") == ["Status", "Item", "SpecialItem"]
    item = model(spec, "Item")
    assert item.kind == "model" and item.bases == ["BaseModel"] and item.description == "A line item."
    f = {x.name: x for x in item.fields}
    assert list(f) == ["item_id", "price", "email", "note", "tags", "site_id", "status", "count"]
    assert f["item_id"].alias == "itemId" and f["item_id"].required and not f["item_id"].optional
    assert f["item_id"].constraints == {"min_length": 1, "max_length": 40}
    assert f["price"].type == "Decimal" and f["price"].constraints == {"gt": 0, "max_digits": 10, "decimal_places": 2}
    assert f["email"].type == "EmailStr" and f["email"].required
    assert f["note"].type == "Optional[str]" and f["note"].optional and not f["note"].required
    assert f["note"].default == "None" and f["note"].constraints == {"pattern": "^[a-z]+$"}
    assert f["note"].description == "free text"
    assert f["tags"].type == "List[str]" and f["tags"].default == "list()" and not f["tags"].required
    assert f["site_id"].optional and f["site_id"].default == "None"
    assert f["status"].default == "Status.ACTIVE"
    assert f["count"].default == "0" and not f["count"].optional
    assert f["item_id"].line == model(spec, "Item").line + 2


def test_enum_values_and_subclass_within_document():
    spec = parse(PYDANTIC)
    status = model(spec, "Status")
    assert status.kind == "enum" and [(v.name, v.value) for v in status.values] == [
        ("ACTIVE", "ACTIVE"),
        ("ARCHIVED", "ARCHIVED"),
    ]
    assert model(spec, "SpecialItem").kind == "model"


def test_subclass_across_blocks_dataclass_typeddict_namedtuple():
    body = (
        "```python\nclass Base(BaseModel):\n    a: int\n```\n\n"
        "```python\nclass Child(Base):\n    b: str\n\n@dataclass\nclass Point:\n    x: int = 0\n\n"
        "class TD(TypedDict):\n    k: str\n\nclass NT(typing.NamedTuple):\n    v: float\n\n"
        "class Color(IntEnum):\n    RED = 1\n```\n"
    )
    spec = parse(body)
    assert names(spec, "python") == ["Base", "Child", "Point", "TD", "NT", "Color"]
    assert model(spec, "Color").values[0].value == "1"


def test_exceptions_services_tests_and_config_are_not_models():
    body = (
        "```python\nclass BusinessException(Exception):\n    pass\n\n"
        "class NotFound(BusinessException):\n    pass\n\nclass Timeout(ImportedError):\n    pass\n\n"
        "class WidgetService:\n    def get(self): ...\n\nclass TestWidget:\n    def test_a(self): assert True\n```\n"
    )
    spec = parse(body)
    assert names(spec, "python") == []
    assert names(spec, "python", ("exception",)) == ["BusinessException", "NotFound", "Timeout"]
    assert "WidgetService" not in {m.name for m in spec.models}


def test_models_inside_handler_code_and_broken_blocks():
    body = (
        "```python\nfrom pydantic import BaseModel, Field\napp = APIGatewayRestResolver()\n\n"
        "class CreateTicketRequest(BaseModel):\n    subject: str = Field(..., min_length=10)\n\n"
        '@app.post("/tickets")\ndef create():\n    body = {\n        ...\n        "x": 1,,\n    }\n```\n\n'
        "```python\nboto3==1.34.0\npydantic>=2.5\n```\n\n"
        "```python\nITEM = {\n    'PK': 'TENANT#t_1',\n}\n```\n"
    )
    spec = parse(body)
    assert names(spec, "python") == ["CreateTicketRequest"]
    assert model(spec, "CreateTicketRequest").fields[0].constraints == {"min_length": 10}


def test_conflicting_python_duplicates_warn_and_keep_first():
    body = "```python\nclass A(BaseModel):\n    x: int\n```\n\n```python\nclass A(BaseModel):\n    y: str\n```\n"
    spec = parse(body)
    assert [m.fields[0].name for m in spec.models if m.name == "A"] == ["x"]
    assert any("defined again" in w.message for w in spec.warnings)


MERMAID = """```mermaid
classDiagram
    %% handlers
    class WidgetHandler {
        <<Handler>>
        -widget_service: WidgetService
        +handle(event: dict, context: LambdaContext) dict
    }
    class WidgetRepository {
        -Table table
        +findById(widgetId str) Optional~Widget~
    }
    class Widget {
        +str widgetId
        +List~Part~ parts
        +Dict~str,int~ counts
        +validate() None
    }
    class Part~T~
    class WidgetStatus {
        <<enumeration>>
        ACTIVE
        ARCHIVED
    }
    class BusinessException {
        <<abstract>>
        +str message
    }
    class WidgetNotFound {
        <<BusinessException>>
    }
    class Helper
    <<interface>> Helper
    Widget : +int quantity
    BusinessException <|-- WidgetNotFound
    WidgetRepository --> Ghost
```
"""


def test_mermaid_declared_classes_kinds_and_members():
    spec = parse(MERMAID)
    got = {m.name: m for m in spec.models if m.source == "mermaid"}
    assert list(got) == [
        "WidgetHandler",
        "WidgetRepository",
        "Widget",
        "Part",
        "WidgetStatus",
        "BusinessException",
        "WidgetNotFound",
        "Helper",
    ]
    assert "Ghost" not in got  # relationship-only names are references, not declarations
    assert got["WidgetHandler"].kind == "component" and got["WidgetHandler"].stereotype == "Handler"
    assert got["WidgetHandler"].fields[0].name == "widget_service"
    assert got["WidgetHandler"].fields[0].type == "WidgetService"
    assert got["WidgetRepository"].kind == "component"
    widget = got["Widget"]
    assert widget.kind == "model"
    assert [(f.name, f.type) for f in widget.fields] == [
        ("widgetId", "str"),
        ("parts", "List[Part]"),
        ("counts", "Dict[str, int]"),
        ("quantity", "int"),
    ]
    assert got["WidgetStatus"].kind == "enum" and [v.name for v in got["WidgetStatus"].values] == ["ACTIVE", "ARCHIVED"]
    assert got["BusinessException"].kind == "exception"
    assert got["WidgetNotFound"].kind == "exception" and got["WidgetNotFound"].bases == ["BusinessException"]
    assert got["Helper"].stereotype == "interface" and got["Helper"].kind == "component"
    assert (HEAD + MERMAID).splitlines()[widget.line - 1].strip() == "class Widget {"


def test_openapi_schemas():
    body = """```yaml
openapi: 3.0.3
paths:
  /widgets:
    get:
      operationId: listWidgets
components:
  schemas:
    Widget:
      type: object
      required: [widgetId, name]
      properties:
        widgetId:
          type: string
          format: uuid
        name:
          type: string
          minLength: 1
          maxLength: 100
          description: Display name
        createdAt:
          type: string
          format: date-time
        parts:
          type: array
          items:
            $ref: '#/components/schemas/Part'
        size:
          type: integer
          minimum: 0
          default: 1
        note:
          type: string
          nullable: true
    Part:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            sku:
              type: string
    WidgetStatus:
      type: string
      enum: [ACTIVE, in-review]
```
"""
    spec = parse(body)
    assert [m.name for m in spec.models if m.source == "openapi"] == ["Widget", "Part", "WidgetStatus"]
    w = model(spec, "Widget", "openapi")
    f = {x.name: x for x in w.fields}
    assert f["widgetId"].type == "str" and f["widgetId"].required
    assert f["name"].constraints == {"min_length": 1, "max_length": 100} and f["name"].description == "Display name"
    assert f["createdAt"].type == "datetime" and f["createdAt"].optional and not f["createdAt"].required
    assert f["parts"].type == "list[Part]"
    assert f["size"].constraints == {"ge": 0} and f["size"].default == "1"
    assert f["note"].optional
    src = (HEAD + body).splitlines()
    assert src[f["name"].line - 1].strip() == "name:"
    assert model(spec, "Part", "openapi").bases == ["Base"]
    status = model(spec, "WidgetStatus", "openapi")
    assert status.kind == "enum" and [(v.name, v.value) for v in status.values] == [
        ("ACTIVE", "ACTIVE"),
        ("IN_REVIEW", "in-review"),
    ]


def test_field_tables_under_bold_labels():
    body = (
        "**OrderItem (Array of Objects in `items` attribute):**\n\n"
        "| Field | Type | Required | Description |\n|---|---|---|---|\n"
        "| id | String | Yes | UUID |\n| quantity | Number | Yes | min 1 |\n| note | String | No | - |\n\n"
        "**Campaign (Map, optional):**\n\nCampaign details are denormalised.\n\n"
        "| Field | Type | Required | Description |\n|---|---|---|---|\n| code | String | Yes | Code |\n\n"
        "**GSI1: OrdersByDateIndex**\n\n| Attribute | Type | Key Type |\n|---|---|---|\n"
        "| GSI1_PK | String | Partition Key |\n"
    )
    spec = parse(body)
    assert [m.name for m in spec.models if m.source == "table"] == ["OrderItem", "Campaign"]
    item = model(spec, "OrderItem", "table")
    assert [(f.name, f.type, f.required) for f in item.fields] == [
        ("id", "str", True),
        ("quantity", "float", True),
        ("note", "str", False),
    ]
    assert item.fields[2].optional and item.fields[0].description == "UUID"


def test_one_entry_per_source_and_name():
    spec = parse(PYDANTIC + "\n" + MERMAID.replace("class Widget {", "class Item {"))
    pairs = [(m.source, m.name) for m in spec.models]
    assert len(pairs) == len(set(pairs))
    assert ("python", "Item") in pairs and ("mermaid", "Item") in pairs


@pytest.mark.parametrize("gt_file", ground_truth_files(), ids=lambda p: p.stem)
def test_corpus_ground_truth(gt_file: Path):
    lld = CORPUS / f"{gt_file.stem}.md"
    if not lld.exists():
        pytest.skip("LLD not in the corpus")
    gt = json.loads(gt_file.read_text(encoding="utf-8"))
    spec = parse_file(lld)
    assert set(names(spec, "python")) == set(gt.get("models") or [])
    assert {m.name for m in spec.models if m.source == "mermaid"} == set(gt.get("mermaid_classes") or [])
    assert {m.name for m in spec.models if m.source == "openapi"} == set(gt.get("openapi_schemas") or [])
    assert all(m.line for m in spec.models)
    assert not [w for w in spec.warnings if "data models:" in w.message]


def test_annotated_field_constraints():
    body = (
        "```python\nclass A(BaseModel):\n    name: Annotated[str, Field(min_length=2, alias='n')] = 'ab'\n"
        "    size: Annotated[int, Field(ge=0)]\n```\n"
    )
    a = model(parse(body), "A")
    assert [(f.name, f.alias, f.default, f.required, f.constraints) for f in a.fields] == [
        ("name", "n", "'ab'", False, {"min_length": 2}),
        ("size", None, None, True, {"ge": 0}),
    ]
