"""What every DynamoDB repository shares: item conversion, paging, conditional writes."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from typing import ClassVar
from typing import Generic
from typing import TypeVar

import boto3
from boto3.dynamodb.conditions import Attr
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel

from src.utils.exceptions import BadRequestError
from src.utils.exceptions import ConflictError
from src.utils.exceptions import NotFoundError

T = TypeVar("T", bound=BaseModel)


def key(*parts: object) -> str:
    """Build a key value from a pattern's literal parts and placeholders."""
    return "".join(str(p) for p in parts)


def to_dynamo(value: Any) -> Any:
    """Python/pydantic values -> types boto3 can store (floats become Decimals)."""
    if isinstance(value, BaseModel):
        return to_dynamo(value.model_dump(by_alias=True, exclude_none=True))
    if isinstance(value, bool) or value is None or isinstance(value, (str, int, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_dynamo(value.value)
    if isinstance(value, dict):
        return {str(k): to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_dynamo(v) for v in value]
    return str(value)


def _encode_token(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(to_dynamo(last_key), default=str).encode()).decode()


def _decode_token(token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise BadRequestError("nextToken is not valid") from None
    if not isinstance(value, dict):
        raise BadRequestError("nextToken is not valid")
    return value


@dataclass
class Page(Generic[T]):
    """One page of results and the token of the next one."""

    items: list[T] = field(default_factory=list)
    next_token: str | None = None

    def to_body(self) -> dict[str, Any]:
        return {"items": self.items, "nextToken": self.next_token}


class BaseRepository(Generic[T]):
    """DynamoDB access for one entity; subclasses name the model, the table and the keys."""

    model: ClassVar[type[BaseModel]]
    table_env: ClassVar[str]
    pk_attr: ClassVar[str] = "PK"
    sk_attr: ClassVar[str | None] = "SK"
    pk_prefix: ClassVar[str] = ""
    sk_prefix: ClassVar[str] = ""
    version_attr: ClassVar[str | None] = None
    """The attribute an optimistic lock checks on update (the entity's version field), if any."""

    def __init__(self, table: Any | None = None) -> None:
        self.table = table if table is not None else boto3.resource("dynamodb").Table(os.environ[self.table_env])

    # -- conversion -----------------------------------------------------------------------------

    def item_keys(self, item: T) -> dict[str, Any]:
        raise NotImplementedError

    def to_item(self, item: T) -> dict[str, Any]:
        data: dict[str, Any] = to_dynamo(item)
        data.update(self.item_keys(item))
        return data

    def from_item(self, data: dict[str, Any]) -> T:
        return self.model.model_validate(data)  # type: ignore[return-value]

    # -- operations -----------------------------------------------------------------------------

    def _get(self, keys: dict[str, Any]) -> T:
        found = self.table.get_item(Key=keys).get("Item")
        if found is None:
            raise NotFoundError(f"{self.model.__name__} not found")
        return self.from_item(found)

    def create(self, item: T) -> T:
        try:
            self.table.put_item(
                Item=self.to_item(item),
                ConditionExpression=Attr(self.pk_attr).not_exists(),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConflictError(f"{self.model.__name__} already exists") from None
            raise
        return item

    def _update(
        self,
        keys: dict[str, Any],
        changes: dict[str, Any],
        expected_version: int | None = None,
    ) -> T:
        """``UpdateItem``: ``SET`` the changed attributes (``None`` removes one), keep every other.

        With a ``version_attr``: the write is conditional on the stored version being
        ``expected_version`` and increments it (409 when another write got there first)."""
        names: dict[str, str] = {"#pk": self.pk_attr}
        values: dict[str, Any] = {}
        sets: list[str] = []
        removes: list[str] = []
        for i, (name, value) in enumerate(changes.items()):
            names[f"#f{i}"] = name
            if value is None:
                removes.append(f"#f{i}")
            else:
                values[f":v{i}"] = to_dynamo(value)
                sets.append(f"#f{i} = :v{i}")
        condition = "attribute_exists(#pk)"
        if self.version_attr is not None:
            names["#version"] = self.version_attr
            values.update({":expected": expected_version, ":one": 1, ":zero": 0})
            sets.append("#version = if_not_exists(#version, :zero) + :one")
            condition += " AND #version = :expected"
        clauses = ["SET " + ", ".join(sets)] if sets else []
        if removes:
            clauses.append("REMOVE " + ", ".join(removes))
        kwargs: dict[str, Any] = {
            "Key": keys,
            "UpdateExpression": " ".join(clauses),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ReturnValues": "ALL_NEW",
        }
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            stored = self.table.update_item(**kwargs)["Attributes"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            if self.version_attr is not None and self.table.get_item(Key=keys).get("Item") is not None:
                raise ConflictError(f"{self.model.__name__} changed since version {expected_version}") from None
            raise NotFoundError(f"{self.model.__name__} not found") from None
        item = self.from_item(stored)
        self._sync_derived(keys, stored, item)
        return item

    def _sync_derived(self, keys: dict[str, Any], stored: dict[str, Any], item: T) -> None:
        """Rewrite the derived key attributes (GSI keys built from fields) an update changed."""
        derived = {k: v for k, v in self.item_keys(item).items() if k not in keys and stored.get(k) != v}
        if not derived:
            return
        names = {f"#d{i}": name for i, name in enumerate(derived)}
        values = {f":d{i}": value for i, value in enumerate(derived.values())}
        self.table.update_item(
            Key=keys,
            UpdateExpression="SET " + ", ".join(f"#d{i} = :d{i}" for i in range(len(derived))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def _delete(self, keys: dict[str, Any]) -> None:
        try:
            self.table.delete_item(Key=keys, ConditionExpression=Attr(self.pk_attr).exists())
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFoundError(f"{self.model.__name__} not found") from None
            raise

    def _scan(self, limit: int, token: str | None, order_by: str | None = None, descending: bool = False) -> Page[T]:
        """A filtered scan. DynamoDB returns scanned items in no stated order: with ``order_by``
        the items of *each page* are sorted by that attribute (an order across pages needs a
        query on an index sorted by it)."""
        condition = Attr(self.pk_attr).begins_with(self.pk_prefix)
        if self.sk_attr and self.sk_prefix:
            condition = condition & Attr(self.sk_attr).begins_with(self.sk_prefix)
        kwargs: dict[str, Any] = {"Limit": limit, "FilterExpression": condition}
        start = _decode_token(token)
        if start:
            kwargs["ExclusiveStartKey"] = start
        result = self.table.scan(**kwargs)
        found = result.get("Items", [])
        if order_by:
            found = sorted(found, key=lambda i: (order_by in i, str(i.get(order_by, ""))), reverse=descending)
        return Page(
            items=[self.from_item(i) for i in found],
            next_token=_encode_token(result.get("LastEvaluatedKey")),
        )

    def _query(
        self,
        index: str | None,
        hash_attr: str,
        hash_value: str,
        limit: int,
        token: str | None,
        range_attr: str | None = None,
        range_prefix: str = "",
        descending: bool = False,
    ) -> Page[T]:
        """A query; ``descending`` reads the sort key newest/largest first (``ScanIndexForward=False``)."""
        condition = Key(hash_attr).eq(hash_value)
        if range_attr and range_prefix:
            condition = condition & Key(range_attr).begins_with(range_prefix)
        kwargs: dict[str, Any] = {"KeyConditionExpression": condition, "Limit": limit}
        if descending:
            kwargs["ScanIndexForward"] = False
        if index:
            kwargs["IndexName"] = index
        start = _decode_token(token)
        if start:
            kwargs["ExclusiveStartKey"] = start
        result = self.table.query(**kwargs)
        return Page(
            items=[self.from_item(i) for i in result.get("Items", [])],
            next_token=_encode_token(result.get("LastEvaluatedKey")),
        )
