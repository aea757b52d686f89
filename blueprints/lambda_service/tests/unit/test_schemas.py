"""The LLD's API schemas build (every referenced type resolves) and validate."""

from __future__ import annotations

import inspect
from enum import Enum

from pydantic import BaseModel

from src.models import schemas


def test_every_schema_builds_its_json_schema() -> None:
    models = [
        m
        for _, m in inspect.getmembers(schemas, inspect.isclass)
        if issubclass(m, BaseModel) and m.__module__ == schemas.__name__
    ]
    for model in models:
        schema = model.model_json_schema()
        # a recursive model is a reference into its own $defs
        title = schema["title"] if "title" in schema else schema["$defs"][model.__name__]["title"]
        assert title == model.__name__


def test_every_enum_has_string_values() -> None:
    enums = [
        e
        for _, e in inspect.getmembers(schemas, inspect.isclass)
        if issubclass(e, Enum) and e.__module__ == schemas.__name__
    ]
    for enum in enums:
        assert all(isinstance(member.value, str) for member in enum)
