"""The ``plan`` answer: what the Python application templates (``src/``, ``tests/``) read.

:func:`plan_answer` is stored next to ``spec``, ``infra`` and ``models``: tables and entities
(:mod:`bbws_scaffold.plan.entities`) and handlers (:mod:`bbws_scaffold.plan.handlers`), derived
once in Python so the templates only print them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bbws_scaffold.model import Endpoint, ServiceSpec
from bbws_scaffold.plan.entities import EntityPlan, TablePlan, build_entities, build_tables
from bbws_scaffold.plan.handlers import HandlerPlan, ItemFactory, build_handlers, build_item_factories, misfits
from bbws_scaffold.plan.models.builder import build_models
from bbws_scaffold.plan.node import PlanNode


class CodePlan(PlanNode):
    tables: list[TablePlan]
    entities: list[EntityPlan]
    handlers: list[HandlerPlan]
    item_factories: list[ItemFactory]
    tenant_roles: bool = Field(
        description="some route checks a tenant role: the platform's tenants table is read (TENANTS_TABLE)"
    )
    signed: bool = Field(description="some route verifies a webhook signature (src/utils/signature.py)")
    idempotent: bool = Field(
        description="some route stores its answers in the idempotency table (src/utils/idempotency.py)"
    )


def build_plan(spec: ServiceSpec) -> CodePlan:
    tables = build_tables(spec)
    entities = build_entities(spec, tables)
    models = build_models(spec)
    handlers = build_handlers(spec, entities, models)
    return CodePlan(
        tables=tables,
        entities=entities,
        handlers=handlers,
        item_factories=build_item_factories(handlers, entities, models),
        tenant_roles=any(r.roles for h in handlers for r in h.routes),
        signed=any(r.signature_header for h in handlers for r in h.routes),
        idempotent=any(h.idempotent for h in handlers),
    )


def plan_answer(spec: ServiceSpec) -> dict[str, Any]:
    """The value of the copier answer ``plan`` (JSON-compatible: it is stored in .copier-answers.yml)."""
    return build_plan(spec).model_dump(mode="json")


def model_misfits(spec: ServiceSpec) -> list[tuple[Endpoint, str]]:
    """CRUD endpoints whose request or response model the entity cannot honour (a required field
    it does not store, or a create field nothing supplies), with why: the parser makes them stubs,
    so the binding, its warning and the generated code agree."""
    tables = build_tables(spec)
    return misfits(spec, build_entities(spec, tables), build_models(spec))
