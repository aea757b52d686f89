"""Loads the accepted LLD dialect from ``lld_grammar/*.yaml``.

One YAML file per concept (``functions.yaml``, ``tables.yaml``, ...), each with any of:

``sections``          normalised heading titles that hold the concept
``section_patterns``  regexes over normalised titles (named groups are captured, e.g. ``name``)
``columns``           field -> list of column-header synonyms
``values``            name -> regex (value micro-grammars)
anything else         concept-specific data, read by that concept's extractor via ``data``

``common.yaml`` holds what several concepts share. Adding a way of writing a section is an
edit here, not a parser change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

_NUMBERING_RE = re.compile(r"^(?:(?:appendix|annex)\s+[a-z0-9]+|\d+(?:\.\d+)*[a-z]?|[a-z]\.\d+(?:\.\d+)*)[.:)]?\s+")
_TRAILING_PAREN_RE = re.compile(r"\s*\([^()]*\)\s*$")
_MARKUP_RE = re.compile(r"[`*_]+")
_SPACE_RE = re.compile(r"\s+")


def normalise_title(text: str) -> str:
    """Heading text -> comparable title: lower-case, numbering, markup and trailing counts removed."""
    t = _MARKUP_RE.sub("", text).strip().lower()
    t = _SPACE_RE.sub(" ", t)
    prev = None
    while prev != t:
        prev = t
        t = _NUMBERING_RE.sub("", t)
    t = _TRAILING_PAREN_RE.sub("", t)
    return t.strip(" .:-—")


def normalise_header(text: str) -> str:
    """Column header -> comparable key: lower-case, parentheticals and markup removed."""
    t = _MARKUP_RE.sub("", text).lower()
    t = re.sub(r"\([^()]*\)", " ", t)
    t = _SPACE_RE.sub(" ", t).strip(" :*")
    return t


@dataclass
class Concept:
    name: str
    sections: frozenset[str] = frozenset()
    section_patterns: tuple[re.Pattern[str], ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, re.Pattern[str]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def matches_title(self, title: str) -> re.Match[str] | bool:
        """True / a match object when a normalised title names this concept."""
        if title in self.sections:
            return True
        for pat in self.section_patterns:
            m = pat.search(title)
            if m:
                return m
        return False

    def match_columns(self, header: list[str]) -> dict[str, int]:
        """Map fields to column indexes by synonym; first column that matches a field wins."""
        keys = [normalise_header(h) for h in header]
        out: dict[str, int] = {}
        for fld, synonyms in self.columns.items():
            for i, key in enumerate(keys):
                if key in synonyms and i not in out.values():
                    out[fld] = i
                    break
        return out

    def value(self, name: str) -> re.Pattern[str]:
        return self.values[name]


@dataclass
class Grammar:
    concepts: dict[str, Concept]

    def __getitem__(self, name: str) -> Concept:
        return self.concepts[name]

    def concepts_for(self, title: str) -> dict[str, re.Match[str] | bool]:
        """Every concept whose sections name this (normalised) title."""
        out: dict[str, re.Match[str] | bool] = {}
        for name, concept in self.concepts.items():
            m = concept.matches_title(title)
            if m:
                out[name] = m
        return out


def _compile(name: str, value: str) -> re.Pattern[str]:
    try:
        return re.compile(value, re.IGNORECASE | re.VERBOSE if "\n" in value else re.IGNORECASE)
    except re.error as exc:  # a grammar bug, reported as such
        raise ValueError(f"lld_grammar: bad regex {name!r}: {exc}") from exc


def _concept(name: str, raw: dict[str, Any]) -> Concept:
    raw = dict(raw or {})
    sections = frozenset(normalise_title(s) for s in raw.pop("sections", []) or [])
    patterns = tuple(_compile(f"{name}.section_patterns", p) for p in raw.pop("section_patterns", []) or [])
    columns = {fld: tuple(normalise_header(s) for s in syns) for fld, syns in (raw.pop("columns", {}) or {}).items()}
    values = {k: _compile(f"{name}.values.{k}", v) for k, v in (raw.pop("values", {}) or {}).items()}
    return Concept(name, sections, patterns, columns, values, raw)


def grammar_dir() -> Path:
    """The grammar folder: the checkout's ``lld_grammar/`` or the copy installed in the package."""
    here = Path(__file__).resolve().parents[3] / "lld_grammar"  # lld/readers/ -> the checkout root
    if here.is_dir():
        return here
    return Path(str(resources.files("bbws_scaffold") / "lld_grammar"))


@lru_cache(maxsize=4)
def load_grammar(path: str | None = None) -> Grammar:
    folder = Path(path) if path else grammar_dir()
    yaml = YAML(typ="safe", pure=True)
    concepts: dict[str, Concept] = {}
    for file in sorted(folder.glob("*.yaml")):
        concepts[file.stem] = _concept(file.stem, yaml.load(file.read_text(encoding="utf-8")))
    return Grammar(concepts)
