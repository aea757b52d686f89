"""The BBWS workflow rules (no external tools needed)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bbws_scaffold.pipeline.policy import check_policy, run_touches_aws

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"
CONFIGURE = f"aws-actions/configure-aws-credentials@{'e3dd6a429d7300a6a4c196c26e071d42e0343502'}"
VALIDATE = """\
      - name: Validate AWS account
        id: validate-account
        env:
          EXPECTED_ACCOUNT_ID: ${{ vars.AWS_ACCOUNT_ID }}
        run: |
          actual="$(aws sts get-caller-identity --query Account --output text)"
          if [ "${actual}" != "${EXPECTED_ACCOUNT_ID}" ]; then
            exit 1
          fi
"""


def workflow(
    steps: str,
    *,
    env: str = "environment: dev",
    perms: str = "id-token: write",
    header: str = "permissions: {}\nconcurrency: x\n",
    on: str = "on: push\n",
) -> str:
    return (
        f"name: w\n{on}{header}jobs:\n  deploy:\n    runs-on: ubuntu-24.04\n"
        f"    timeout-minutes: 10\n    {env}\n    permissions:\n      contents: read\n"
        f"      {perms}\n    steps:\n" + steps
    )


CONFIGURE_STEP = f"""\
      - uses: {CONFIGURE}
        with:
          role-to-assume: ${{{{ vars.ROLE }}}}
          aws-region: eu-west-1
"""
APPLY = "      - run: terraform apply -auto-approve\n"


def rules(tmp_path: Path, text: str, name: str = "deploy-dev.yml") -> list[tuple[str, int]]:
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True, exist_ok=True)
    (wf / name).write_text(text, encoding="utf-8")
    out = check_policy(tmp_path)
    return [(f.rule, f.line) for f in out.findings if f.rule != "BBWS000"]


def test_compliant_job(tmp_path: Path) -> None:
    assert rules(tmp_path, workflow(CONFIGURE_STEP + VALIDATE + APPLY)) == []


def test_aws_before_validation(tmp_path: Path) -> None:
    found = rules(tmp_path, workflow(CONFIGURE_STEP + APPLY + VALIDATE))
    assert [r for r, _ in found] == ["BBWS007"]


def test_validation_before_credentials(tmp_path: Path) -> None:
    found = rules(tmp_path, workflow(VALIDATE + CONFIGURE_STEP + APPLY))
    assert [r for r, _ in found] == ["BBWS007"]


def test_validation_step_that_does_not_compare(tmp_path: Path) -> None:
    weak = "      - name: Validate AWS account\n        run: aws sts get-caller-identity\n"
    found = rules(tmp_path, workflow(CONFIGURE_STEP + weak + APPLY))
    assert [r for r, _ in found] == ["BBWS006"]


@pytest.mark.parametrize(
    "run,expected",
    [
        ("python -m bbws_scaffold.runtime guard --env dev", []),
        ("bbws-runtime --config deploy/environments.json guard --env dev", []),
        ("python -m bbws_scaffold.runtime rollback --env dev --list", ["BBWS006"]),
        ("echo bbws-runtime guard", ["BBWS006"]),
    ],
)
def test_runtime_guard_is_an_account_validation(tmp_path: Path, run: str, expected: list[str]) -> None:
    guard = f"      - name: Validate AWS account\n        id: validate-account\n        run: {run}\n"
    found = rules(tmp_path, workflow(CONFIGURE_STEP + guard + APPLY))
    assert [r for r, _ in found] == expected


def test_missing_oidc_and_id_token(tmp_path: Path) -> None:
    static = f"""\
      - uses: {CONFIGURE}
        with:
          aws-access-key-id: ${{{{ secrets.KEY }}}}
          aws-region: eu-west-1
