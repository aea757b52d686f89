"""A CRUD binding the LLD's own request model contradicts is a stub, with its warning.

``CreateOrderRequest`` requiring a ``couponCode`` that the Order entity does not store: a CRUD
create would drop what the client is required to send, so the parser binds a stub, names the
field, and ``lld parse`` (the binding), the warning and the generated code agree.
"""

from __future__ import annotations

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.lld.parser import _stub_model_misfits, _warn_stubs
from bbws_scaffold.model import ModelField
from tests.render.contract_spec import CREATE, orders_spec


def test_a_required_request_field_the_entity_does_not_store_makes_the_create_a_stub() -> None:
    spec = orders_spec()
    request = next(m for m in spec.models if m.name == "CreateOrderRequest")
    request.fields.append(ModelField(name="couponCode", type="str"))
    create = next(e for e in spec.endpoints if (e.method, e.path) == CREATE)
    assert create.binding.kind == "crud"

    rebuilt = _stub_model_misfits(spec)
    create = next(e for e in rebuilt.endpoints if (e.method, e.path) == CREATE)
    assert create.binding.kind == "stub" and create.operation == "custom"
    assert "couponCode" in create.binding.reason and "CreateOrderRequest" in create.binding.reason
    sink = DiagnosticSink()
    _warn_stubs(rebuilt, sink)
    assert any(f"{CREATE[0]} {CREATE[1]}: not generated:" in w.message for w in sink.warnings)
    # stable: the stub survives the JSON round trip (the reason lives in the contract)
    again = type(rebuilt).model_validate_json(rebuilt.model_dump_json())
    assert next(e for e in again.endpoints if (e.method, e.path) == CREATE).binding == create.binding


def test_models_the_entity_honours_change_nothing() -> None:
    spec = orders_spec()
    assert _stub_model_misfits(spec) is spec
