"""Name normalisation: the one place where LLD names become identifiers.

The model calls these once when it is built; templates only read the results.
Every function is total: any input string yields a valid identifier (or raises
``ValueError`` when nothing usable is left, e.g. an all-punctuation name).
"""

from __future__ import annotations

import keyword
import re
import unicodedata

_WORD_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+[a-z]*")


def words(name: str) -> list[str]:
    """Split any spelling (camel, Pascal, snake, kebab, spaced, dotted) into lower-case words."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return [w.lower() for w in _WORD_RE.findall(text)]


def _require(parts: list[str], name: str) -> list[str]:
    if not parts:
        raise ValueError(f"name {name!r} has no letters or digits to build an identifier from")
    return parts


def snake(name: str) -> str:
    """``createOrder`` / ``create-order`` / ``Create Order`` -> ``create_order`` (a valid Python identifier)."""
    ident = "_".join(_require(words(name), name))
    if ident[0].isdigit():
        ident = "n" + ident
    if keyword.iskeyword(ident) or keyword.issoftkeyword(ident):
        ident += "_"
    return ident


def pascal(name: str) -> str:
    """``order_item`` / ``order-item`` -> ``OrderItem``; an existing PascalCase name is kept as written."""
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
        return name
    ident = "".join(w[:1].upper() + w[1:] for w in _require(words(name), name))
    if ident[0].isdigit():
        ident = "N" + ident
    return ident


def kebab(name: str) -> str:
    """``OrderItem`` -> ``order-item`` (AWS resource-name friendly)."""
    return "-".join(_require(words(name), name))


def env_name(name: str) -> str:
    """``dynamodbTable`` -> ``DYNAMODB_TABLE`` (environment variable / constant style)."""
    return "_".join(_require(words(name), name)).upper()


DEFAULT_ORG = "BigBeardWebSolutions"
"""The GitHub organisation that owns generated repositories unless told otherwise."""

_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def safe_repo_name(name: str) -> str:
    """A repository name that is a single, safe path component (no separators, no ``..``)."""
    if not _REPO_RE.fullmatch(name) or ".." in name:
        raise ValueError(f"repository name {name!r} is not a safe single path component")
    return name


def service_repo(service: str) -> str:
    """The platform's default repo name for a service: ``2_bbws_<service>_lambda``."""
    return f"2_bbws_{snake(service)}_lambda"
