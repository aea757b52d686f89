"""The one loader of configuration files: find the file, read its YAML, validate it with the file's
pydantic model, and report every problem as one line naming the file and the field::

    /path/environments.yaml: environments.sit.account_id: must be a 12-digit AWS account id

Models live next to their file's resolution (``config/environments.py``, ``config/github.py``,
``config/wordpress.py``); their field types come from :mod:`bbws_scaffold.config.fields`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from bbws_scaffold.errors import ConfigError
from bbws_scaffold.yamlfile import read_yaml

M = TypeVar("M", bound=BaseModel)

# pydantic's wording for the structural errors, said the way the rest of bbws-scaffold says it
_MESSAGES = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
    "model_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "list_type": "must be a list",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
}


@dataclass(frozen=True)
class ConfigFile(Generic[M]):
    """A configuration file: its model, its packaged default, the variable that overrides it, and
    the error class its problems raise."""

    model: type[M]
    packaged: Path  # the default shipped in bbws_scaffold/data/
    env_var: str  # names another copy
    what: str  # what the file is, for "cannot read ..." errors
    error: type[ConfigError]

    def path(self, path: str | Path | None = None) -> Path:
        """The file in force: ``path`` if given, else ``$env_var`` if set, else the packaged default."""
        if path is not None:
            return Path(path)
        override = os.environ.get(self.env_var)
        return Path(override) if override else self.packaged

    def read(self, path: str | Path | None = None) -> tuple[Any, str]:
        """The parsed YAML of the file in force and its name for messages."""
        src = self.path(path)
        return read_yaml(src, self.what, self.error), str(src)

    def validate(self, raw: Any, source: str, context: Mapping[str, Any] | None = None) -> M:
        """``raw`` as the model; a failure raises :attr:`error`, one line per problem (file: field: rule)."""
        try:
            return self.model.model_validate(raw, context=context)
        except ValidationError as exc:
            lines = [f"{source}: {_where(e)}: {_message(e)}" for e in exc.errors(include_url=False)]
            raise self.error("\n".join(lines)) from exc


def field_error(field: str, message: str) -> PydanticCustomError:
    """A rule across fields broken at ``field`` (a dotted path below the model whose validator
    raises it); the loader adds it to the error's location."""
    return PydanticCustomError("config_rule", "{message}", {"field": field, "message": message})


def _where(error: ErrorDetails) -> str:
    loc = [*error["loc"]]
    if error["type"] == "config_rule":
        loc.append(error["ctx"]["field"])
    text = ""
    for part in loc:
        if part == "[key]":  # the mapping key itself is wrong; its value's path already names it
            continue
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text or "(top level)"


def _message(error: ErrorDetails) -> str:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    return _MESSAGES.get(error["type"], error["msg"])
