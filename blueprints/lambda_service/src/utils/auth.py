"""Who is calling, and may they: the platform's auth contract in one small adapter.

In AWS the platform's ``bbws_auth`` Lambda layer is attached (``attach_auth_layer``); its
``PermissionResolver`` turns the Cognito claims API Gateway verified into a ``TenantContext``.
Without the layer (tests, local runs) the same contract is implemented here: the same claims
(``sub``, ``email``, ``custom:user_type`` = platform | tenant, ``custom:tenant_id``,
``cognito:groups``), the same tenants table records (``TENANT#{id}`` / ``USER#{sub}`` holding the
role, ``TENANT#{id}`` / ``ROLE#{name}`` its permissions) and the same platform roles.

Rules every handler applies through :func:`authorize` and :func:`same_tenant`:

* no verified claims: 401; the API Gateway authorizer already refuses such calls, this is the
  second line when a route is invoked some other way;
* a route the LLD restricts to roles: a tenant user's role must be one of them (``CUSTOMER_ADMIN``
  is an ``Admin``), else 403; a platform user passes with ``tenant:read`` (reads) or
  ``tenant:edit`` (writes);
* a ``{tenantId}`` in the path must be the caller's own tenant, else 403; platform users act on any
  tenant with the same permissions;
* a tenant key the path does not give is the caller's own (:func:`own_tenant`), never the client's.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3

from src.utils.exceptions import ForbiddenError
from src.utils.exceptions import UnauthorizedError

_layer: Any
try:  # the platform layer, when the function has it attached
    _layer = importlib.import_module("bbws_auth")
except ImportError:  # pragma: no cover - depends on the deployment
    _layer = None

# the permissions the platform's own roles carry (bbws_auth.platform_permissions), of which the
# service asks only these two
PLATFORM_ROLES: dict[str, frozenset[str]] = {
    "platform-super-admin": frozenset({"tenant:read", "tenant:edit", "tenant:create", "tenant:delete"}),
    "platform-admin": frozenset({"tenant:read", "tenant:edit", "tenant:create"}),
    "platform-operator": frozenset({"tenant:read"}),
    "platform-viewer": frozenset({"tenant:read"}),
}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """The caller of one request (the fields of the layer's ``TenantContext``)."""

    user_sub: str
    email: str
    user_type: str
    tenant_id: str | None
    role: str
    effective_permissions: frozenset[str]

    @property
    def platform(self) -> bool:
        return self.user_type == "platform"


def claims_of(event: dict[str, Any]) -> dict[str, Any]:
    """The verified claims of a REST (v1) or HTTP (v2) API event; 401 without any."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    raw = (authorizer.get("jwt") or {}).get("claims") if event.get("version") == "2.0" else authorizer.get("claims")
    if not raw:
        raise UnauthorizedError("no verified identity: sign in first")
    claims = dict(raw)
    claims["cognito:groups"] = _groups(claims.get("cognito:groups"))
    return claims


def authorize(event: dict[str, Any], roles: Iterable[str] = ()) -> Caller:
    """The caller, or 401/403 when the route's rules refuse them (see the module)."""
    roles = tuple(roles)
    write = str(event.get("httpMethod") or "GET").upper() not in READ_METHODS
    caller = _resolve(event) if roles else _identity(claims_of(event))
    if roles and not _role_allowed(caller, roles, write):
        raise ForbiddenError(f"role '{caller.role or 'none'}' may not do this (allowed: {', '.join(roles)})")
    return caller


def same_tenant(caller: Caller, tenant_id: str, write: bool) -> None:
    """403 unless the tenant in the path is the caller's own (or a platform role allows it)."""
    if caller.platform:
        if ("tenant:edit" if write else "tenant:read") in caller.effective_permissions:
            return
        raise ForbiddenError("this platform role may not act on a tenant's data")
    if caller.tenant_id != tenant_id:
        raise ForbiddenError("this resource belongs to another tenant")


def own_tenant(caller: Caller) -> str:
    """The tenant a key the path does not name is built for: always the caller's own, so a caller
    can never address another tenant's items; a platform user, who belongs to none, gets 403."""
    if caller.tenant_id:
        return caller.tenant_id
    raise ForbiddenError("this route acts on the caller's own tenant, and a platform user belongs to none")


def _identity(claims: dict[str, Any]) -> Caller:
    """Identity alone, for routes open to every signed-in caller (no tenants-table lookup)."""
    user_type = str(claims.get("custom:user_type") or "tenant")
    if user_type == "platform":
        role = _platform_role(claims)
        return Caller(claims.get("sub", ""), claims.get("email", ""), "platform", None, role, PLATFORM_ROLES[role])
    tenant = claims.get("custom:tenant_id") or claims.get("tenant_id") or claims.get("custom:tid")
    return Caller(claims.get("sub", ""), claims.get("email", ""), "tenant", tenant or None, "", frozenset())


def _resolve(event: dict[str, Any]) -> Caller:
    """Identity, role and permissions: through the layer when attached, else the same lookups here."""
    if _layer is not None:
        try:
            ctx = _layer_resolver().resolve(event)
        except _layer.AuthError as exc:
            error = UnauthorizedError if getattr(exc, "status_code", 403) == 401 else ForbiddenError
            raise error(exc.message) from None
        permissions = frozenset(ctx.effective_permissions)
        return Caller(ctx.user_sub, ctx.email, ctx.user_type, ctx.tenant_id, ctx.role, permissions)
    claims = claims_of(event)
    user_type = claims.get("custom:user_type")
    if user_type not in ("platform", "tenant"):
        raise UnauthorizedError("the token carries no known custom:user_type")
    if user_type == "platform":
        return _identity(claims)
    caller = _identity(claims)
    if not caller.tenant_id:
        raise UnauthorizedError("a tenant user's token carries no tenant id")
    table = _tenants_table()
    user = table.get_item(Key={"PK": f"TENANT#{caller.tenant_id}", "SK": f"USER#{caller.user_sub}"}).get("Item")
    if not user:
        raise ForbiddenError("no role in this tenant")
    role = str(user.get("role", ""))
    record = table.get_item(Key={"PK": f"TENANT#{caller.tenant_id}", "SK": f"ROLE#{role}"}).get("Item")
    if not record:
        raise ForbiddenError(f"role '{role}' is not defined for this tenant")
    overrides = user.get("permission_overrides") or {}
    effective = (set(record.get("permissions") or []) | set(overrides.get("grant") or [])) - set(
        overrides.get("revoke") or []
    )
    return Caller(caller.user_sub, caller.email, "tenant", caller.tenant_id, role, frozenset(effective))


def _role_allowed(caller: Caller, roles: tuple[str, ...], write: bool) -> bool:
    if caller.platform:
        return ("tenant:edit" if write else "tenant:read") in caller.effective_permissions
    mine = _words(caller.role)
    # the LLD's "Admin" is the tenant role CUSTOMER_ADMIN (or ADMIN): its words end the role's
    for role in roles:
        want = _words(role)
        if mine and want and mine[-len(want) :] == want:
            return True
    return False


def _platform_role(claims: dict[str, Any]) -> str:
    groups = claims.get("cognito:groups") or []
    role = next((r for r in PLATFORM_ROLES if r in groups), None)
    if role is None:
        raise ForbiddenError("a platform user without a platform group")
    return role


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _groups(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [g.strip() for g in text.split(",") if g.strip()]


@lru_cache(maxsize=1)
def _layer_resolver() -> Any:
    return _layer.PermissionResolver(table_name=os.environ.get("TENANTS_TABLE", "tenants"))


def _tenants_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ.get("TENANTS_TABLE", "tenants"))
