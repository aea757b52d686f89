"""API Gateway (REST, proxy integration) events for driving handlers in tests."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

# Claims as API Gateway's Cognito authorizer passes them on (REST API: strings, groups
# comma-separated). Tests call as a platform administrator unless they say otherwise, so that
# tenant and role rules do not stand in the way of what they test; tests/security tests those.
PLATFORM_ADMIN: dict[str, str] = {
    "sub": "platform-admin-1",
    "email": "ops@example.com",
    "custom:user_type": "platform",
    "cognito:groups": "platform-super-admin",
}


def tenant_user(tenant_id: str, sub: str = "tenant-user-1") -> dict[str, str]:
    """The claims of a customer user of ``tenant_id``."""
    return {
        "sub": sub,
        "email": f"{sub}@example.com",
        "custom:user_type": "tenant",
        "custom:tenant_id": tenant_id,
        "cognito:groups": "",
    }


# The caller of routes whose keys come from the caller's identity (its tenant, its user id): their
# tests store the items they read under this tenant and user.
OWNER_TENANT = "tenant-a"
OWNER_SUB = "tenant-user-1"
OWNER = tenant_user(OWNER_TENANT, OWNER_SUB)


def api_event(
    method: str,
    resource: str,
    path_params: dict[str, str] | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    form: bool = False,
    claims: dict[str, str] | None = PLATFORM_ADMIN,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An event as API Gateway sends it; ``body`` is JSON-encoded unless it is already a string
    (``form``: form-encoded, ``a=1&b=x``, as an HTML form or a provider webhook posts it);
    ``claims=None``: an anonymous caller; ``headers``: more request headers (a signature)."""
    path = resource
    for name, value in (path_params or {}).items():
        path = path.replace("{" + name + "}", value)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {
            "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
            **(headers or {}),
        },
        "queryStringParameters": query,
        "pathParameters": path_params,
        "requestContext": {
            "httpMethod": method,
            "resourcePath": resource,
            "stage": "test",
            "requestId": "test-request-1",
            **({"authorizer": {"claims": dict(claims)}} if claims is not None else {}),
        },
        "body": _encode(body, form),
        "isBase64Encoded": False,
    }


def _encode(body: Any, form: bool) -> str | None:
    if body is None or isinstance(body, str):
        return body
    return urlencode(body, doseq=True) if form else json.dumps(body)


def sqs_event(*bodies: str) -> dict[str, Any]:
    """An SQS batch with one record per body."""
    return {
        "Records": [
            {
                "messageId": f"message-{i}",
                "receiptHandle": f"handle-{i}",
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:queue",
                "awsRegion": "eu-west-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def eventbridge_event(detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": "test",
        "source": "tests",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail,
    }


def s3_event(bucket: str, key: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "eu-west-1",
                "eventTime": "2026-01-01T00:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": key, "size": 1, "eTag": "0"},
                },
            }
        ]
    }
