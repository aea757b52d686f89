"""The handler plan: what ``src/handlers/<fn>.py`` and ``tests/integration/test_<fn>.py`` read.

Per function: how it is triggered, its routes (each endpoint with the entity it operates on,
resolved here, and the names the module gives it) and the import lines both modules need.
Import lines and names are Python source built from the model's normalised identifiers; route
paths, summaries and descriptions are raw LLD text the templates escape.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bbws_scaffold.model import Endpoint, Function, Param, ServiceSpec
from bbws_scaffold.plan.entities import EntityPlan
from bbws_scaffold.plan.node import PlanNode

HandlerKind = Literal["http", "sqs", "event", "s3", "other"]

BODY_METHODS = ("POST", "PUT", "PATCH")

_SQS_IMPORTS = [
    "from aws_lambda_powertools.utilities.batch import BatchProcessor",
    "from aws_lambda_powertools.utilities.batch import EventType",
    "from aws_lambda_powertools.utilities.batch import process_partial_response",
    "from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse",
    "from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord",
]
_PATH_MODEL_IMPORTS = [
    "from pydantic import BaseModel",
    "from pydantic import ConfigDict",
    "from pydantic import Field",
]


class ImportLines(PlanNode):
    """Import lines by group; the templates sort them (``isorted``)."""

    std: list[str] = Field(default_factory=list)
    third: list[str] = Field(default_factory=list)
    first: list[str] = Field(default_factory=list)


class RoutePlan(PlanNode):
    method: str
    path: str = Field(description="as the LLD writes it (raw)")
    summary: str | None = Field(description="raw")
    operation: str = Field(description="Endpoint.operation (create/get/update/delete/list/query/custom)")
    index: str | None = Field(description="GSI name a query uses")
    params: list[Param] = Field(description="path placeholders")
    entity: str | None = Field(description="EntityPlan.ident it operates on; None: a business-logic stub")
    name: str = Field(description="the module's function serving it")
    path_model: str = Field(description="pydantic class of its path parameters")
    tag: str = Field(description="test-name stem of its tests")
    logic_method: str | None = Field(description="the *Logic method a stub route calls")


class HandlerPlan(PlanNode):
    ident: str
    kind: HandlerKind
    trigger: str
    trigger_label: str = Field(description="the trigger as written, else its kind (raw)")
    summary: str = Field(description="first docstring line: routes or trigger (raw)")
    description: str | None = Field(description="raw")
    logic_class: str = Field(description="class of its src/services/<fn>_logic.py module")
    story_note: str = Field(description="the user stories it implements (three at most), as xfail reasons start")
    routes: list[RoutePlan]
    imports: ImportLines = Field(description="of the handler module")
    test_imports: ImportLines = Field(description="of its integration tests")


def _kind(fn: Function, eps: list[Endpoint]) -> HandlerKind:
    if eps:
        return "http"
    if fn.trigger == "sqs":
        return "sqs"
    if fn.trigger in ("eventbridge", "schedule"):
        return "event"
    return "s3" if fn.trigger == "s3" else "other"


def _entity(ep: Endpoint, entities: dict[tuple[str, str], EntityPlan]) -> EntityPlan | None:
    """The entity a CRUD endpoint operates on (binding named its table and entity)."""
    if ep.operation == "custom":
        return None
    return entities.get((ep.table or "", ep.entity or ""))


def _routes(fn: Function, eps: list[Endpoint], resolved: list[EntityPlan | None]) -> list[RoutePlan]:
    customs = [ep for ep in eps if ep.operation == "custom"]
    single = len(eps) == 1
    routes: list[RoutePlan] = []
    for i, (ep, info) in enumerate(zip(eps, resolved), start=1):
        routes.append(
            RoutePlan(
                method=ep.method,
                path=ep.path,
                summary=ep.summary,
                operation=ep.operation,
                index=ep.index,
                params=ep.params,
                entity=info.ident if info else None,
                name=fn.ident if single else f"route_{i}",
                path_model="PathParams" if single else f"PathParams{i}",
                tag=ep.method.lower() + ("" if single else f"_{i}"),
                logic_method=None if info else (fn.ident if len(customs) == 1 else f"{fn.ident}_{i}"),
            )
        )
    return routes


def _handler_imports(
    fn: Function, kind: HandlerKind, eps: list[Endpoint], resolved: list[EntityPlan | None]
) -> ImportLines:
    logic = f"from src.services.{fn.ident}_logic import {fn.class_name}Logic"
    imports = ImportLines(
        std=["from typing import Any"],
        third=[
            "from aws_lambda_powertools import Logger",
            "from aws_lambda_powertools.utilities.typing import LambdaContext",
        ],
    )
    if kind == "http":
        for ep, info in zip(eps, resolved):
            if ep.params:
                imports.third += _PATH_MODEL_IMPORTS
                imports.first.append("from src.utils.validation import parse_path")
            if info:
                imports.first.append(f"from src.services.{info.ident}_service import {info.class_name}Service")
                if ep.operation == "create":
                    imports.first += [
                        f"from src.models.{info.ident} import {info.class_name}Create",
                        "from src.utils.validation import parse_body",
                    ]
                if ep.operation == "update":
                    imports.first += [
                        f"from src.models.{info.ident} import {info.class_name}Update",
                        "from src.utils.validation import parse_body",
                    ]
                if ep.operation in ("list", "query"):
                    imports.first.append("from src.utils.validation import page_params")
            else:
                imports.first.append(logic)
                if ep.method in BODY_METHODS:
                    imports.first.append("from src.utils.validation import json_body")
        imports.first += [
            "from src.utils.responses import json_response",
            "from src.utils.validation import http_errors",
        ]
    elif kind == "sqs":
        imports.std.append("import json")
        imports.third += _SQS_IMPORTS
        imports.first.append(logic)
    elif kind == "event":
        imports.third.append("from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent")
        imports.first.append(logic)
    elif kind == "s3":
        imports.third.append("from aws_lambda_powertools.utilities.data_classes import S3Event")
        imports.first.append(logic)
    else:
        imports.first.append(logic)
    return imports


def _test_imports(
    fn: Function, kind: HandlerKind, eps: list[Endpoint], resolved: list[EntityPlan | None]
) -> ImportLines:
    imports = ImportLines(std=["from typing import Any"], first=[f"from src.handlers.{fn.ident} import handler"])
    helpers: list[str] = []
    ops = [ep.operation for ep in eps]
    if kind == "http":
        helpers.append("from tests.events import api_event")
        if any(op not in ("custom", "delete") for op in ops):
            imports.std.append("import json")
        if "custom" in ops or "delete" in ops:
            imports.third.append("import pytest")
    else:
        imports.third.append("import pytest")
    if kind == "sqs":
        imports.std.append("import json")
        helpers.append("from tests.events import sqs_event")
    if kind == "event":
        helpers.append("from tests.events import eventbridge_event")
    if kind == "s3":
        helpers.append("from tests.events import s3_event")
    for ep, info in zip(eps, resolved):
        if ep.operation == "custom" or info is None:
            continue
        imports.first.append(f"from src.repositories.{info.ident}_repository import {info.class_name}Repository")
        if ep.operation != "delete" and (ep.operation != "update" or any(not f.key for f in info.fields)):
            imports.first.append(f"from src.models.{info.ident} import {info.class_name}")
        helpers.append(f"from tests.factories import {info.ident}_factory")
        if ep.operation == "delete":
            imports.first.append("from src.utils.exceptions import NotFoundError")
    imports.first += helpers
    return imports


def _summary(fn: Function, eps: list[Endpoint]) -> str:
    if eps:
        what = ", ".join(f"{ep.method} {ep.path}" for ep in eps)
    else:
        what = f"{fn.trigger} trigger" + (f" ({fn.source_name})" if fn.source_name else "")
    return f"{fn.ident}: {what}."


def handler_plan(spec: ServiceSpec, fn: Function, entities: dict[tuple[str, str], EntityPlan]) -> HandlerPlan:
    """``entities``: (table name, entity name) -> that entity's plan."""
    eps = [ep for ep in spec.endpoints if ep.handler == fn.ident]
    resolved = [_entity(ep, entities) for ep in eps]
    kind = _kind(fn, eps)
    return HandlerPlan(
        ident=fn.ident,
        kind=kind,
        trigger=fn.trigger,
        trigger_label=fn.trigger_raw or fn.trigger,
        summary=_summary(fn, eps),
        description=fn.description,
        logic_class=f"{fn.class_name}Logic",
        story_note=(", ".join(fn.stories[:3]) + ": ") if fn.stories else "no user story: ",
        routes=_routes(fn, eps, resolved),
        imports=_handler_imports(fn, kind, eps, resolved),
        test_imports=_test_imports(fn, kind, eps, resolved),
    )


def build_handlers(spec: ServiceSpec, entities: list[EntityPlan]) -> list[HandlerPlan]:
    """One handler per function, in spec order (``entities`` is the spec's entity plan)."""
    # (table name, entity name) -> the first such entity, as the endpoint's binding names it
    by_name: dict[tuple[str, str], EntityPlan] = {}
    pairs = [(t.name, e.name) for t in spec.tables for e in t.entities]
    for key, plan in zip(pairs, entities):
        by_name.setdefault(key, plan)
    return [handler_plan(spec, fn, by_name) for fn in spec.functions]
