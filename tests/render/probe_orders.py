"""Drive the generated orders service's handlers (run inside the generated repo, against moto's
server through ``AWS_ENDPOINT_URL``) and write what happened, as JSON, to the file ``argv[1]``.

It reads DynamoDB with plain boto3, never through the generated repositories, so what the
behaviour tests assert is what is stored, not what the generated code says it stored.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import sys
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key

sys.path.insert(0, os.getcwd())

from tests.conftest import TABLE_NAMES, TABLES  # noqa: E402 - the generated repo's own table list
from tests.events import api_event  # noqa: E402

for env, name in TABLE_NAMES.items():
    os.environ[env] = name
dynamodb = boto3.resource("dynamodb")
for table in TABLES:
    dynamodb.create_table(**table)
orders = dynamodb.Table(TABLE_NAMES["ORDERS_TABLE_NAME"])
notes = dynamodb.Table(TABLE_NAMES["NOTES_TABLE_NAME"])


class Ctx:
    function_name = "probe"
    function_version = "$LATEST"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:probe"
    aws_request_id = "probe"


def call(module: str, method: str, path: str, params: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
    handler = importlib.import_module(f"src.handlers.{module}").handler
    response = handler(api_event(method, path, params, **kw), Ctx())
    return {"status": response["statusCode"], "text": response["body"], "body": json.loads(response["body"] or "null")}


def raw(table: Any, pk: str, sk: str) -> dict[str, Any] | None:
    item = table.get_item(Key={"PK": pk, "SK": sk}).get("Item")
    return json.loads(json.dumps(item, default=str)) if item else None


T = {"tenantId": "t1"}
out: dict[str, Any] = {}
valid = {"quantity": 3, "total": 99.5, "channel": "WEB", "note": "first"}
created = call("create_order", "POST", "/tenants/{tenantId}/orders", T, body=valid)
out["create"] = created
order_id = created["body"]["data"]["orderId"]
out["stored"] = raw(orders, "TENANT#t1", f"ORDER#{order_id}")

out["invalid"] = {
    name: call("create_order", "POST", "/tenants/{tenantId}/orders", T, body=body)
    for name, body in {
        "empty": {},
        "quantity_500": {**valid, "quantity": 500},
        "total_negative": {**valid, "total": -5},
        "channel_published": {**valid, "channel": "PUBLISHED"},
        "note_too_long": {**valid, "note": "x" * 21},
    }.items()
}

sent = {**valid, "status": "PAID", "orderId": "client-id", "createdAt": "client", "version": 77}
owned = call("create_order", "POST", "/tenants/{tenantId}/orders", T, body=sent)
out["owned"] = owned
owned_id = owned["body"]["data"]["orderId"] if owned["status"] == 201 else None
out["owned_stored"] = raw(orders, "TENANT#t1", f"ORDER#{owned_id}") if owned_id else None

# an attribute the model does not know, written by someone else: an update must keep it
orders.update_item(
    Key={"PK": "TENANT#t1", "SK": f"ORDER#{order_id}"},
    UpdateExpression="SET legacyField = :v",
    ExpressionAttributeValues={":v": "keep me"},
)
item_path = "/tenants/{tenantId}/orders/{orderId}"
P = {"tenantId": "t1", "orderId": order_id}
out["update_ok"] = call("update_order", "PUT", item_path, P, body={"note": "second", "channel": "APP", "version": 1})
out["after_update"] = raw(orders, "TENANT#t1", f"ORDER#{order_id}")
out["update_stale"] = call("update_order", "PUT", item_path, P, body={"note": "third", "version": 1})
out["update_no_version"] = call("update_order", "PUT", item_path, P, body={"note": "third"})
if_match = api_event("PUT", item_path, P, body={"note": "fourth"})
if_match["headers"]["If-Match"] = '"2"'
response = importlib.import_module("src.handlers.update_order").handler(if_match, Ctx())
out["update_if_match"] = {"status": response["statusCode"]}
out["after_if_match"] = raw(orders, "TENANT#t1", f"ORDER#{order_id}")
missing = {"tenantId": "t1", "orderId": "nope"}
out["update_missing"] = call("update_order", "PUT", item_path, missing, body={"note": "x", "version": 1})

out["get"] = call("manage_order", "GET", item_path, P)
out["cancel"] = call("manage_order", "POST", item_path + "/cancel", P, body={})
out["refund"] = call("manage_order", "POST", item_path + "/refund", P, body={})
out["delete"] = call("delete_order", "DELETE", item_path, P)
out["after_delete"] = raw(orders, "TENANT#t1", f"ORDER#{order_id}")

for n in range(3):
    call("create_order", "POST", "/tenants/{tenantId}/orders", {"tenantId": "t2"}, body={**valid, "note": f"n{n}"})
out["list"] = call("list_orders", "GET", "/tenants/{tenantId}/orders", {"tenantId": "t2"})
out["list_sks"] = [
    i["SK"]
    for i in orders.query(
        KeyConditionExpression=Key("PK").eq("TENANT#t2"),
    )["Items"]
]
out["list_over_max"] = call(
    "list_orders", "GET", "/tenants/{tenantId}/orders", {"tenantId": "t2"}, query={"limit": "4"}
)

form_text = "text=hello%20world&amount=12.5"
form_event = api_event("POST", "/tenants/{tenantId}/notes", T, body=base64.b64encode(form_text.encode()).decode())
form_event["isBase64Encoded"] = True
form_event["headers"]["Content-Type"] = "application/x-www-form-urlencoded"
response = importlib.import_module("src.handlers.create_note").handler(form_event, Ctx())
out["form"] = {"status": response["statusCode"], "body": json.loads(response["body"])}
note_id = out["form"]["body"].get("noteId")
out["form_stored"] = raw(notes, "TENANT#t1", f"NOTE#{note_id}") if note_id else None

with open(sys.argv[1], "w", encoding="utf-8") as fh:  # stdout carries the handlers' JSON logs
    json.dump(out, fh)