"""
    found = rules(tmp_path, workflow(static + VALIDATE + APPLY, perms="pull-requests: read"))
    assert sorted(r for r, _ in found) == ["BBWS003", "BBWS004", "BBWS005"]


def test_static_credentials_anywhere(tmp_path: Path) -> None:
    text = workflow(CONFIGURE_STEP + VALIDATE + APPLY).replace(
        "    steps:", "    env:\n      AWS_SECRET_ACCESS_KEY: x\n    steps:"
    )
    assert [r for r, _ in rules(tmp_path, text)] == ["BBWS003"]


@pytest.mark.parametrize(
    "name,env,expected",
    [
        ("promote-prod.yml", "environment: prod", []),
        ("promote-prod.yml", "environment: sit", ["BBWS008"]),
        ("promote-sit.yml", "continue-on-error: false", ["BBWS008"]),
        ("deploy-dev.yml", "continue-on-error: false", []),
        ("promote-prod.yml", "environment:\n      name: prod", []),
        ("promote-prod.yml", "environment: prod-hotfix", []),
        ("promote-prod.yml", "environment: sit-hotfix", ["BBWS008"]),
        ("promote-prod.yml", "environment: production2", ["BBWS008"]),
    ],
)
def test_environment_gate(tmp_path: Path, name: str, env: str, expected: list[str]) -> None:
    found = rules(tmp_path, workflow(CONFIGURE_STEP + VALIDATE + APPLY, env=env), name)
    assert [r for r, _ in found] == expected


def test_environment_from_choice_input(tmp_path: Path) -> None:
    on = (
        "on:\n  workflow_dispatch:\n    inputs:\n      environment:\n        type: choice\n"
        "        options: [dev, sit, prod]\n"
    )
    steps = (
        CONFIGURE_STEP
        + VALIDATE
        + (
            "      - env:\n          TARGET: ${{ inputs.environment }}\n"
            '        run: terraform apply -var-file="environments/${TARGET}.tfvars"\n'
        )
    )
    fixed = rules(tmp_path, workflow(steps, on=on, env="environment: prod"), "rollback.yml")
    assert [r for r, _ in fixed] == ["BBWS008"]
    none = rules(tmp_path, workflow(steps, on=on, env="continue-on-error: false"), "rollback.yml")
    assert [r for r, _ in none] == ["BBWS008"]
    dynamic = rules(tmp_path, workflow(steps, on=on, env="environment: ${{ inputs.environment }}"), "rollback.yml")
    assert dynamic == []


def test_pinning_and_top_level(tmp_path: Path) -> None:
    text = f"""\
name: ci
on: push
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@{SHA}
      - uses: actions/setup-python@v5
      - uses: ./.github/actions/local
      - uses: docker://alpine:3.20
      - uses: actions/cache@{SHA[:12]}
  b:
    uses: org/repo/.github/workflows/x.yml@main
"""
    found = rules(tmp_path, text, "ci.yml")
    assert sorted(found) == [
        ("BBWS001", 10),
        ("BBWS001", 13),
        ("BBWS001", 15),
        ("BBWS002", 3),
        ("BBWS009", 6),
        ("BBWS010", 1),
    ]


def test_invalid_yaml(tmp_path: Path) -> None:
    assert rules(tmp_path, "jobs: [\n", "ci.yml") == [("BBWS011", 2)]


@pytest.mark.parametrize(
    "script,touches",
    [
        ("terraform fmt -check -recursive", False),
        ("terraform init -backend=false -input=false\nterraform validate", False),
        ("terraform -chdir=terraform plan -out=x", True),
        ('terraform init -backend-config="backend/dev.hcl"', True),
        ("aws --version", False),
        ("aws s3 cp a s3://b/", True),
        ("echo deploying  # aws s3 ls in a comment", False),
        ("python -m bbws_scaffold.runtime.deploy --env dev", True),
        ("pytest -q", False),
    ],
)
def test_what_touches_aws(script: str, touches: bool) -> None:
    assert run_touches_aws(textwrap.dedent(script)) is touches
