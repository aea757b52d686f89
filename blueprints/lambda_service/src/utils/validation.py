"""Request parsing with pydantic, and the error mapping every HTTP handler shares.

What a handler takes from a request, in order:

* :func:`request_body`: the body as a mapping, decoded as the LLD says it is sent (JSON, an
  ``application/x-www-form-urlencoded`` form, or no body at all); base64 bodies are decoded.
* :func:`expected_version`: for an update of a versioned item, the version the client read,
  from the ``If-Match`` header or else the body's version field (required: 428 without it).
* :func:`parse_request`: the body is validated against the LLD's request model (400 with field
  errors: required fields, constraints and enums as the LLD writes them); then server-owned
  fields (ids, timestamps, version, status, provider references: whatever the LLD says only
  the server sets) are **dropped**, never stored as sent, and the rest becomes the entity.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Iterable
from typing import Any
from typing import Callable
from typing import Literal
from typing import TypeVar
from urllib.parse import parse_qs

from aws_lambda_powertools import Logger
from pydantic import BaseModel
from pydantic import ValidationError

from src.utils.exceptions import BadRequestError
from src.utils.exceptions import DomainError
from src.utils.exceptions import InvalidRequestError
from src.utils.exceptions import PreconditionRequiredError
from src.utils.responses import error_response

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
Route = Callable[[dict[str, Any]], dict[str, Any]]
ContentType = Literal["json", "form", "multipart", "none"]

logger = Logger(child=True)


def _body_text(event: dict[str, Any]) -> str:
    raw = event.get("body")
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BadRequestError("body must be text")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequestError("body is not valid base64-encoded UTF-8") from None
    return raw


def request_body(event: dict[str, Any], content_type: ContentType = "json") -> dict[str, Any]:
    """The body as a mapping (``{}`` when there is none, or when the endpoint takes none).

    ``form``: ``a=1&b=x`` -> ``{"a": "1", "b": "x"}`` (a key sent twice keeps every value, as a list).
    ``multipart`` (file uploads; always hand-written logic): the raw body and its Content-Type
    header, ``{"content_type": ..., "body": ...}``, for the logic to split into parts.
    """
    if content_type == "none":
        return {}
    text = _body_text(event)
    if content_type == "multipart":
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        return {"content_type": headers.get("content-type", ""), "body": text}
    if content_type == "form":
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=False)
        return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequestError(f"body is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise InvalidRequestError(
            "body must be a JSON object", [{"field": "body", "message": "not an object", "type": "dict_type"}]
        )
    return data


def json_body(event: dict[str, Any]) -> dict[str, Any]:
    """The JSON object in the body (``{}`` when there is none)."""
    return request_body(event, "json")


def parse_request(
    data: dict[str, Any],
    model: type[M],
    request: type[BaseModel] | None = None,
    drop: Iterable[str] = (),
    partial: bool = False,
) -> M:
    """``data`` validated against the LLD's ``request`` model (when the endpoint has one), then
    without the server-owned fields ``drop`` names, as the entity's ``model``.

    ``partial`` (updates): only the fields the client sent are changes; the request model's
    defaults are not. Fields the request model knows and the entity does not are not stored.
    """
    values = data
    if request is not None:
        checked = request.model_validate(data)
        values = checked.model_dump(mode="json", by_alias=True, exclude_unset=partial, exclude_none=not partial)
        known = set(model.model_fields) | {f.alias for f in model.model_fields.values() if f.alias}
        values = {k: v for k, v in values.items() if k in known}
    dropped = set(drop)
    return model.model_validate({k: v for k, v in values.items() if k not in dropped})


def expected_version(event: dict[str, Any], data: dict[str, Any], field: str) -> int:
    """The version an update expects to replace: the ``If-Match`` header, else ``data[field]``."""
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    raw: Any = headers.get("if-match")
    if isinstance(raw, str):
        raw = raw.strip().removeprefix("W/").strip('"')
    elif raw is None:
        raw = data.get(field)
    if raw is None:
        raise PreconditionRequiredError(f"send the version you read: body field {field!r} or an If-Match header")
    if isinstance(raw, bool) or not str(raw).isdigit():
        raise InvalidRequestError(
            "version must be a non-negative integer", [{"field": field, "message": "not an integer", "type": "int"}]
        )
    return int(raw)


def parse_path(event: dict[str, Any], model: type[M]) -> M:
    """Validate the path parameters against ``model``."""
    return model.model_validate(event.get("pathParameters") or {})


def query_param(event: dict[str, Any], name: str) -> str | None:
    return (event.get("queryStringParameters") or {}).get(name)


def page_params(event: dict[str, Any], default: int = 50, maximum: int = 100) -> tuple[int, str | None]:
    """``limit`` (1..``maximum``, default ``default``: the LLD's page sizes) and ``nextToken``.

    A limit above the maximum is refused (400), not clamped: the client learns the bound."""
    raw = query_param(event, "limit") or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise BadRequestError(f"limit must be an integer between 1 and {maximum}")
    return int(raw), query_param(event, "nextToken")


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False)
    ]


def error_codes(codes: dict[int, str]) -> Callable[[Route], Route]:
    """A route decorator: its errors carry the codes the LLD gives for their statuses
    (404 -> ``CART_NOT_FOUND``); the body keeps the one error shape."""

    def decorate(route: Route) -> Route:
        @functools.wraps(route)
        def wrapper(event: dict[str, Any]) -> dict[str, Any]:
            try:
                return route(event)
            except ValidationError as exc:
                error = InvalidRequestError("request validation failed", field_errors(exc))
                error.code = codes.get(400, error.code)
                raise error from None
            except DomainError as exc:
                exc.code = codes.get(exc.status_code, exc.code)
                raise

        return wrapper

    return decorate


def http_errors(func: Handler) -> Handler:
    """Map validation errors to 400 and domain errors to their status; log and hide the rest.

    Every error body has one shape: ``{"error": {"code", "message", "fields"?}}``."""

    @functools.wraps(func)
    def wrapper(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return func(event, context)
        except ValidationError as exc:
            errors = field_errors(exc)
            logger.info("request rejected", extra={"errors": errors})
            return error_response(400, "VALIDATION_ERROR", "request validation failed", errors)
        except DomainError as exc:
            logger.info("domain error", extra={"code": exc.code, "error": exc.message})
            fields = exc.fields if isinstance(exc, InvalidRequestError) else None
            return error_response(exc.status_code, exc.code, exc.message, fields)
        except Exception:
            logger.exception("unhandled error")
            return error_response(500, "INTERNAL_ERROR", "internal server error")

    return wrapper
