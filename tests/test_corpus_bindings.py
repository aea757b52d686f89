"""The six real LLDs: every endpoint is bound as CRUD or as a stub with a reason and a warning.

``PYTHONPATH=. python -m tests.test_corpus_bindings`` prints the per-LLD counts (CRUD, stub,
warnings) that the issue's closing note reports. Specific decisions below are each proved by a
line of the LLD, quoted in the test.
"""

from __future__ import annotations

import pytest

from bbws_scaffold import naming
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.lld.summary import table
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.plan.code import build_plan
from tests.paths import CORPUS, corpus_llds

LLDS = corpus_llds()


def counts(spec: ServiceSpec) -> tuple[int, int, int, int]:
    """(CRUD endpoints, stub endpoints, 'not generated' warnings, all warnings)."""
    crud = sum(1 for e in spec.endpoints if e.binding.kind == "crud")
    stubs = len(spec.endpoints) - crud
    notices = sum(1 for w in spec.warnings if ": not generated: " in w.message)
    return crud, stubs, notices, len(spec.warnings)


@pytest.fixture(scope="module", params=LLDS, ids=lambda p: p.stem)
def spec(request: pytest.FixtureRequest) -> ServiceSpec:
    return parse_file(request.param)


def test_every_endpoint_has_a_decision_and_every_stub_a_warning(spec: ServiceSpec) -> None:
    crud, stubs, notices, _ = counts(spec)
    assert crud + stubs == len(spec.endpoints)
    assert notices == stubs
    lines = len((CORPUS / (spec.source_file or "")).read_text(encoding="utf-8").splitlines())
    for ep in spec.endpoints:
        if ep.binding.kind == "crud":
            assert ep.operation != "custom" and ep.entity
            assert ep.binding.reason == f"CRUD {ep.operation} on {naming.pascal(ep.entity)}"
        else:
            assert ep.binding.reason.startswith("stub: ") and ep.operation == "custom"
            assert ep.binding.line is not None and 1 <= ep.binding.line <= lines
            assert any(
                w.line == ep.binding.line and w.message.startswith(f"{ep.method} {ep.path}: not generated: ")
                for w in spec.warnings
            )


def test_bindings_survive_the_json_round_trip(spec: ServiceSpec) -> None:
    # binding runs again on every validation: it must reach the same decisions from its own output
    again = ServiceSpec.model_validate_json(spec.model_dump_json())
    assert again == spec


def _site_spec() -> ServiceSpec:
    return parse_file(CORPUS / "2.6_LLD_WordPress_Site_Management.md")


def test_site_delete_is_a_soft_delete_stub() -> None:
    # 2.6 §service methods: "| `delete_site` | `tenant_id: str, site_id: str` | `None` | Soft delete site | ..."
    spec = _site_spec()
    text = (CORPUS / "2.6_LLD_WordPress_Site_Management.md").read_text(encoding="utf-8").splitlines()
    line = next(i for i, ln in enumerate(text, 1) if "`delete_site`" in ln and "Soft delete site" in ln)
    ep = next(e for e in spec.endpoints if (e.method, e.path) == ("DELETE", "/v1.0/tenants/{tenantId}/sites/{siteId}"))
    assert (ep.binding.kind, ep.binding.line) == ("stub", line)
    assert ep.binding.reason == f"stub: soft delete (line {line})"


def test_site_plugins_drop_the_tenant_so_they_are_stubs() -> None:
    # 2.6: Installed Plugin is keyed SITE#{siteId} / PLUGIN#{pluginId}; the paths hold {tenantId} too
    spec = _site_spec()
    for method, path in [
        ("GET", "/v1.0/tenants/{tenantId}/sites/{siteId}/plugins"),
        ("POST", "/v1.0/tenants/{tenantId}/sites/{siteId}/plugins"),
        ("DELETE", "/v1.0/tenants/{tenantId}/sites/{siteId}/plugins/{pluginId}"),
    ]:
        ep = next(e for e in spec.endpoints if (e.method, e.path) == (method, path))
        assert ep.binding.kind == "stub" and "{tenantId}" in ep.binding.reason, (method, path)


