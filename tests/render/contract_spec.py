"""A small order service with every contract field set explicitly, for the behaviour tests.

The LLD it stands for says: orders live under ``TENANT#{tenantId}`` / ``ORDER#{orderId}``;
``CreateOrderRequest`` allows a quantity of 1..99, a total above 0 and the channels WEB and APP;
the server owns the id, the timestamps, the version and the status; the create answers 201 inside
``{"data": ...}``; an update checks the version (409 when stale) and an unknown order is
``ORDER_NOT_FOUND``; the list is by ``orderId``, descending, 2 per page, at most 3; notes are created from a
form-encoded body; the delete is a soft delete (a stub); a ``ChannelIndex`` GSI keys orders by
``TENANT#{tenantId}#CHANNEL#{channel}``.
"""

from __future__ import annotations

from bbws_scaffold.model import (
    GSI,
    Attribute,
    Binding,
    Contract,
    DataModel,
    Endpoint,
    Entity,
    EnumValue,
    Function,
    ModelField,
    Runtime,
    ServiceSpec,
    StatusCode,
    Table,
    UserStory,
)

CREATE = ("POST", "/tenants/{tenantId}/orders")
FORM = ("POST", "/tenants/{tenantId}/notes")
GET = ("GET", "/tenants/{tenantId}/orders/{orderId}")
UPDATE = ("PUT", "/tenants/{tenantId}/orders/{orderId}")
LIST = ("GET", "/tenants/{tenantId}/orders")
DELETE = ("DELETE", "/tenants/{tenantId}/orders/{orderId}")
CANCEL = ("POST", "/tenants/{tenantId}/orders/{orderId}/cancel")
REFUND = ("POST", "/tenants/{tenantId}/orders/{orderId}/refund")

SOFT_DELETE = "stub: soft delete (line 42)"


def _f(name: str, type_: str, optional: bool = False, **c: object) -> ModelField:
    constraints: dict[str, int | float | str | bool] = {k: v for k, v in c.items() if isinstance(v, (int, float, str))}
    return ModelField(name=name, type=type_, optional=optional, required=not optional, constraints=constraints)


def _ep(route: tuple[str, str], function: str, **kw: object) -> Endpoint:
    return Endpoint(method=route[0], path=route[1], function=function, **kw)  # type: ignore[arg-type]


def orders_spec() -> ServiceSpec:
    s = "string"
    attrs = [
        Attribute(name="tenantId", type=s),
        Attribute(name="orderId", type=s),
        Attribute(name="quantity", type="integer"),
        Attribute(name="total", type="number"),
        Attribute(name="channel", type=s),
        Attribute(name="note", type=s),
        Attribute(name="status", type=s),
        Attribute(name="version", type="integer"),
        Attribute(name="createdAt", type=s),
        Attribute(name="updatedAt", type=s),
    ]
    owned = Contract(server_owned=["status"], envelope="data", success_status=201)
    endpoints = [
        _ep(CREATE, "create_order", request_model="CreateOrderRequest", contract=owned),
        _ep(FORM, "create_note", contract=Contract(content_type="form")),
        _ep(GET, "manage_order"),
        _ep(
            UPDATE,
            "update_order",
            request_model="UpdateOrderRequest",
            contract=Contract(errors=[StatusCode(status=404, code="ORDER_NOT_FOUND")]),
        ),
        _ep(LIST, "list_orders", contract=Contract(order="desc", order_by="orderId", page_size=2, max_page_size=3)),
        _ep(DELETE, "delete_order"),
        _ep(CANCEL, "manage_order"),
        _ep(REFUND, "manage_order"),
    ]
    names = ["create_order", "create_note", "update_order", "list_orders", "delete_order"]
    spec = ServiceSpec(
        title="Orders Lambda - Low-Level Design",
        service_name="Orders",
        repo="2_bbws_orders_lambda",
        runtime=Runtime(python_version="3.12", architecture="arm64"),
        endpoints=endpoints,
        functions=[Function(name=n) for n in names + ["manage_order"]],
        tables=[
            Table(
                name="Orders",
                table_name="bbws-orders-{env}",
                entities=[
                    Entity(
                        name="Order",
                        pk="TENANT#{tenantId}",
                        sk="ORDER#{orderId}",
                        attributes=attrs,
                        gsi_keys={"ChannelIndex": ["TENANT#{tenantId}#CHANNEL#{channel}", None]},
                    )
                ],
                gsis=[GSI(name="ChannelIndex", pk_attr="GSI1PK")],
            ),
            Table(
                name="Notes",
                table_name="bbws-notes-{env}",
                entities=[
                    Entity(
                        name="Note",
                        pk="TENANT#{tenantId}",
                        sk="NOTE#{noteId}",
                        attributes=[
                            Attribute(name="tenantId", type=s),
                            Attribute(name="noteId", type=s),
                            Attribute(name="text", type=s),
                            Attribute(name="amount", type="number"),
                        ],
                    )
                ],
            ),
        ],
        models=[
            DataModel(name="Channel", kind="enum", values=[EnumValue(name=v, value=v) for v in ("WEB", "APP")]),
            DataModel(
                name="CreateOrderRequest",
                fields=[
                    _f("quantity", "int", ge=1, le=99),
                    _f("total", "Decimal", gt=0),
                    _f("channel", "Channel"),
                    _f("note", "Optional[str]", optional=True, max_length=20),
                ],
            ),
            DataModel(
                name="UpdateOrderRequest",
                fields=[
                    _f("quantity", "Optional[int]", optional=True, ge=1, le=99),
                    _f("channel", "Optional[Channel]", optional=True),
                    _f("note", "Optional[str]", optional=True, max_length=20),
                ],
            ),
        ],
        user_stories=[
            UserStory(id="US-ORD-006", story="As a customer, I want to delete an order", functions=["delete_order"])
        ],
    )
    for ep in spec.endpoints:
        if (ep.method, ep.path) == DELETE:
            ep.binding = Binding(kind="stub", reason=SOFT_DELETE, line=42)
    return spec
