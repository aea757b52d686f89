"""Metrics every HTTP handler publishes (CloudWatch embedded metric format, via powertools)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def count_responses(metrics: Metrics) -> Callable[[Handler], Handler]:
    """Count each answer by status class (``Http2xx``, ``Http4xx``, ``Http5xx``): refusals and
    failures show on a dashboard without reading the logs."""

    def decorator(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(event: dict[str, Any], context: Any) -> dict[str, Any]:
            response = handler(event, context)
            status = int(response.get("statusCode", 500))
            metrics.add_metric(name=f"Http{status // 100}xx", unit=MetricUnit.Count, value=1)
            return response

        return wrapper

    return decorator
