"""The generated repo's infrastructure (terraform/, .github/, scripts/) as real tools see it.

Renders three specs (CRUD with two tables + GSIs + seven endpoints; SQS/EventBridge/schedule/S3
with no HTTP API; one full of hostile strings) through copier with the project's copier.yml and
checks: terraform fmt, python-hcl2, the AWS provider schema, IAM wildcards, escaping, workflow
YAML and pinning, checkov (when installed).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest

from bbws_scaffold.config.environments import load_environments, resolve_environments
from bbws_scaffold.config.github import load_config
from bbws_scaffold.errors import EnvironmentsError
from tests import yamlio
from tests.blueprint_infra.render import render_infra
from tests.blueprint_infra.specs import HOSTILE_DESCRIPTION, SPECS, hostile_spec
from tests.paths import AWS_PROVIDER_SCHEMA, ROOT

CHECKOV = ROOT / ".tools" / "checkov-venv" / "bin" / "checkov"
META_ARGS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection", "dynamic"}
SHA_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
# interpolations the blueprint itself writes; anything else after an unescaped ${ came from an LLD
OWN_INTERPOLATIONS = {
    "var",
    "local",
    "each",
    "aws_lambda_function",
    "aws_api_gateway_rest_api",
    "aws_cloudwatch_log_group",
    "aws_dynamodb_table",
    "arn",
    "r",
    "upper",
}


@pytest.fixture(scope="module", params=sorted(SPECS))
def repo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = SPECS[request.param]()
    return render_infra(spec, tmp_path_factory.mktemp(request.param) / "repo")


def tf_files(repo: Path) -> list[Path]:
    return sorted((repo / "terraform").glob("*.tf"))


def test_expected_files(repo: Path) -> None:
    wf = repo / ".github" / "workflows"
    assert sorted(p.name for p in wf.glob("*.yml")) == [
        "ci.yml",
        "deploy-dev.yml",
        "hotfix.yml",
        "metrics.yml",
        "promote-prod.yml",
        "promote-sit.yml",
        "rollback.yml",
    ]
    for name in ("main.tf", "variables.tf", "outputs.tf", "lambda.tf", "iam.tf", "alarms.tf", "kms.tf"):
        assert (repo / "terraform" / name).is_file(), name
    for env in ("dev", "sit", "prod"):
        assert (repo / "terraform" / "backend" / f"{env}.hcl").is_file()
        assert (repo / "terraform" / "environments" / f"{env}.tfvars").is_file()
    for script in (
        "package.sh",
        "deploy.sh",
        "promote.sh",
        "canary.sh",
        "rollback.sh",
        "runtime.sh",
        "install-runtime.sh",
        "release-asset.sh",
    ):
        assert os.access(repo / "scripts" / script, os.X_OK), script


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_terraform_fmt_clean(repo: Path) -> None:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull}
    res = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", str(repo / "terraform")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_hcl_parses(repo: Path) -> None:
    for f in (
        tf_files(repo) + sorted((repo / "terraform").rglob("*.hcl")) + sorted((repo / "terraform").rglob("*.tfvars"))
    ):
        hcl2.loads(f.read_text(encoding="utf-8"))


def _schema_errors(kind: str, node: dict[str, Any], body: Any, path: list[str]) -> list[str]:
    if not isinstance(body, dict):
        return []
    out: list[str] = []
    for key, value in body.items():
        if key in META_ARGS or key.startswith("__") or key in node["args"] or key in node.get("opaque", []):
            continue
        if key in node["blocks"]:
            for item in value if isinstance(value, list) else [value]:
                out += _schema_errors(kind, node["blocks"][key], item, path + [key])
        else:
            out.append(f"{kind}: {'.'.join(path + [key])}")
    return out


@pytest.mark.skipif(not AWS_PROVIDER_SCHEMA.exists(), reason="AWS provider schema not available")
def test_every_argument_exists_in_provider_schema(repo: Path) -> None:
    schema = json.loads(gzip.decompress(AWS_PROVIDER_SCHEMA.read_bytes()))
    errors: list[str] = []
    for f in tf_files(repo):
        doc = hcl2.loads(f.read_text(encoding="utf-8"))
        for section, key in (("resource", "resources"), ("data", "data_sources")):
            for block in doc.get(section, []):
                for rtype, named in block.items():
                    rtype = rtype.strip('"')
                    assert rtype in schema[key], f"{f.name}: unknown {section} {rtype}"
                    for name, body in named.items():
                        errors += _schema_errors(
                            f"{f.name}:{rtype}.{name.strip(chr(34))}", schema[key][rtype], body, []
                        )
    assert not errors, errors


def _iam_actions(repo: Path) -> list[str]:
    text = "\n".join(f.read_text(encoding="utf-8") for f in tf_files(repo))
    actions: list[str] = []
    for block in re.findall(r"(?:actions|Action)\s*=\s*(\[[^\]]*\]|\"[^\"]*\")", text):
        actions += re.findall(r"\"([^\"]*)\"", block)
    return actions


def test_no_wildcard_iam_actions(repo: Path) -> None:
    actions = _iam_actions(repo)
    assert actions
    bad = [a for a in actions if "*" in a or not re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", a)]
    assert not bad, bad


def test_no_lld_interpolation(repo: Path) -> None:
    """Every unescaped `${` in the Terraform is one the blueprint wrote, never LLD text."""
    for f in tf_files(repo) + sorted((repo / "terraform").rglob("*.tfvars")):
        code = "\n".join(ln for ln in f.read_text(encoding="utf-8").splitlines() if not ln.lstrip().startswith("#"))
        for m in re.finditer(r"(?<!\$)\$\{([A-Za-z_]+)", code):
            assert m.group(1) in OWN_INTERPOLATIONS, f"{f.name}: unexpected interpolation ${{{m.group(1)}"


def test_workflows(repo: Path) -> None:
    for wf in sorted((repo / ".github" / "workflows").glob("*.yml")):
        doc = yamlio.load(wf.read_text(encoding="utf-8"))
        assert doc["permissions"] == {}, wf.name
        assert "concurrency" in doc, wf.name
        for job_id, job in doc["jobs"].items():
            if "uses" in job:
                assert job["uses"].startswith("./"), job_id
                continue
            assert "timeout-minutes" in job, (wf.name, job_id)
            names = [s.get("id") for s in job["steps"]]
            for i, step in enumerate(job["steps"]):
                if "uses" in step:
                    assert SHA_PIN.match(step["uses"]), step["uses"]
                    if step["uses"].startswith("actions/checkout@"):
                        assert step["with"]["persist-credentials"] is False
                    if step["uses"].startswith("aws-actions/configure-aws-credentials@"):
                        # the environment secret the publisher sets (repo secrets / setup-from-lld)
                        assert step["with"]["role-to-assume"] == "${{ secrets.AWS_ROLE_ARN }}"
                        assert job.get("environment"), (wf.name, job_id)
                        assert names[i + 1] == "validate-account", (wf.name, job_id)
                        assert job["permissions"]["id-token"] == "write"
                if "run" in step:
                    assert "${{" not in step["run"], (wf.name, job_id, step["run"])
            targets = {"sit", "prod"} & set(re.split(r"[^a-z]+", f"{wf.stem} {job_id}"))
            if targets and any("aws-actions" in s.get("uses", "") for s in job["steps"]):
                assert job.get("environment") in targets | {f"{t}-hotfix" for t in targets}, (wf.name, job_id)


def test_promotion_chain(repo: Path) -> None:
    """Each promotion names the environment before it; the runtime (not GitHub history) is the gate."""
    wf = repo / ".github" / "workflows"
    sit = yamlio.load((wf / "promote-sit.yml").read_text(encoding="utf-8"))
    prod = yamlio.load((wf / "promote-prod.yml").read_text(encoding="utf-8"))
    sit_runs = [s.get("run", "") for s in sit["jobs"]["deploy"]["steps"]]
    prod_runs = [s.get("run", "") for s in prod["jobs"]["deploy"]["steps"]]
    assert "scripts/promote.sh dev sit\n" in sit_runs
    assert (
        prod_runs.index('scripts/runtime.sh backup --env prod --label "${VERSION}"\n')
        < prod_runs.index("scripts/promote.sh sit prod --no-shift\n")
        < prod_runs.index("scripts/canary.sh prod\n")
    )
    assert sit["jobs"]["deploy"]["environment"] == "sit"
    assert prod["jobs"]["deploy"]["environment"] == "prod"
    accounts = {env: load_environments()["envs"][env]["account_id"] for env in ("dev", "sit", "prod")}
    for name, env in (("deploy-dev.yml", "dev"), ("promote-sit.yml", "sit"), ("promote-prod.yml", "prod")):
        text = (wf / name).read_text(encoding="utf-8")
        assert f"python -m bbws_scaffold.runtime guard --env {env}\n" in text
        # the environment's own secret (GitHub scopes it to the job's environment); guard checks the account
        assert "role-to-assume: ${{ secrets.AWS_ROLE_ARN }}" in text
        assert set(re.findall(r"\b\d{12}\b", text)) == {accounts[env]}, name
    hotfix = yamlio.load((wf / "hotfix.yml").read_text(encoding="utf-8"))
    assert [(j, hotfix["jobs"][j].get("environment")) for j in hotfix["jobs"]] == [
        ("ci", None),
        ("hotfix-dev", "dev-hotfix"),
        ("hotfix-sit", "sit-hotfix"),
        ("hotfix-prod", "prod-hotfix"),
        ("release", None),  # the hotfix, once in DEV, is released like any DEV deploy
    ]
    assert [hotfix["jobs"][j]["needs"] for j in ("hotfix-dev", "hotfix-sit", "hotfix-prod")] == [
        "ci",
        "hotfix-dev",
        "hotfix-sit",
    ]


@pytest.mark.e2e
@pytest.mark.skipif(not CHECKOV.exists(), reason="checkov not installed (scripts/install-gate-tools.sh)")
def test_checkov_clean(repo: Path) -> None:
    res = subprocess.run(
        [str(CHECKOV), "-d", str(repo / "terraform"), "--framework", "terraform", "--compact", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    reports = json.loads(res.stdout)
    for report in reports if isinstance(reports, list) else [reports]:
        failed = report["results"]["failed_checks"]
        assert not failed, [(c["check_id"], c["resource"]) for c in failed]
        for skip in report["results"]["skipped_checks"]:
            reason = skip["check_result"].get("suppress_comment", "")
            assert len(reason) > 40, (skip["check_id"], reason)


# ---------------------------------------------------------------- hostile strings


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = hostile_spec()
    data = spec.model_dump(mode="json")
    # what a broken binding could hand the templates: wildcard actions must never pass
    data["functions"][0]["access"] = [
        {"table": spec.tables[0].name, "actions": ["dynamodb:PutItem", "dynamodb:*", "*"], "indexes": []}
    ]
    from bbws_scaffold.model import ServiceSpec

    spec = ServiceSpec.model_validate(data)
    spec.functions[0].access[0].actions.extend(["dynamodb:*", "*"])
    return render_infra(spec, tmp_path_factory.mktemp("hostile") / "repo")


def test_hostile_description_is_escaped(hostile: Path) -> None:
    text = (hostile / "terraform" / "lambda.tf").read_text(encoding="utf-8")
    assert 'description  = "Creates an order\\"; rm -rf / # $${path.module} %%{ for x in y }"' in text
    doc = hcl2.loads(text)
    fns = doc["locals"][0]["functions"]
    assert "rm -rf /" in str(fns)
    assert HOSTILE_DESCRIPTION.split("\n")[0] not in text.replace('\\"', '"').split("description")[0]


def test_hostile_tags_are_neutralised(hostile: Path) -> None:
    text = (hostile / "terraform" / "main.tf").read_text(encoding="utf-8")
    assert "jndi" in text and "${jndi" not in text and "%{" not in text
    owner = re.search(r'key = "Owner", value = "([^"]*)"', text)
    assert owner is not None
    assert re.fullmatch(r"[\w .:/=+@-]*", owner.group(1)), owner.group(1)
    assert "aws:reserved" not in text


def test_hostile_names_never_reach_shell_or_workflows(hostile: Path) -> None:
    for f in list((hostile / ".github").rglob("*.yml")) + list((hostile / "scripts").glob("*.sh")):
        text = f.read_text(encoding="utf-8")
        assert "rm -rf /" not in text and "Creates an order" not in text, f.name
        assert "jndi" not in text and "pwned" not in text, f.name
        yamlio.load(text) if f.suffix == ".yml" else None


def test_hostile_wildcards_dropped(hostile: Path) -> None:
    iam = (hostile / "terraform" / "iam.tf").read_text(encoding="utf-8")
    assert '"dynamodb:PutItem"' in iam
    assert "dynamodb:*" not in iam and '"*"' not in iam


def test_hostile_schedule_is_not_passed_through(hostile: Path) -> None:
    text = (hostile / "terraform" / "lambda.tf").read_text(encoding="utf-8")
    assert 'schedule_expression = "rate(1 day)"' in text


# ---------------------------------------------------------------- environments configuration


def test_default_environments() -> None:
    envs = load_environments()
    assert envs["order"] == ["dev", "sit", "prod"]
    dev, sit, prod = (envs["envs"][e] for e in envs["order"])
    assert (dev["account_id"], dev["region"]) == ("536580886816", "eu-west-1")
    assert (sit["account_id"], sit["region"], sit["required_reviewers"]) == ("815856636111", "eu-west-1", 1)
    assert (prod["account_id"], prod["region"], prod["dr_region"]) == ("093646564004", "af-south-1", "eu-west-1")
    assert prod["required_reviewers"] == 2 and prod["wait_timer_minutes"] > 0
    assert prod["state_bucket"] == "bbws-terraform-state-prod"
    assert prod["lock_table"] == "bbws-terraform-locks-prod"
    assert sit["previous"] == "dev" and prod["previous"] == "sit"
    assert json.loads(json.dumps(envs)) == envs


def test_environments_file_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = yamlio.load((ROOT / "bbws_scaffold" / "data" / "environments.yaml").read_text(encoding="utf-8"))
    src["environments"]["dev"]["account_id"] = "111111111111"
    path = tmp_path / "envs.yaml"
    path.write_text(yamlio.dump(src), encoding="utf-8")
    monkeypatch.setenv("BBWS_ENVIRONMENTS", str(path))
    assert load_environments()["envs"]["dev"]["account_id"] == "111111111111"


@pytest.mark.parametrize(
    "patch",
    [
        {"account_id": "12345"},
        {"region": "moon-1"},
        {"required_reviewers": -1},
        {"deletion_protection": "yes"},
    ],
)
def test_environments_validation(patch: dict[str, Any]) -> None:
    src = yamlio.load((ROOT / "bbws_scaffold" / "data" / "environments.yaml").read_text(encoding="utf-8"))
    src["environments"]["prod"].update(patch)
    with pytest.raises(EnvironmentsError):
        resolve_environments(src)


def test_workflows_read_exactly_the_secrets_the_publisher_sets(repo: Path) -> None:
    """One source of truth: every `secrets.X` a workflow reads is one `repo secrets` sets from
    github.yaml (GITHUB_TOKEN is GitHub's own), and the publisher sets nothing no workflow reads."""
    read = {
        m.group(1)
        for wf in (repo / ".github" / "workflows").glob("*.yml")
        for m in re.finditer(r"\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}", wf.read_text(encoding="utf-8"))
    } - {"GITHUB_TOKEN"}
    published = {name for env in load_config(environ={}, service="catalogue").environments for name in env.secrets}
    assert read == published == {"AWS_ROLE_ARN"}


def test_api_gateway_errors_carry_cors_headers(repo: Path) -> None:
    """API Gateway answers some requests itself (a missing or bad token, throttling, a failure
    before the function): the gateway-response types AWS documents for those carry
    Access-Control-Allow-Origin, or a browser reports each as a CORS failure."""
    api = repo / "terraform" / "api_gateway.tf"
    if not api.exists():
        pytest.skip("this spec has no endpoints")
    text = api.read_text(encoding="utf-8")
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED"):
        assert f'"{kind}"' in text
    assert '"gatewayresponse.header.Access-Control-Allow-Origin"  = "\'${var.cors_allow_origin}\'"' in text
    assert '"x-amazon-apigateway-gateway-responses" = local.gateway_responses' in text


# ---------------------------------------------------------------- API stage logging


def _branch(expr: str, flag: bool) -> str:
    """The branch ``var.api_gateway_account_logging ? A : B`` takes when the variable is ``flag``."""
    m = re.fullmatch(r"\$\{var\.api_gateway_account_logging \? (.+) : (.+)\}", expr)
    assert m, f"not conditional on var.api_gateway_account_logging: {expr}"
    return m.group(1) if flag else m.group(2)


def test_stage_logs_only_where_the_account_has_api_gateways_logging_role(tmp_path: Path) -> None:
    """AWS: a REST API stage's CloudWatch execution logging and its access logging both go through
    the account's API Gateway CloudWatch role (aws_api_gateway_account); a fresh account has none and
    the apply fails. So neither is on unless the environment says the role is there (default false)."""
    src = yamlio.load((ROOT / "bbws_scaffold" / "data" / "environments.yaml").read_text(encoding="utf-8"))
    src["environments"]["sit"]["api_gateway_account_logging"] = True
    repo = render_infra(SPECS["crud"](), tmp_path / "repo", resolve_environments(src))
    flags = {}
    for env in ("dev", "sit", "prod"):
        with (repo / "terraform" / "environments" / f"{env}.tfvars").open(encoding="utf-8") as fh:
            flags[env] = hcl2.load(fh)["api_gateway_account_logging"]
    assert flags == {"dev": False, "sit": True, "prod": False}

    with (repo / "terraform" / "api_gateway.tf").open(encoding="utf-8") as fh:
        resources = {
            (t.strip('"'), n.strip('"')): body
            for block in hcl2.load(fh)["resource"]
            for t, v in block.items()
            for n, body in v.items()
        }
    stage = resources[("aws_api_gateway_stage", "this")]
    settings = resources[("aws_api_gateway_method_settings", "all")]["settings"][0]
    assert "access_log_settings" not in stage  # never unconditional
    (dynamic,) = stage["dynamic"]
    (access,) = [v for k, v in dynamic.items() if k.strip('"') == "access_log_settings"]
    assert _branch(access["for_each"], False) == "[]"
    assert _branch(access["for_each"], True) != "[]"
    assert access["content"][0]["destination_arn"]
    assert _branch(settings["logging_level"], False) == '"OFF"'
    assert _branch(settings["logging_level"], True) == '"INFO"'
    assert settings["metrics_enabled"] is True  # metrics need no role: kept everywhere
