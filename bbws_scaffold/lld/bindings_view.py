"""``lld parse``: per endpoint, who may call it, how it is generated (repository CRUD or a 501
stub) and why."""

from __future__ import annotations

from bbws_scaffold.lld.summary import table
from bbws_scaffold.model import Endpoint, ServiceSpec


def _contract(ep: Endpoint) -> str:
    c = ep.contract
    parts = [
        f"{c.success_status}" if c.success_status else "",
        c.content_type if c.content_type in ("form", "multipart") else "",
    ]
    if ep.request_model:
        parts.append(f"in {ep.request_model}")
    if ep.response_model:
        parts.append(f"out {ep.response_model}" + (f" in '{c.envelope}'" if c.envelope else ""))
    if c.errors:
        parts.append("errors " + ",".join(str(e.status) for e in c.errors))
    if c.order:
        parts.append(f"{c.order_by or 'order'} {c.order}")
    if c.page_size or c.max_page_size:
        parts.append(f"page {c.page_size or '-'}/{c.max_page_size or '-'}")
    if c.idempotent:
        parts.append("idempotent")
    return " ".join(p for p in parts if p)


def access_text(ep: Endpoint) -> str:
    """``public``, ``public (signature)``, ``authenticated`` or ``roles Admin|User``; ``tenant
    {tenantId}`` when the path names the caller's tenant; ``tenant_id = caller's tenant`` per key part
    built from the caller; ``idempotent (body)`` or ``idempotent (Idempotency-Key)``: what identifies a
    repeated request."""
    a = ep.access
    text = {"public": "public", "authenticated": "authenticated"}.get(a.kind) or "roles " + "|".join(a.roles)
    if a.signature:
        text += " (signature)"
    if a.owner:
        text += "|owner?"
    if a.tenant_scope == "path":
        name = next((p.name for p in ep.params if p.ident == a.tenant_param), a.tenant_param)
        text += f", tenant {{{name}}}"
    for key, field in a.caller_keys.items():
        text += f", {key} = caller's {'tenant' if field == 'tenant_id' else 'user'}"
    if a.idempotency_key:
        text += f", idempotent ({a.idempotency_key})"
    return text


def render_bindings(spec: ServiceSpec) -> str:
    """The binding decision of every endpoint, with the contract read from the LLD."""
    if not spec.endpoints:
        return ""
    crud = sum(1 for e in spec.endpoints if e.binding.kind == "crud")
    head = f"Bindings ({crud} CRUD, {len(spec.endpoints) - crud} stub)"
    rows = [(e.method, e.path, access_text(e), e.binding.reason, _contract(e)) for e in spec.endpoints]
    return "\n".join([head, table(["METHOD", "PATH", "ACCESS", "BINDING", "CONTRACT"], rows, width=90)])
