"""Name normalisation: the one place where LLD names become identifiers.

The model calls these once when it is built; templates only read the results.
Every function is total: any input string yields a valid identifier (or raises
``ValueError`` when nothing usable is left, e.g. an all-punctuation name).
"""

from __future__ import annotations

import hashlib
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


# Written out (Python 3.12's lists), so identifiers do not depend on the Python that renders.
KEYWORDS = frozenset(
    {"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
     "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
     "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"}
)  # fmt: skip
SOFT_KEYWORDS = frozenset({"_", "case", "match"})
"""Soft keywords renamed as the hard ones are. ``type`` (a soft keyword since 3.12) is not: it is one
only at the start of a ``type X = ...`` statement, stays a valid name everywhere the generated code
uses it, and is a common attribute name; a fixed list keeps the output independent of the Python
that renders (``keyword.softkwlist`` differs between 3.11 and 3.12)."""

WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
"""File stems Windows refuses whatever the extension (``aux.py`` cannot be checked out there)."""

MAX_IDENT = 64
"""Longest identifier (and so module file stem): longer ones are cut and get a stable hash suffix."""

LOCAL_NAMES = frozenset(
    {
        # parameters and locals of the generated handlers, logic stubs, services and repositories
        "self", "cls", "event", "context", "body", "path", "data", "values", "item", "key", "keys",
        "changes", "limit", "start", "token", "page", "route", "logic", "result", "record", "payload",
        "model", "overrides", "factory", "exc", "kwargs", "args", "expected_version", "descending", "order_by",
        # builtins the generated annotations and bodies use
        "str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "object", "super",
        "len", "isinstance", "print",
        # pydantic BaseModel attributes (of pydantic 1 and 2) a field must not shadow
        "model_config", "model_fields", "copy", "json", "schema", "validate", "construct", "fields",
        "parse_obj", "parse_raw", "from_orm", "schema_json", "update_forward_refs",
    }
)  # fmt: skip
"""Lower-case names the generated functions use for their own parameters and locals, the builtins
they call and the pydantic attributes a model field would shadow."""

MODULE_LEVEL_NAMES = frozenset(
    {"handler", "logger", "processor", "record_handler", "schemas", "json", "os", "boto3", "pytest", "uuid4",
     "annotations", "parse_path", "parse_body", "page_params", "json_body", "json_response", "error_response",
     "http_errors", "query_param", "api_event", "sqs_event", "eventbridge_event", "s3_event", "lambda_context",
     "dynamodb", "aws_env", "monkeypatch", "field", "dataclass", "key"}
)  # fmt: skip
"""Module-level names of the generated handler, logic and test modules (imports, the Lambda entry
point and its helpers): a function of the LLD becomes a module-level ``def`` beside them."""

CODE_NAMES = LOCAL_NAMES | MODULE_LEVEL_NAMES
"""Every name the generated Python code itself uses where an LLD-derived variable, parameter or
field meets it (``def query_token_index(self, token, limit, token)``): an LLD name that
normalises to one gets a trailing ``_``. Read from ``blueprints/lambda_service``."""

MODULE_NAMES = frozenset({"schemas", "base", "conftest", "factories", "events", "init", *WINDOWS_DEVICES})
"""Module stems an entity or function module must not take: the blueprint's own modules beside
them (``src/models/schemas.py``, ``src/repositories/base.py``, ``tests/factories.py``) and the
names Windows reserves."""

CLASS_NAMES = frozenset(
    {"None", "True", "False", "Base", "BaseModel", "ConfigDict", "Field", "Any", "Decimal", "Enum", "Literal",
     "Page", "BaseRepository", "Key", "Attr", "ClientError", "Logger", "LambdaContext", "ValidationError",
     "NotFoundError", "ConflictError", "DomainError", "BadRequestError", "NotImplementedYetError", "Generic",
     "TypeVar", "ClassVar", "Callable", "Iterator", "SQSRecord", "BatchProcessor", "EventType",
     "EventBridgeEvent", "S3Event", "PathParams", "FakeLambdaContext"}
)  # fmt: skip
"""Class names the generated modules import or define (``Base`` because ``<Entity>Repository``
would become the imported ``BaseRepository``): an LLD class name equal to one gets a trailing ``_``."""


def _bounded(ident: str) -> str:
    """``ident`` cut to :data:`MAX_IDENT` characters with a stable suffix of 8 letters (a hash of the
    whole name) when longer; the result normalises to itself."""
    if len(ident) <= MAX_IDENT:
        return ident
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:8]
    suffix = "".join(chr(ord("a") + int(c, 16)) for c in digest)  # letters only: one word to words()
    head = ident[: MAX_IDENT - len(suffix) - 1].rstrip("_")
    return f"{head}_{suffix}"


def _reserve(ident: str, reserved: frozenset[str]) -> str:
    return ident + "_" if ident in reserved or ident in KEYWORDS or ident in SOFT_KEYWORDS else ident


def snake(name: str) -> str:
    """``createOrder`` / ``create-order`` / ``Create Order`` -> ``create_order`` (a valid Python identifier,
    keywords and soft keywords get a trailing ``_``, at most :data:`MAX_IDENT` characters)."""
    ident = "_".join(_require(words(name), name))
    if ident[0].isdigit():
        ident = "n" + ident
    return _reserve(_bounded(ident), frozenset())


def var_ident(name: str) -> str:
    """A variable, parameter or field name: :func:`snake` that also avoids :data:`CODE_NAMES` and
    pydantic's ``model_*`` namespace (``{self}`` -> ``self_``, ``token`` -> ``token_``)."""
    ident = snake(name)
    return ident + "_" if ident in CODE_NAMES or ident.startswith("model_") else ident


def module_ident(name: str) -> str:
    """A module name (``src/models/<ident>.py``): :func:`snake` that also avoids :data:`MODULE_NAMES`
    (``Schemas`` -> ``schemas_``, ``AUX`` -> ``aux_``)."""
    ident = snake(name)
    return ident + "_" if ident in MODULE_NAMES else ident


def function_ident(name: str) -> str:
    """A function's module and module-level ``def`` (``src/handlers/<ident>.py``): :func:`module_ident`
    that also avoids :data:`MODULE_LEVEL_NAMES` (``handler`` -> ``handler_``)."""
    ident = module_ident(name)
    return ident + "_" if ident in MODULE_LEVEL_NAMES else ident


def class_ident(name: str) -> str:
    """A class name: :func:`pascal` that avoids :data:`CLASS_NAMES` (``None`` -> ``None_``)."""
    ident = pascal(name)
    return ident + "_" if ident in CLASS_NAMES or ident in KEYWORDS else ident


def unique(ident: str, taken: set[str]) -> str:
    """``ident``, or ``ident_2``, ``ident_3``, ... : the first not in ``taken`` (which it joins)."""
    out, n = ident, 2
    while out in taken:
        out = f"{ident}_{n}"
        n += 1
    taken.add(out)
    return out


def pascal(name: str) -> str:
    """``order_item`` / ``order-item`` -> ``OrderItem``; an existing PascalCase name is kept as written."""
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) and len(name) <= MAX_IDENT:
        return name
    ident = "".join(w[:1].upper() + w[1:] for w in _require(words(name), name))
    if ident[0].isdigit():
        ident = "N" + ident
    if len(ident) > MAX_IDENT:
        ident = pascal(_bounded(snake(name)))
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
