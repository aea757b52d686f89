"""The copier answers of the ``lambda_service`` blueprint, assembled from a ``ServiceSpec``.

:func:`answers_data` is what ``bbws-scaffold new`` renders with and what ``bbws-scaffold update``
recomputes: the blueprint, the whole spec, the organisation, the deployment environments and the
plans derived from them (``infra``, ``models``, ``plan``), the README's Mermaid ``diagram``, plus
the runtime pin. Everything a
template reads is derived here; the templates derive nothing themselves.
"""

from __future__ import annotations

import re
from typing import Any

from bbws_scaffold import __version__
from bbws_scaffold.config.environments import environments_answer, for_service
from bbws_scaffold.errors import RenderError
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.plan.code import plan_answer
from bbws_scaffold.plan.diagram import diagram_answer
from bbws_scaffold.plan.infra import infra_answer
from bbws_scaffold.plan.models.builder import models_answer

BLUEPRINT = "lambda_service"
RUNTIME_BOTO3 = "1.44.5"
"""boto3 the generated repos' runtime lock pins (scripts/lock-runtime.sh reads it)."""


def check_spec(spec: ServiceSpec) -> None:
    """Refuse specs whose derived file names would collide (one file would silently win)."""
    problems: list[str] = []
    fns: dict[str, str] = {}
    for fn in spec.functions:
        if fn.ident in fns:
            problems.append(f"functions {fns[fn.ident]!r} and {fn.name!r} both become module {fn.ident}.py")
        fns[fn.ident] = fn.name
    ents: dict[str, str] = {}
    for table in spec.tables:
        for ent in table.entities:
            if ent.ident in ents:
                problems.append(f"entities {ents[ent.ident]!r} and {ent.name!r} both become module {ent.ident}.py")
            ents[ent.ident] = ent.name
    for name in [*fns, *ents]:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            problems.append(f"{name!r} is not a safe module name")
    if problems:
        raise RenderError("; ".join(problems))


def answers_data(spec: ServiceSpec, org: str, environments: dict[str, Any] | None = None) -> dict[str, Any]:
    """The copier answers: blueprint, the whole spec, org, the deployment environments, the
    infrastructure, models and code plans derived from them (templates read those; they derive
    nothing themselves) and the runtime pin."""
    environments = for_service(environments or environments_answer(), spec.service_slug)
    return sorted_mappings(
        {
            "blueprint": BLUEPRINT,
            "spec": spec.model_dump(mode="json"),
            "org": org,
            "environments": environments,
            "infra": infra_answer(spec, environments),
            "models": models_answer(spec),
            "plan": plan_answer(spec),
            "diagram": diagram_answer(spec),
            "runtime": runtime_answer(),
        }
    )


def runtime_answer() -> dict[str, str]:
    """The runtime a generated repo carries: the version of this library that renders (or
    updates) it, vendored under ``vendor/``; its boto3 is pinned, with hashes, in
    ``blueprints/_shared/requirements-runtime.txt`` (``RUNTIME_BOTO3``, re-locked by
    ``scripts/lock-runtime.sh``). Always computed afresh, so an update moves the version with it."""
    return {"version": __version__}


def sorted_mappings(value: Any) -> Any:
    """``value`` with every mapping's keys in sorted order, recursively.

    The answers file stores keys sorted, so a later ``copier update`` replays them sorted; handing
    copier the same order on the first render makes any iteration over a mapping in a template
    identical on both, and an update with nothing new a no-op."""
    if isinstance(value, dict):
        return {k: sorted_mappings(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_mappings(v) for v in value]
    return value
