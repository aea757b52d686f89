"""Field types of the configuration models, used as ``Annotated`` metadata: each checks one value,
says in its error what the value should be, and puts the rule in the exported JSON Schema.

``Annotated`` applies the last metadata first, so :data:`EMPTY_IS_DEFAULT` goes last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticUseDefault, core_schema


def number_as_text(value: Any) -> Any:
    """A YAML number read as the text it was written as (``php: 8.3``); anything else unchanged."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _empty_is_default(value: Any) -> Any:
    if not value:
        raise PydanticUseDefault()
    return value


# An empty entry (null, "", [], {}) means the field's default, as an omitted one does.
EMPTY_IS_DEFAULT = BeforeValidator(_empty_is_default)
# A string; a YAML number is taken as its text.
NUMBER_AS_TEXT = BeforeValidator(number_as_text)


class _Rule:
    """Metadata that checks the raw value before the annotated type does, and adds
    :meth:`_json_schema` to the type's schema."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), **self._json_schema()}

    def _check(self, value: Any) -> Any:
        raise NotImplementedError

    def _json_schema(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class Matches(_Rule):
    """The value is a string matching ``regex`` (whole); the error says it is not ``meaning``.
    With ``numbers``, a YAML number is first read as its text."""

    regex: str
    meaning: str
    numbers: bool = True

    def _json_schema(self) -> dict[str, Any]:
        return {"pattern": self.regex}

    def _check(self, value: Any) -> str:
        if self.numbers:
            value = number_as_text(value)
        if not isinstance(value, str) or not re.fullmatch(self.regex, value):
            raise ValueError(f"{value!r} is not {self.meaning}")
        return value


@dataclass(frozen=True)
class Within(_Rule):
    """The value is an integer (not a boolean, not a numeric string) in ``[lo, hi]``."""

    lo: int
    hi: int

    def _json_schema(self) -> dict[str, Any]:
        return {"minimum": self.lo, "maximum": self.hi}

    def _check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
            raise ValueError(f"must be an integer in [{self.lo}, {self.hi}]")
        return value
