"""Every model has a factory; every factory builds a valid instance that survives a round trip."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

import src.models
from tests import factories

FACTORIES: list[tuple[str, Callable[..., Any]]] = [
    (name, fn)
    for name, fn in inspect.getmembers(factories, inspect.isfunction)
    if name.endswith("_factory") and fn.__module__ == factories.__name__
]


def all_models() -> set[type[BaseModel]]:
    out: set[type[BaseModel]] = set()
    for info in pkgutil.iter_modules(src.models.__path__):
        module = importlib.import_module(f"{src.models.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseModel) and cls.__module__ == module.__name__:
                out.add(cls)
    return out


@pytest.mark.parametrize("factory", [fn for _, fn in FACTORIES], ids=[name for name, _ in FACTORIES])
def test_factory_round_trips_by_alias(factory: Callable[..., Any]) -> None:
    instance = factory()
    assert isinstance(instance, BaseModel)
    again = type(instance).model_validate(instance.model_dump(by_alias=True))
    assert again == instance


def test_every_model_has_a_factory() -> None:
    built = {type(fn()) for _, fn in FACTORIES}
    missing = sorted(m.__name__ for m in all_models() - built)
    assert not missing, f"models without a factory: {missing}"
