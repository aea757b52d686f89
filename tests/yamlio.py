"""YAML in tests, through the project's one YAML library (ruamel.yaml), with the project's rules:
YAML 1.2 for workflows and configuration, copier's YAML 1.1 for answers files."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML

from bbws_scaffold.yamlfile import YAML_1_1


def _yaml(version: tuple[int, int] | None = None) -> YAML:
    yaml = YAML(typ="safe", pure=True)
    if version:
        yaml.version = version
    return yaml


def load(text: str) -> Any:
    return _yaml().load(text)


def load_answers(text: str) -> Any:
    """An answers file's text as copier reads it (YAML 1.1)."""
    return _yaml(YAML_1_1).load(text)


def dump(data: Any) -> str:
    yaml = _yaml()
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
