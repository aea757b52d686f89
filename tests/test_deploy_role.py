"""The deploy role is per service repo: one account holds many services, each with its own role.

Expectations come from IAM's and GitHub's documented rules: a role name is 1-64 characters of
``[\\w+=,.@-]``; GitHub's OIDC token for a job in an environment has
``sub = repo:OWNER/REPO:environment:NAME``; IAM's ``ArnLike`` matches ``*`` against any characters.
The expected names are spelled out by hand from the documented pattern ``bbws-{service}-deploy``.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import re
from typing import Any

import pytest

from bbws_scaffold.bootstrap import GITHUB_OIDC_HOST, build_plan
from bbws_scaffold.config import github
from bbws_scaffold.config.environments import (
    DEFAULT_PATH,
    deploy_role_name,
    for_service,
    load_environments,
    resolve_environments,
)
from bbws_scaffold.errors import EnvironmentsError
from bbws_scaffold.plan.answers import answers_data
from bbws_scaffold.yamlfile import read_yaml
from tests.paths import CATALOGUE_LLD, EXAMPLES
from tests.render.specs import load_spec

ORG = "BigBeardWebSolutions"
PREFERENCES_LLD = EXAMPLES / "portal_preferences" / "2.2.9_LLD_Portal_Preferences.md"
IAM_ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")
TYPES = {"aws_lambda_function"}


def _answers(lld: Any) -> dict[str, Any]:
    return answers_data(load_spec(lld), ORG)


def _subjects(plan: Any) -> list[str]:
    (statement,) = plan.deploy_role.trust["Statement"]
    return list(statement["Condition"]["StringEquals"][f"{GITHUB_OIDC_HOST}:sub"])


def _shipped() -> dict[str, Any]:
    doc: dict[str, Any] = read_yaml(DEFAULT_PATH, "environments", ValueError)
    return doc


def test_two_services_in_one_account_get_their_own_roles_each_trusted_by_its_own_repo() -> None:
    catalogue, preferences = _answers(CATALOGUE_LLD), _answers(PREFERENCES_LLD)
    a, b = catalogue["spec"]["service_slug"], preferences["spec"]["service_slug"]
    assert a != b
    for env in ("dev", "sit", "prod"):
        pa, pb = build_plan(catalogue, env, TYPES), build_plan(preferences, env, TYPES)
        assert pa.account_id == pb.account_id  # one account, two services
        acct = pa.account_id
        assert pa.deploy_role.arn == f"arn:aws:iam::{acct}:role/bbws-{a}-deploy"
        assert pb.deploy_role.arn == f"arn:aws:iam::{acct}:role/bbws-{b}-deploy"
        assert pa.deploy_role.name == f"bbws-{a}-deploy" and IAM_ROLE_NAME.fullmatch(pa.deploy_role.name)
        for plan, answers in ((pa, catalogue), (pb, preferences)):
            repo = f"{ORG}/{answers['spec']['repo']}"
            assert _subjects(plan) == [f"repo:{repo}:environment:{env}", f"repo:{repo}:environment:{env}-hotfix"]
        assert not set(_subjects(pa)) & set(_subjects(pb))


@pytest.mark.parametrize("lld", [CATALOGUE_LLD, PREFERENCES_LLD], ids=["catalogue", "preferences"])
def test_bootstrap_secret_and_rendered_config_name_the_same_role(lld: Any) -> None:
    answers = _answers(lld)
    service = answers["spec"]["service_slug"]
    published = github.load_config(environ={}, service=service).environments
    for env in answers["environments"]["order"]:
        role = build_plan(answers, env, TYPES).deploy_role.arn
        # what the generated repo's deploy/environments.json carries (the environments answer)
        assert answers["environments"]["envs"][env]["deploy_role_arn"] == role
        # what `repo secrets` sets as AWS_ROLE_ARN, in the environment and its hotfix twin
        secrets = {p.name: p.secrets["AWS_ROLE_ARN"] for p in published if p.key == env}
        assert secrets == {env: role, f"{env}-hotfix": role}


def test_the_shared_records_reader_trusts_the_next_environments_deploy_role_of_every_service() -> None:
    """One reader role per account serves every service: bootstrapping one service must not lock
    another out, so the trust names the next account and a role pattern both services fit."""
    catalogue, preferences = _answers(CATALOGUE_LLD), _answers(PREFERENCES_LLD)
    for env, nxt in (("dev", "sit"), ("sit", "prod")):
        readers = []
        for answers in (catalogue, preferences):
            plan = build_plan(answers, env, TYPES)
            (reader,) = [r for r in plan.resources if r.name.endswith(":role/bbws-deployments-reader")]
            readers.append(reader.settings)
        assert readers[0] == readers[1]  # the same shared role, whichever service bootstraps it
        settings = readers[0]
        next_acct = catalogue["environments"]["envs"][nxt]["account_id"]
        assert settings["trusted_by"] == [f"arn:aws:iam::{next_acct}:root"]
        patterns = settings["condition"]["ArnLike"]["aws:PrincipalArn"]
        for answers in (catalogue, preferences):
            caller = build_plan(answers, nxt, TYPES).deploy_role.arn
            assert any(fnmatch.fnmatchcase(caller, p) for p in patterns), (caller, patterns)
        # not the account's other roles, nor this account's
        own_acct = catalogue["environments"]["envs"][env]["account_id"]
        for stranger in (f"arn:aws:iam::{next_acct}:role/admin", f"arn:aws:iam::{own_acct}:role/bbws-x-deploy"):
            assert not any(fnmatch.fnmatchcase(stranger, p) for p in patterns)
    prod = build_plan(catalogue, "prod", TYPES)
    # nothing is promoted from PROD: a reader nobody may assume is not planned (IAM needs a principal)
    assert not [r for r in prod.resources if r.name.endswith(":role/bbws-deployments-reader")]


def test_a_long_service_name_is_cut_to_64_characters_deterministically() -> None:
    # 12 characters are the pattern's own ("bbws-" + "-deploy"): 52 remain for the service; a longer
    # name keeps its first 43 characters, then "-" and the first 8 hex digits of its SHA-256
    long_a = "order-fulfilment-and-returns-reconciliation-for-tenants-eu"
    long_b = "order-fulfilment-and-returns-reconciliation-for-tenants-za"
    assert len(long_a) == 58 and long_a[:43] == long_b[:43]
    got_a = deploy_role_name("bbws-{service}-deploy", "dev", long_a)
    got_b = deploy_role_name("bbws-{service}-deploy", "dev", long_b)
    digest_a = hashlib.sha256(long_a.encode()).hexdigest()[:8]
    assert got_a == f"bbws-order-fulfilment-and-returns-reconciliation-{digest_a}-deploy"
    assert len(got_a) == len(got_b) == 64
    assert got_a != got_b and IAM_ROLE_NAME.fullmatch(got_a) and IAM_ROLE_NAME.fullmatch(got_b)
    assert got_a == deploy_role_name("bbws-{service}-deploy", "dev", long_a)  # deterministic
    # exactly 52 characters fit as they are
    fits = "s" * 52
    assert deploy_role_name("bbws-{service}-deploy", "dev", fits) == f"bbws-{fits}-deploy"
    assert len(deploy_role_name("bbws-{service}-deploy", "dev", fits + "t")) == 64
    # through the whole path: the resolved ARN's role name fits IAM
    envs = for_service(load_environments(), long_a)
    for env in envs["envs"].values():
        assert env["deploy_role_arn"].rsplit("/", 1)[-1] == got_a


def test_an_explicit_literal_name_is_kept_for_every_service() -> None:
    raw = _shipped()
    raw["deploy_role_name"] = "github-actions-deploy"
    envs = resolve_environments(raw)
    for service in ("catalogue", "preferences"):
        got = for_service(envs, service)["envs"]
        for env in got.values():
            assert env["deploy_role_arn"] == f"arn:aws:iam::{env['account_id']}:role/github-actions-deploy"


def test_env_in_the_pattern_separates_environments_that_share_an_account() -> None:
    raw = _shipped()
    raw["deploy_role_name"] = "bbws-{service}-{env}-deploy"
    got = for_service(resolve_environments(raw), "catalogue")["envs"]
    assert got["sit"]["deploy_role_arn"] == f"arn:aws:iam::{got['sit']['account_id']}:role/bbws-catalogue-sit-deploy"


def test_answers_stored_before_per_service_roles_keep_their_role() -> None:
    """An update replays the stored environments answer: a repo rendered with the old shared name
    (no deploy_role_name pattern stored) keeps the role its secret and bootstrap already name."""
    old = copy.deepcopy(load_environments(service="catalogue"))
    del old["deploy_role_name"]
    for env in old["envs"].values():
        env["deploy_role_arn"] = f"arn:aws:iam::{env['account_id']}:role/github-actions-deploy"
    assert for_service(old, "catalogue") == old
    replayed = answers_data(load_spec(CATALOGUE_LLD), ORG, old)["environments"]
    assert {e["deploy_role_arn"] for e in replayed["envs"].values()} == {
        f"arn:aws:iam::{e['account_id']}:role/github-actions-deploy" for e in old["envs"].values()
    }


def test_resolving_twice_changes_nothing() -> None:
    once = for_service(load_environments(), "catalogue")
    assert for_service(once, "catalogue") == once
    assert answers_data(load_spec(CATALOGUE_LLD), ORG, once)["environments"] == once


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("bbws/{service}-deploy", "IAM role name"),
        ("bbws-{service}-{service}", "once"),
        ("bbws-{tenant}-deploy", "IAM role name"),
        ("r" * 55 + "{service}", "leaves 9 of IAM's 64 characters"),
        ("r" * 65, "not a valid IAM role name"),
    ],
)
def test_a_pattern_iam_cannot_hold_is_refused_when_the_file_is_read(pattern: str, message: str) -> None:
    raw = _shipped()
    raw["deploy_role_name"] = pattern
    with pytest.raises(EnvironmentsError, match=re.escape(message)):
        resolve_environments(raw)
