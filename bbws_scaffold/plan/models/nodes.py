"""The typed ``models`` answer: what ``src/models/schemas.py`` and ``tests/factories.py`` read.

``ModelsPlan.model_dump(mode="json")`` is the stored answer. Some keys are Python words
(``str``, ``list``, ``dict``): those fields have other names and are stored under the key,
so the answer keeps its short, template-friendly keys.

Two kinds of string, as the module :mod:`bbws_scaffold.plan.models` explains: Python source
(:class:`SrcSample`, ``ann``, ``FieldDefault.v`` of kind ``src``, names) is built from validated
tokens and emitted as it is; everything else is raw LLD text the templates escape.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import AliasChoices, ConfigDict, Field

from bbws_scaffold.plan.node import PlanNode


class _AliasedNode(PlanNode):
    """A node with a field whose key is a Python word: built by field name, dumped (and read) by key."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)


def _keyed(key: str, name: str, description: str | None = None) -> Any:
    """The field ``name`` stored under ``key``."""
    return Field(serialization_alias=key, validation_alias=AliasChoices(key, name), description=description)


class StrSample(_AliasedNode):
    text: str = _keyed("str", "text", "a string value (raw)")


class SrcSample(PlanNode):
    src: str = Field(description="Python source (validated tokens)")


class DecimalSample(PlanNode):
    decimal: str = Field(description="digits for Decimal(...)")


class CallSample(PlanNode):
    call: str = Field(description="a factory function to call")


class ListSample(_AliasedNode):
    items: list[Sample] = _keyed("list", "items")


class DictSample(_AliasedNode):
    pairs: list[tuple[Sample, Sample]] = _keyed("dict", "pairs", "[key, value] pairs")


Sample = Union[StrSample, SrcSample, DecimalSample, CallSample, ListSample, DictSample]
"""One factory sample value, as a small tree (``_macros/python.jinja`` ``pysample`` prints it)."""


class FieldDefault(PlanNode):
    kind: Literal["src", "str", "decimal", "factory"] = Field(
        description="src: Python source; str: a raw string; decimal: Decimal(v); factory: default_factory=v"
    )
    v: str


class StrArg(_AliasedNode):
    """A ``Field(...)`` constraint with a string value (a pattern: raw)."""

    key: str
    text: str = _keyed("str", "text", "raw")


class SrcArg(PlanNode):
    """A ``Field(...)`` constraint with a number (Python source)."""

    key: str
    src: str


class ModelFieldPlan(PlanNode):
    ident: str
    ann: str = Field(description="the annotation, Python source")
    alias: str | None = Field(description="the name as the LLD writes it, when it differs from ident (raw)")
    default: FieldDefault | None = Field(description="None: required")
    args: list[StrArg | SrcArg] = Field(description="Field(...) constraints")
    comments: list[str] = Field(description="what was dropped or changed, and why (raw)")


class ModelClass(PlanNode):
    kind: Literal["model"] = "model"
    name: str
    doc: str | None = Field(description="raw")
    fields: list[ModelFieldPlan]


class EnumMember(PlanNode):
    name: str
    value: str = Field(description="raw")


class EnumPlan(PlanNode):
    kind: Literal["enum"] = "enum"
    name: str
    doc: str | None = Field(description="raw")
    members: list[EnumMember]


ClassPlan = Annotated[Union[EnumPlan, ModelClass], Field(discriminator="kind")]


class ModelsImports(PlanNode):
    std: list[str]
    third: list[str]


class FactoryValue(PlanNode):
    key: str = Field(description="the field's ident")
    sample: Sample


class FactoryPlan(PlanNode):
    name: str
    cls: str
    values: list[FactoryValue]


class ModelsPlan(PlanNode):
    classes: list[ClassPlan] = Field(description="enums first, then models after the models they name")
    imports: ModelsImports
    rebuild: list[str] = Field(description="models that need model_rebuild() (they name a later model)")
    factories: list[FactoryPlan]
    factory_decimal: bool = Field(description="some factory sample needs Decimal")


ListSample.model_rebuild()
DictSample.model_rebuild()
