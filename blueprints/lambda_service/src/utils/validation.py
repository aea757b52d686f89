"""Request parsing with pydantic, and the error mapping every HTTP handler shares."""

from __future__ import annotations

import functools
import json
from typing import Any
from typing import Callable
from typing import TypeVar

from aws_lambda_powertools import Logger
from pydantic import BaseModel
from pydantic import ValidationError

from src.utils.exceptions import BadRequestError
from src.utils.exceptions import DomainError
from src.utils.responses import error_response

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

logger = Logger(child=True)


def parse_body(event: dict[str, Any], model: type[M]) -> M:
    """Validate the JSON body against ``model`` (raises ``ValidationError``/``BadRequestError``)."""
    raw = event.get("body")
    if raw is None or raw == "":
        raw = "{}"
    if event.get("isBase64Encoded"):
        raise BadRequestError("base64-encoded bodies are not accepted")
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise BadRequestError(f"body is not valid JSON: {exc.msg}") from None
    return model.model_validate(data)


def json_body(event: dict[str, Any]) -> dict[str, Any]:
    """The JSON object in the body (``{}`` when there is none)."""
    raw = event.get("body") or "{}"
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise BadRequestError(f"body is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise BadRequestError("body must be a JSON object")
    return data


def parse_path(event: dict[str, Any], model: type[M]) -> M:
    """Validate the path parameters against ``model``."""
    return model.model_validate(event.get("pathParameters") or {})


def query_param(event: dict[str, Any], name: str) -> str | None:
    return (event.get("queryStringParameters") or {}).get(name)


def page_params(event: dict[str, Any]) -> tuple[int, str | None]:
    """``limit`` (1..100, default 50) and ``nextToken`` from the query string."""
    raw = query_param(event, "limit") or "50"
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise BadRequestError("limit must be an integer between 1 and 100")
    return int(raw), query_param(event, "nextToken")


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False)
    ]


def http_errors(func: Handler) -> Handler:
    """Map validation errors to 400 and domain errors to their status; log and hide the rest."""

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
            return error_response(exc.status_code, exc.code, exc.message)
        except Exception:
            logger.exception("unhandled error")
            return error_response(500, "INTERNAL_ERROR", "internal server error")

    return wrapper
