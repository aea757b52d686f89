"""The JSON Schema of each configuration file, by name (``bbws-scaffold config schema NAME``)."""

from __future__ import annotations

from typing import Any

from bbws_scaffold.config import environments, github, wordpress
from bbws_scaffold.config.loader import ConfigFile

FILES: dict[str, ConfigFile[Any]] = {
    "environments": environments.FILE,
    "github": github.FILE,
    "wordpress_image": wordpress.FILE,
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the configuration file ``name`` (a key of :data:`FILES`)."""
    config = FILES[name]
    schema = config.model.model_json_schema()
    del schema["title"]  # the model's class name; the file's name says more
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": config.packaged.name, **schema}
