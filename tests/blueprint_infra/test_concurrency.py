"""Reserved concurrency only where an NFR asks for it, within each environment's budget.

Expectations are hand calculations on the AWS rules: the account quota is 1,000 by default and
100 of it always stays unreserved, so a service that reserved 100 for each of 31 functions (3,100)
could not even be created in a fresh PROD account.
"""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from bbws_scaffold.config.environments import environments_answer
from bbws_scaffold.lld.parser import parse_text
from bbws_scaffold.model import Function, Nfr, ServiceSpec
from bbws_scaffold.plan.concurrency import _fit, build_concurrency
from tests.blueprint_infra.render import render_infra
from tests.paths import CATALOGUE_LLD

ENVS = environments_answer()

NFR_TABLE = """
## 9. Non-Functional Requirements

### 9.1 Scalability

| Aspect | Target | Implementation |
|--------|--------|----------------|
| Concurrent searches | 1000 req/s | Lambda auto-scaling |
| Webhook processing | 50 concurrent | Lambda reserved concurrency |
| Lambda concurrent executions | 500 per function (reserved) | |
| Concurrent users | 500 | |
"""


def service(functions: list[Function], nfrs: list[Nfr]) -> ServiceSpec:
    return ServiceSpec(title="Domains - Low-Level Design", service_name="Domains", functions=functions, nfrs=nfrs)


def many_functions(n: int, nfrs: list[Nfr]) -> ServiceSpec:
    fns = [Function(name=f"worker_{i:02d}", trigger="sqs", source_name=f"q-{i}") for i in range(n)]
    return service(fns, nfrs)


def nfr(metric: str, target: str, threshold: float) -> Nfr:
    return Nfr(metric=metric, target=target, kind="concurrency", threshold=threshold, line=7)


def test_only_rows_that_say_reserved_are_concurrency_nfrs() -> None:
    spec = parse_text(str(CATALOGUE_LLD), CATALOGUE_LLD.read_text(encoding="utf-8") + NFR_TABLE)
    rows = {"Concurrent searches", "Webhook processing", "Lambda concurrent executions", "Concurrent users"}
    kinds = {n.metric: (n.kind, n.threshold) for n in spec.nfrs if n.metric in rows}
    assert kinds == {
        "Concurrent searches": ("throughput", 1000.0),  # a request rate, not a reservation
        "Webhook processing": ("concurrency", 50.0),
        "Lambda concurrent executions": ("concurrency", 500.0),
        "Concurrent users": ("other", None),  # users are not executions, and nothing says reserved
    }


def test_no_nfr_no_reservation_even_for_31_functions() -> None:
    plan = build_concurrency(many_functions(31, []), ENVS)
    assert all(by_fn == {} for by_fn in plan.by_env.values())


def test_per_function_nfr_is_scaled_to_the_budget() -> None:
    # 31 functions x 500 = 15,500 asked; PROD's default budget is 200: floor(500 * 200 / 15,500) = 6 each
    # for 31 functions = 186 <= 200. DEV's 20: floor(500 * 20 / 15,500) = 0 -> at least 1, for the
    # first 20 functions, then the budget is spent.
    plan = build_concurrency(many_functions(31, [nfr("Lambda concurrent executions", "500 per function", 500)]), ENVS)
    assert ENVS["envs"]["prod"]["concurrency_budget"] == 200 and ENVS["envs"]["dev"]["concurrency_budget"] == 20
    assert set(plan.by_env["prod"].values()) == {6} and len(plan.by_env["prod"]) == 31
    assert sum(plan.by_env["prod"].values()) == 186
    assert list(plan.by_env["dev"].values()) == [1] * 20 and sum(plan.by_env["dev"].values()) == 20
    assert plan.scaled == {"dev": True, "sit": True, "prod": True}


def test_a_named_function_gets_its_own_reservation_only() -> None:
    names = ["search_domains", "webhook_handler", "register_domain"]
    spec = service([Function(name=n) for n in names], [nfr("Webhook processing", "50 concurrent", 50)])
    plan = build_concurrency(spec, ENVS)
    assert plan.by_env["prod"] == {"webhook_handler": 50}
    assert plan.by_env["dev"] == {"webhook_handler": 20}  # 50 over DEV's budget of 20


def test_an_nfr_naming_no_function_is_not_applied() -> None:
    names = ["search_domains", "register_domain"]
    spec = service([Function(name=n) for n in names], [nfr("Webhook processing", "50 concurrent", 50)])
    plan = build_concurrency(spec, ENVS)
    assert plan.reservations[0].functions == [] and plan.by_env["prod"] == {}


@pytest.mark.parametrize(
    ("wanted", "budget", "expected"),
    [
        ({"a": 10, "b": 20}, 100, {"a": 10, "b": 20}),  # fits: unchanged
        ({"a": 100, "b": 300}, 200, {"a": 50, "b": 150}),  # 100*200//400, 300*200//400
        ({"a": 1, "b": 1, "c": 1}, 2, {"a": 1, "b": 1}),  # the budget runs out
        ({"a": 5}, 0, {}),
    ],
)
def test_fit_by_hand(wanted: dict[str, int], budget: int, expected: dict[str, int]) -> None:
    assert _fit(wanted, budget) == expected


def test_terraform_reserves_from_the_tfvars_map(tmp_path: Path) -> None:
    names = ["search_domains", "webhook_handler"]
    spec = service([Function(name=n) for n in names], [nfr("Webhook processing", "50 concurrent", 50)])
    repo = render_infra(spec, tmp_path)
    prod = hcl2.loads((repo / "terraform/environments/prod.tfvars").read_text())
    dev = hcl2.loads((repo / "terraform/environments/dev.tfvars").read_text())
    assert prod["reserved_concurrency"] == {"webhook_handler": 50}
    assert dev["reserved_concurrency"] == {"webhook_handler": 20}
    lambda_tf = (repo / "terraform/lambda.tf").read_text()
    assert "reserved_concurrent_executions = lookup(var.reserved_concurrency, each.key, -1)" in lambda_tf
