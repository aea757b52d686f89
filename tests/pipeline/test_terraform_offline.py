"""``terraform validate`` and ``terraform plan`` for real, against the offline AWS provider.

Every example and corpus LLD (and the WordPress image repo) is rendered once; its ``terraform/``
root must validate and plan for dev, sit and prod with zero diagnostics. Planted defects prove
the check can fail, each at its file and line (the lines are those of the hand-written root
below), and a saved plan shows what only AWS knows (``arn``) as unknown.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bbws_scaffold.pipeline import offline_provider, tf_offline
from bbws_scaffold.pipeline.tf_offline import OfflineTerraform, check_terraform_offline
from bbws_scaffold.pipeline.tools import resolve
from bbws_scaffold.plan.wordpress import wordpress_answers
from bbws_scaffold.render.new import render_wordpress
from tests.blueprint_infra.render import render_infra
from tests.paths import corpus_llds, example_llds
from tests.render.specs import load_spec

pytestmark = pytest.mark.e2e

LLDS = example_llds() + corpus_llds()
ENVIRONMENTS = ["dev", "prod", "sit"]

if offline_provider.available() is not None or shutil.which("terraform") is None:
    pytest.skip(f"offline provider unavailable: {offline_provider.available()}", allow_module_level=True)


@pytest.fixture(scope="module")
def terraform() -> tuple[str, ...]:
    return resolve("terraform").argv


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each LLD rendered once (its infrastructure subtrees, as `new` renders them), plus the image repo."""
    out = tmp_path_factory.mktemp("repos")
    rendered = {lld.stem: render_infra(load_spec(lld), out / lld.stem) for lld in LLDS}
    rendered["wordpress_image"] = render_wordpress(out / "wp", answers=wordpress_answers(org="BigBeardWebSolutions"))
    return rendered


@pytest.fixture(scope="module")
def results(repos: dict[str, Path], terraform: tuple[str, ...]) -> dict[str, list]:
    """validate + plan dev/sit/prod of every repo (two repos at a time: the machine has 2 cores)."""

    def one(repo: Path) -> list:
        with OfflineTerraform(repo, terraform) as tf:
            assert tf.environments() == ENVIRONMENTS, repo
            return tf.validate() + [f for env in tf.environments() for f in tf.plan(env)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(repos, pool.map(one, repos.values())))


@pytest.mark.parametrize("name", [p.stem for p in LLDS] + ["wordpress_image"])
def test_generated_root_validates_and_plans_every_environment(name: str, results: dict[str, list]) -> None:
    findings = results[name]
    assert findings == [], "\n".join(f"{f.location}: {f.rule}: {f.message}" for f in findings)


BROKEN_ROOT = {
    "main.tf": """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
  backend "s3" {}
}

provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}
""",
    "lambda.tf": """resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}

resource "aws_lambda_function" "x" {
  function_name = "x"
  role          = aws_iam_role.r.arn
}

resource "aws_lambda_function" "bad_type" {
  function_name = "w"
  role          = aws_iam_role.r.arn
  layers        = "arn:aws:lambda:eu-west-1:111122223333:layer:x:1"
}

resource "aws_lambda_function" "no_role" {
  function_name = "y"
}

resource "aws_lambda_function" "odd_block" {
  function_name = "z"
  role          = aws_iam_role.r.arn

  no_such_block {
    mode = "Active"
  }
}

output "bad" {
  value = aws_lambda_function.x.no_such_attr
}
""",
}


@pytest.fixture(scope="module")
def broken_findings(tmp_path_factory: pytest.TempPathFactory, terraform: tuple[str, ...]) -> list:
    repo = tmp_path_factory.mktemp("broken")
    (repo / "terraform" / "environments").mkdir(parents=True)
    for name, text in BROKEN_ROOT.items():
        (repo / "terraform" / name).write_text(text, encoding="utf-8")
    (repo / "terraform" / "environments" / "dev.tfvars").write_text("", encoding="utf-8")
    with OfflineTerraform(repo, terraform) as tf:
        return tf.validate()


@pytest.mark.parametrize(
    ("line", "summary"),
    [
        (31, "Unsupported attribute"),  # aws_lambda_function.x.no_such_attr
        (14, "Incorrect attribute value type"),  # layers is list(string) in the provider's schema
        (17, "Missing required argument"),  # aws_lambda_function requires role
        (25, "Unsupported block type"),  # no such block in aws_lambda_function
    ],
)
def test_planted_defect_is_a_finding_at_its_line(broken_findings: list, line: int, summary: str) -> None:
    hits = [f for f in broken_findings if f.file == "terraform/lambda.tf" and f.line == line]
    assert any(f.message.startswith(summary) and f.rule == "error" for f in hits), broken_findings


def test_plan_shows_what_only_aws_knows_as_unknown(repos: dict[str, Path], terraform: tuple[str, ...]) -> None:
    catalogue = next(p for name, p in repos.items() if "Catalogue" in name)
    with OfflineTerraform(catalogue, terraform) as tf:
        plan_file = tf.root / "dev.tfplan"
        assert tf.plan("dev", plan_file) == []
        shown = tf.show_json(plan_file)
    lambdas = [c for c in shown["resource_changes"] if c["type"] == "aws_lambda_function"]
    assert lambdas
    for change in lambdas:
        assert change["change"]["actions"] == ["create"]
        # computed-only attributes (the provider documents them as exported) are unknown at plan time
        for attr in ("arn", "invoke_arn", "qualified_arn", "version"):
            assert change["change"]["after_unknown"][attr] is True, (change["address"], attr)
        # what the configuration sets is known
        assert change["change"]["after"]["runtime"] == "python3.12"


def test_check_reports_itself_skipped_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, terraform: tuple[str, ...]
) -> None:
    (tmp_path / "terraform").mkdir()
    monkeypatch.setattr(tf_offline, "available", lambda: "the offline AWS provider needs tf")
    outs = check_terraform_offline(tmp_path, resolve("terraform"))
    assert [o.stats.tool for o in outs] == ["terraform-validate", "terraform-plan"]
    for o in outs:
        assert o.findings == ()
        assert o.stats.skipped == 1
        assert o.stats.summary().endswith("skipped: the offline AWS provider needs tf")
