"""The warnings of ``Endpoint.access`` (derived by :mod:`bbws_scaffold.access`): where the LLD
leaves who may call an endpoint to an assumption, the parser says so at the endpoint's line."""

from __future__ import annotations

import re

from bbws_scaffold.access import derive
from bbws_scaffold.lld.context import Context
from bbws_scaffold.nodes import Endpoint


def extract(ctx: Context, endpoints: list[Endpoint]) -> None:
    """Set ``access`` on every endpoint; warn where the LLD leaves it to an assumption."""
    concept = ctx.grammar["access"]
    rx = {k: re.compile(str(v), re.IGNORECASE) for k, v in concept.data.items()}
    silent: list[Endpoint] = []
    header, secret = _signature_source(ctx.doc.source, rx)
    for ep in endpoints:
        ep.access = derive(ep, rx)
        if ep.access.signature:
            ep.access.signature_header, ep.access.signature_secret = header, secret
            if header is None:
                ctx.sink.warn(
                    ep.line or 1,
                    f"{ep.method} {ep.path}: the LLD names no signature header (X-...-Signature): "
                    "the handler expects X-Signature",
                )
        if not ep.auth and ep.access.kind == "authenticated":
            silent.append(ep)
        warning = _warning(ep)
        if warning:
            ctx.sink.warn(ep.line or 1, f"{ep.method} {ep.path}: {warning}")
    if silent:  # one warning for the document, not one per endpoint: the fix is one Auth column
        first = min(silent, key=lambda e: e.line or 0)
        names = ", ".join(f"{e.method} {e.path}" for e in silent[:3]) + (", ..." if len(silent) > 3 else "")
        ctx.sink.warn(
            first.line or 1,
            f"{len(silent)} endpoint(s) state no auth ({names}): generated behind the Cognito authorizer "
            "(fail closed); an Auth column in the endpoint table says who may call each",
        )


def _signature_source(text: str, rx: dict[str, re.Pattern[str]]) -> tuple[str | None, str | None]:
    """The signature header and the secret's name the document states (first of each)."""
    header = rx["signature_header"].search(text)
    secret = rx["signature_secret"].search(text)
    return (header.group(1) if header else None), (next((g for g in secret.groups() if g), None) if secret else None)


def _warning(ep: Endpoint) -> str | None:
    a = ep.access
    if a.kind == "public" and not ep.auth and "sign-in step" in a.reason:
        return f"{a.reason}: generated public; state 'Auth: None (public)' in the LLD to confirm"
    if a.owner:
        return "the LLD allows the resource's owner, which needs the stored item: not generated, " + (
            f"only {', '.join(a.roles)} pass" if a.roles else "any authenticated caller passes"
        )
    return None
