"""API Gateway proxy responses with JSON bodies."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

JSON_HEADERS = {"Content-Type": "application/json"}


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
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
    """Serialise models, Decimals (as DynamoDB returns numbers) and datetimes."""
    return json.dumps(body, default=_default, separators=(",", ":"))


def json_response(status_code: int, body: Any = None) -> dict[str, Any]:
    """A proxy response; ``body=None`` sends no body (204)."""
    return {
        "statusCode": status_code,
        "headers": dict(JSON_HEADERS),
        "body": "" if body is None else to_json(body),
    }


def error_response(
    status_code: int, code: str, message: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if errors:
        body["error"]["fields"] = errors
    return json_response(status_code, body)
