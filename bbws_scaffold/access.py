"""Who may call each endpoint (``Endpoint.access``), from what the LLD states.

Read from the endpoint's auth cell (inventory ``Auth``/``Auth Roles`` columns, a security table,
OpenAPI ``security:``), its function's name and its path; vocabulary in ``lld_grammar/access.yaml``.

* public: the cell says none/public/anonymous (``nodes.is_public``), a signature of the caller's
  own (a webhook: ``signature``), the function is named public, or, when the LLD is silent, the
  path is a sign-in step (``/auth/login``): with a warning naming that assumption;
* permission: the cell lists roles (``Admin, User``), or a roles column beside it does
  (``Authentication Method | Authorization``: ``Cognito JWT`` | ``Customer or Admin role``);
  ``Owner`` among them, or a role qualified by ownership (``Customer (own domain)``), is recorded
  and warned about (an ownership check needs the stored item, which is not generated: only the
  other roles pass);
* authenticated: a token scheme, "All authenticated", or silence (fail closed).

A ``{tenantId}``-style path placeholder makes the endpoint tenant-scoped: the caller's tenant must
be the one in the path. A key part the path does not give may come from the caller instead
(:func:`caller_field`): binding records those in ``Access.caller_keys``.

Idempotent (``Access.idempotent``, ``idempotency_key``; read from the endpoint's contract): a provider
webhook (a signature route, or one its own text or path calls a webhook) keys on its raw body, or on
the idempotency-key header its text names; any other endpoint whose own text names such a header
keys on it; one whose text only calls it idempotent keys on its body unless its method is already
idempotent by HTTP (PUT, DELETE); reads never.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bbws_scaffold import naming
from bbws_scaffold.lld.readers.grammar import load_grammar
from bbws_scaffold.nodes import Access, CallerField, Endpoint, is_public


@lru_cache(maxsize=4)
def rules(folder: str | None = None) -> dict[str, re.Pattern[str]]:
    """The vocabulary of ``lld_grammar/access.yaml`` (``folder``: another grammar directory)."""
    return {k: re.compile(str(v), re.IGNORECASE) for k, v in load_grammar(folder)["access"].data.items()}


def derive(ep: Endpoint, rx: dict[str, re.Pattern[str]] | None = None) -> Access:
    """Who may call ``ep``, from its auth cell, function name and path."""
    rx = rx or rules()
    access = _who(ep, rx)
    tenant = next((p.ident for p in ep.params if rx["tenant_params"].fullmatch(p.ident)), None)
    if tenant:
        access.tenant_scope, access.tenant_param = "path", tenant
    access.idempotency_key = idempotency_key(ep, access, rx)
    access.idempotent = access.idempotency_key is not None
    return access


def idempotency_key(ep: Endpoint, access: Access, rx: dict[str, re.Pattern[str]]) -> str | None:
    """What identifies a repeated request to ``ep``: ``body``, an idempotency-key header, or None
    (not idempotent)."""
    c = ep.contract
    if rx["safe_methods"].fullmatch(ep.method):
        return None
    if access.signature or c.webhook:
        return c.idempotency_header or "body"
    if c.idempotency_header:
        return c.idempotency_header
    if c.idempotent and not rx["idempotent_methods"].fullmatch(ep.method):
        return "body"
    return None


def caller_field(ident: str, claim: str | None, rx: dict[str, re.Pattern[str]] | None = None) -> CallerField | None:
    """The caller's field a key part ``ident`` is built from: ``tenant_id`` for a tenant-named part
    or one read from a tenant claim, ``user_sub`` for one read from the user's claim (``sub``)."""
    rx = rx or rules()
    if claim and rx["caller_user_claims"].fullmatch(claim):
        return "user_sub"
    if rx["tenant_params"].fullmatch(ident) or (claim and rx["caller_tenant_claims"].fullmatch(claim)):
        return "tenant_id"
    return None


def _who(ep: Endpoint, rx: dict[str, re.Pattern[str]]) -> Access:
    cell = (ep.auth or "").strip()
    name = ep.function or ep.operation_id or ""
    if cell and (is_public(cell) or rx["not_required"].fullmatch(cell)):
        return Access(kind="public", reason=f"auth: {cell}")
    if cell and rx["signature"].search(cell):
        return Access(kind="public", signature=cell, reason=f"auth: {cell} (the handler verifies it)")
    if name and rx["public_names"].search(naming.snake(name)):
        return Access(kind="public", reason=f"the function is named {name}")
    if not cell and not ep.auth_roles:
        step = _pre_login_step(ep.path, rx)
        if step:
            return Access(kind="public", reason=f"the LLD states no auth; '/{step}' is a sign-in step")
        return Access(reason="the LLD states no auth: authenticated (fail closed)")
    who = (ep.auth_roles or "").strip()
    if who and not rx["any_authenticated"].search(who):
        # a column of its own says who ("Authentication Method | Authorization"): the roles
        roles, owner = _roles(who, rx)
        said = f"auth: {cell}; {who}" if cell else f"roles: {who}"
        if roles:
            return Access(kind="permission", roles=roles, owner=owner, reason=said)
        if owner:
            return Access(reason=f"{said} (owner only: authenticated, no ownership check)", owner=owner)
    if rx["any_authenticated"].search(cell) or rx["authenticated"].search(cell):
        return Access(reason=f"auth: {cell}")
    roles, owner = _roles(cell, rx)
    if roles:
        return Access(kind="permission", roles=roles, owner=owner, reason=f"auth: {cell}")
    return Access(reason=f"auth: {cell} (owner only: authenticated, no ownership check)", owner=owner)


def _roles(cell: str, rx: dict[str, re.Pattern[str]]) -> tuple[list[str], bool]:
    roles: list[str] = []
    owner = False
    for part in rx["role_separators"].split(cell):
        word = rx["role_noise"].sub(" ", part or "").strip(" .`*")
        qualified = rx["owner_qualifier"].search(word)
        word = rx["owner_qualifier"].sub(" ", word).strip(" .()`*")
        if not word:
            continue
        if qualified or rx["owner"].fullmatch(word):
            # "Customer (own domain)": that role passes only for its own items, a check on the
            # stored item that is not generated, so the role does not pass at all (fail closed)
            owner = True
        elif naming.words(word) and word not in roles:
            roles.append(word)
    return roles, owner


def _pre_login_step(path: str, rx: dict[str, re.Pattern[str]]) -> str | None:
    literal = [s for s in path.strip("/").split("/") if s and "{" not in s]
    last = literal[-1] if literal else ""
    return last if last and rx["pre_login_paths"].fullmatch(last) else None
