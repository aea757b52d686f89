"""The Terraform wrapper with the real terraform binary on a provider-free configuration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bbws_scaffold.runtime.deploy import TerraformStep
from bbws_scaffold.runtime.errors import Refused
from bbws_scaffold.runtime.terraform import Terraform

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="needs the terraform binary")

MAIN_TF = """
terraform {
  backend "local" {}
}

variable "marker" {
  type = string
}

resource "terraform_data" "marker" {
  input            = var.marker
  triggers_replace = var.marker
}

output "marker" {
  value = terraform_data.marker.output
}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    tf = tmp_path / "terraform"
    (tf / "backend").mkdir(parents=True)
    (tf / "environments").mkdir()
    (tf / "main.tf").write_text(MAIN_TF)
    for env in ("dev", "prod"):
        (tf / "backend" / f"{env}.hcl").write_text(f'path = "{tmp_path}/state-{env}.tfstate"\n')
        (tf / "environments" / f"{env}.tfvars").write_text(f'marker = "{env}-1"\n')
    return tf


def _state(tmp_path: Path, env: str) -> dict:
    return json.loads((tmp_path / f"state-{env}.tfstate").read_text())


def test_step_applies_exactly_the_saved_plan(workdir, tmp_path):
    outputs = tmp_path / "outputs.json"
    changed = TerraformStep(workdir=workdir, outputs_file=outputs).run(_env("dev"), production=False)
    assert changed == ["terraform_data.marker"]
    assert _state(tmp_path, "dev")["outputs"]["marker"]["value"] == "dev-1"
    assert json.loads(outputs.read_text()) == {"marker": "dev-1"}
    assert not (tmp_path / "state-prod.tfstate").exists()  # the backend file chose the state


def test_apply_refuses_a_plan_it_did_not_make_or_that_changed(workdir, tmp_path):
    tf = Terraform(workdir, "dev", production=False)
    tf.init("backend/dev.hcl")
    plan = tf.plan("a.tfplan", var_file="environments/dev.tfvars")
    # a plan made outside the wrapper (e.g. a different var file) is never applied
    foreign = Terraform(workdir, "dev", production=False)
    with pytest.raises(Refused, match="not planned by this run"):
        foreign.apply(plan)
    # a plan replaced after it was shown (here by a plan of other inputs): refused, state untouched
    (workdir / "environments" / "dev.tfvars").write_text('marker = "dev-2"\n')
    other = tf.plan("b.tfplan", var_file="environments/dev.tfvars")
    shutil.copy(other, plan)
    with pytest.raises(Refused, match="changed after it was planned"):
        tf.apply(plan)
    assert not (tmp_path / "state-dev.tfstate").exists()
    tf.apply(other)
    assert _state(tmp_path, "dev")["outputs"]["marker"]["value"] == "dev-2"
    with pytest.raises(Refused, match="not planned by this run"):
        tf.apply(other)  # a plan is applied once


def test_destroy_in_production_is_refused_always(workdir, tmp_path):
    TerraformStep(workdir=workdir).run(_env("prod"), production=True)
    tf = Terraform(workdir, "prod", production=True)
    with pytest.raises(Refused, match="destroy in prod"):
        tf.destroy(var_file="environments/prod.tfvars")
    with pytest.raises(Refused, match="destroy in prod"):
        tf.plan("d.tfplan", var_file="environments/prod.tfvars", destroy=True)
    assert not (workdir / "d.tfplan").exists()
    assert _state(tmp_path, "prod")["resources"], "nothing was destroyed"


def test_production_refuses_a_plan_that_replaces_stateful_resources(workdir, tmp_path):
    TerraformStep(workdir=workdir).run(_env("prod"), production=True)
    (workdir / "environments" / "prod.tfvars").write_text('marker = "prod-2"\n')  # forces replacement
    tf = Terraform(workdir, "prod", production=True, protected_types=frozenset({"terraform_data"}))
    tf.init("backend/prod.hcl")
    plan = tf.plan("p.tfplan", var_file="environments/prod.tfvars")
    with pytest.raises(Refused, match="terraform_data.marker"):
        tf.apply(plan)
    assert _state(tmp_path, "prod")["outputs"]["marker"]["value"] == "prod-1"


def test_destroy_outside_production_goes_through_a_plan(workdir, tmp_path):
    TerraformStep(workdir=workdir).run(_env("dev"), production=False)
    tf = Terraform(workdir, "dev", production=False)
    tf.init("backend/dev.hcl")
    tf.destroy(var_file="environments/dev.tfvars")
    assert _state(tmp_path, "dev")["resources"] == []


def _env(name: str):
    from bbws_scaffold.runtime.config import Environment

    return Environment(name, "536580886816", "eu-west-1", name, 0, None, {})
