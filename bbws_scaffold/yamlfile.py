"""Read a YAML configuration (or workflow) file with one clear error for every way it can fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read_yaml(path: Path, what: str, error: type[Exception]) -> Any:
    """The parsed document at ``path``; an unreadable file or invalid YAML raises ``error`` with a
    message that names the file and says what it should have been (``what``)."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
