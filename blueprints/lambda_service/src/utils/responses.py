"""API Gateway proxy responses with JSON bodies."""

from __future__ import annotations

import json
import os
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel
from pydantic import ValidationError

JSON_HEADERS = {"Content-Type": "application/json"}
CORS_ENV = "CORS_ALLOW_ORIGIN"  # set by terraform/lambda.tf from var.cors_allow_origin

logger = Logger(child=True)


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        # python mode keeps Decimal/int values: they become JSON numbers below, not strings
        return value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(body: Any) -> str:
    """Serialise models, Decimals (as DynamoDB returns numbers: JSON numbers, integral ones as
    integers) and datetimes."""
    return json.dumps(body, default=_default, separators=(",", ":"))


def cors_headers() -> dict[str, str]:
    """``Access-Control-Allow-Origin`` on every response, success or error: without it a browser
    reports each answer, a 400 or a 500 too, as a CORS failure. ``Vary: Origin`` when the origin
    is not ``*``, so caches keep answers per origin."""
    origin = os.environ.get(CORS_ENV) or "*"
    return {"Access-Control-Allow-Origin": origin} | ({} if origin == "*" else {"Vary": "Origin"})


def json_response(status_code: int, body: Any = None) -> dict[str, Any]:
    """A proxy response; ``body=None`` sends no body (204)."""
    return {
        "statusCode": status_code,
        "headers": {**JSON_HEADERS, **cors_headers()},
        "body": "" if body is None else to_json(body),
    }


def shaped(item: Any, model: type[BaseModel] | None = None, envelope: str | None = None) -> Any:
    """The success body: ``item`` as the LLD's response ``model`` (when there is one), wrapped in
    ``envelope`` (``{"data": ...}``) when the LLD states one.

    An item the response model cannot describe (a stored item missing a field the model
    requires) is sent as stored, with a warning logged: fix the data or the model."""
    body: Any = item
    if model is not None and isinstance(item, BaseModel):
        try:
            body = model.model_validate(item.model_dump(by_alias=True))
        except ValidationError as exc:
            logger.warning("response does not fit its model", extra={"model": model.__name__, "errors": str(exc)})
    return {envelope: body} if envelope else body


def error_response(
    status_code: int, code: str, message: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if errors:
        body["error"]["fields"] = errors
    return json_response(status_code, body)
