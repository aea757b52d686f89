"""YAML for the project's own files: ruamel.yaml, the one YAML library bbws-scaffold uses.

Two dialects, each where it belongs:

* YAML 1.2 (:func:`read_yaml`) for the files people write: configuration and workflows. In 1.2 a
  workflow's ``on:`` key stays a string and ``no`` stays ``no``; the gate reads workflows with
  ruamel.yaml's round-trip loader for their line numbers (``pipeline/gha.py``).
* YAML 1.1 (:func:`read_answers`, :func:`dump_answers`) for ``.copier-answers.yml``, which copier
  writes and reads with PyYAML (copier's own dependency, never imported here): the answers are
  read and written with copier's rules, so a value such as ``yes`` or ``0o17`` means to us what it
  means to copier, and a line written here is the line copier would write.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

YAML_1_1 = (1, 1)


def _safe(version: tuple[int, int] | None = None) -> YAML:
    # pure: the same rules whether or not ruamel's C extension is installed
    yaml = YAML(typ="safe", pure=True)
    if version:
        yaml.version = version
    return yaml


def _read(path: Path, what: str, error: type[Exception], version: tuple[int, int] | None) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from exc
    try:
        return _safe(version).load(text)
    except (YAMLError, ValueError) as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc


def read_yaml(path: Path, what: str, error: type[Exception]) -> Any:
    """The parsed document at ``path`` (YAML 1.2); an unreadable file or invalid YAML raises
    ``error`` with a message that names the file and says what it should have been (``what``)."""
    return _read(path, what, error, None)


def read_answers(path: Path, error: type[Exception]) -> Any:
    """A copier answers file, read with the YAML 1.1 rules copier wrote it with."""
    return _read(path, "the answers file", error, YAML_1_1)


def dump_answers(data: dict[str, Any]) -> str:
    """``data`` as copier's ``to_nice_yaml`` writes answers: block style, YAML 1.1 quoting (so a
    line written here next to copier's reads, and looks, as if copier had written it)."""
    yaml = _safe(YAML_1_1)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.indent(mapping=4, sequence=4, offset=0)
    # PyYAML never folds a scalar without spaces, however long (a URL, a path); ruamel would move
    # it to the next line past its width. (A spaced value over 80 characters, which PyYAML folds,
    # stays on one line here: copier reads both the same.)
    yaml.width = 1 << 16
    out = io.StringIO()
    yaml.dump(data, out)
    # ruamel announces the version it wrote with (``%YAML 1.1`` and ``---``); copier's file has no
    # directive and copier reads 1.1 without one
    text = out.getvalue()
    head = "%YAML 1.1\n---\n"
    return text[len(head) :] if text.startswith(head) else text