def test_order_create_request_has_fields_the_order_does_not() -> None:
    # 2.1.8: CreateOrderRequest carries campaignCode, which the service resolves into a Campaign object
    spec = parse_file(CORPUS / "2.1.8_LLD_Order_Lambda.md")
    ep = next(e for e in spec.endpoints if (e.method, e.path) == ("POST", "/v1.0/tenants/{tenantId}/orders"))
    assert ep.request_model == "CreateOrderRequest"
    assert ep.binding.kind == "stub" and "campaignCode" in ep.binding.reason


def _line(name: str, needle: str) -> str:
    return next(t for t in (CORPUS / name).read_text(encoding="utf-8").splitlines() if needle in t)


def test_a_tenant_key_the_path_lacks_is_the_callers_tenant() -> None:
    # 2.6 § 7: "| Operation | `TENANT#{tenantId}` | `OP#{operationId}` |", fetched by
    # GET /v1.0/operations/{operationId}: the tenant can only be the caller's own
    assert "`TENANT#{tenantId}` | `OP#{operationId}`" in _line(
        "2.6_LLD_WordPress_Site_Management.md", "| Operation | `TENANT"
    )
    op = _ep(_site_spec(), "GET", "/v1.0/operations/{operationId}")
    assert (op.binding.kind, op.operation) == ("crud", "get")
    assert op.access.caller_keys == {"tenant_id": "tenant_id"} and op.access.tenant_scope == "caller"
    assert op.access.roles == ["Admin", "User", "Viewer"]  # and the role check stays
    ticket = _ep(parse_file(CORPUS / "2.2.6_LLD_Portal_Ticket.md"), "GET", "/portal/tickets/{ticketId}")
    assert (ticket.binding.kind, ticket.access.caller_keys) == ("crud", {"tenant_id": "tenant_id"})


def test_a_tenant_items_child_keyed_without_the_tenant_is_a_stub() -> None:
    # 2.2.6: "| FollowUp | `TICKET#{ticket_id}` | `FOLLOWUP#{timestamp}` |" under a tenant's Ticket:
    # GET /portal/tickets/{ticketId}/followups by the ticket id alone would serve any tenant
    assert "`TICKET#{ticket_id}` | `FOLLOWUP#{timestamp}`" in _line("2.2.6_LLD_Portal_Ticket.md", "| FollowUp |")
    spec = parse_file(CORPUS / "2.2.6_LLD_Portal_Ticket.md")
    hit = _ep(spec, "GET", "/portal/tickets/{ticketId}/followups")
    assert hit.binding.kind == "stub" and "a tenant's Ticket" in hit.binding.reason


def _ep(spec: ServiceSpec, method: str, path: str):  # type: ignore[no-untyped-def]
    return next(e for e in spec.endpoints if (e.method, e.path) == (method, path))


def report() -> str:
    rows = []
    for path in LLDS:
        spec = parse_file(path)
        crud, stubs, notices, total = counts(spec)
        rows.append((path.stem, len(spec.endpoints), crud, stubs, notices, total))
    return table(["LLD", "ENDPOINTS", "CRUD", "STUB", "STUB WARNINGS", "ALL WARNINGS"], rows)


if __name__ == "__main__":
    print(report())


def test_a_query_under_a_tenant_path_tests_another_tenants_items() -> None:
    """2.6 line 1612, ``Site | TENANT#{tenantId} | SITE#{siteId}``: ``GET /v1.0/tenants/{tenantId}/sites``
    queries the tenant's partition, so its generated tests store a site of another tenant beside the
    path's and check the answer never shows it; a query without a tenant in its path has no such test."""
    routes = {
        (r.method, r.path): r
        for h in build_plan(parse_file(CORPUS / "2.6_LLD_WordPress_Site_Management.md")).handlers
        for r in h.routes
    }
    sites = routes[("GET", "/v1.0/tenants/{tenantId}/sites")]
    assert (sites.operation, sites.tenant_field) == ("query", "tenant_id")
    assert all(r.tenant_field is None for r in routes.values() if r.tenant_param is None)
    assert all(r.tenant_field is None for r in routes.values() if r.operation != "query")
