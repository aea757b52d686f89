"""Reserved concurrency: only where an NFR asks for it, within each environment's budget.

A Lambda function's reserved concurrency is carved out of the account's concurrency quota
(1,000 by default), and AWS keeps at least 100 of it unreserved
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). Reserving a fixed
number for every function does not fit: a 31-function service at 100 each asks for 3,100 in PROD.
So a function reserves only what an NFR of kind ``concurrency`` states for it (``Webhook processing
| 50 concurrent | Lambda reserved concurrency``, ``Lambda concurrent executions | 500 per function
(reserved)``), and the service's reservations in an environment never add up to more than that
environment's ``concurrency_budget`` (configuration): over the budget they are scaled down in
proportion, each keeping at least 1 while the budget lasts.

Which functions an NFR means: all of them when it says "per function" / "each function" / "all
functions"; else the functions whose name holds every significant word of the metric ("Webhook
processing" -> every function with "webhook" in its name); else, in a one-function service, that
function. An NFR that names none is not applied (``Reservation.functions`` is empty) and the
Terraform says so in a comment, rather than reserve for a guess.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from bbws_scaffold import naming
from bbws_scaffold.model import Function, Nfr, ServiceSpec
from bbws_scaffold.plan.node import PlanNode

_ALL_RE = re.compile(r"\b(?:per|each|every)\s+(?:lambda\s+)?function\b|\ball\s+(?:lambda\s+)?functions\b", re.I)
_GENERIC = frozenset(
    "lambda lambdas function functions handler concurrent concurrency concurrently executions execution "
    "reserved processing process requests request limit limits max maximum per each all the of".split()
)


class Reservation(PlanNode):
    """One concurrency NFR and the functions it reserves for (raw LLD text in ``metric``/``target``)."""

    line: int | None
    metric: str
    target: str
    wanted: int = Field(description="reserved concurrent executions the NFR asks per function")
    functions: list[str] = Field(description="InfraFunction idents it applies to; empty: names none")


class ConcurrencyPlan(PlanNode):
    reservations: list[Reservation] = Field(default_factory=list)
    by_env: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="environment -> function ident -> reserved concurrent executions"
    )
    budget: dict[str, int] = Field(default_factory=dict, description="environment -> concurrency_budget")
    scaled: dict[str, bool] = Field(default_factory=dict, description="environment -> scaled down to the budget")


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _targets(nfr: Nfr, functions: list[Function]) -> list[str]:
    if _ALL_RE.search(f"{nfr.metric} {nfr.target}"):
        return [f.ident for f in functions]
    wanted = {_stem(w) for w in naming.words(nfr.metric)} - _GENERIC
    if wanted:
        hits = [f.ident for f in functions if wanted <= {_stem(w) for w in naming.words(f.name)}]
        if hits:
            return hits
    return [functions[0].ident] if len(functions) == 1 else []


def _fit(wanted: dict[str, int], budget: int) -> dict[str, int]:
    """``wanted`` scaled down in proportion until its sum is at most ``budget`` (each at least 1,
    while the budget lasts; the first functions in order keep theirs)."""
    total = sum(wanted.values())
    if total <= budget:
        return dict(wanted)
    out: dict[str, int] = {}
    left = budget
    for ident, n in wanted.items():
        share = min(max(1, n * budget // total), left)
        if share < 1:
            break
        out[ident] = share
        left -= share
    return out


def build_concurrency(spec: ServiceSpec, environments: dict[str, Any]) -> ConcurrencyPlan:
    reservations: list[Reservation] = []
    wanted: dict[str, int] = {}
    for nfr in spec.nfrs:
        if nfr.kind != "concurrency" or nfr.threshold is None or nfr.threshold < 1:
            continue
        idents = _targets(nfr, spec.functions)
        n = int(nfr.threshold)
        reservations.append(
            Reservation(line=nfr.line, metric=nfr.metric, target=nfr.target, wanted=n, functions=idents)
        )
        for ident in idents:
            wanted[ident] = max(wanted.get(ident, 0), n)
    ordered = {f.ident: wanted[f.ident] for f in spec.functions if f.ident in wanted}
    envs = environments.get("envs", {})
    budget = {env: int(envs.get(env, {}).get("concurrency_budget", 0)) for env in environments["order"]}
    by_env = {env: _fit(ordered, b) for env, b in budget.items()}
    return ConcurrencyPlan(
        reservations=reservations,
        by_env=by_env,
        budget=budget,
        scaled={env: by_env[env] != ordered for env in budget},
    )
