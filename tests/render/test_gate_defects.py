"""Issue 4: one known defect of each kind planted in a generated repo, each one reported.

The repo is rendered from the CRUD example, then: an unpinned action, a ``*`` IAM action, a
misspelt Terraform argument, a deploy job without its account check, and an AWS access key in
code. The real gate runs once over the result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bbws_scaffold.pipeline.findings import Finding, GateResult
from bbws_scaffold.pipeline.report import render_table
from bbws_scaffold.render.new import render
from tests.paths import CATALOGUE_LLD
from tests.pipeline.helpers import gate, replace_once
from tests.render.specs import load_spec

pytestmark = pytest.mark.e2e

FAKE_KEY = "AKIA" + "QW3RTY7UIOP4SDFG"  # split so this file does not trip scanners itself
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> GateResult:
    repo = render(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("o"))
    replace_once(repo / ".github/workflows/ci.yml", CHECKOUT, "actions/checkout@v4")
    replace_once(repo / "terraform/iam.tf", '"dynamodb:GetItem",', '"*",')
    replace_once(repo / "terraform/lambda.tf", "  memory_size   = each.value", "  memory_sise   = each.value")
    deploy = repo / ".github/workflows/deploy-dev.yml"
    text = deploy.read_text(encoding="utf-8")
    start, end = text.index("      - name: Validate AWS account"), text.index("      - name: Deploy to DEV")
    deploy.write_text(text[:start] + text[end:], encoding="utf-8")
    (repo / "src/utils/settings.py").write_text(
        f'"""Settings."""\n\nFALLBACK_KEY_ID = "{FAKE_KEY}"\n', encoding="utf-8"
    )
    return gate(repo)


def result_repo(result: GateResult) -> Path:
    return Path(result.repo)


def hits(result: GateResult, tool: str, file: str) -> list[Finding]:
    return [f for f in result.findings if f.tool == tool and f.file == file]


def test_unpinned_action(result: GateResult) -> None:
    assert any("actions/checkout@v4" in f.message for f in hits(result, "bbws-policy", ".github/workflows/ci.yml"))
    assert hits(result, "zizmor", ".github/workflows/ci.yml"), render_table(result.findings)


def test_star_iam_action(result: GateResult) -> None:
    assert {f.rule for f in hits(result, "checkov", "terraform/iam.tf")} & {"CKV_AWS_49", "CKV_AWS_107", "CKV_AWS_111"}


def test_misspelt_terraform_argument(result: GateResult) -> None:
    (hit,) = hits(result, "tf-schema", "terraform/lambda.tf")
    lines = (result_repo(result) / "terraform/lambda.tf").read_text(encoding="utf-8").splitlines()
    assert "memory_sise" in hit.message and "memory_sise" in lines[hit.line - 1]


def test_missing_account_check(result: GateResult) -> None:
    assert [f.rule for f in hits(result, "bbws-policy", ".github/workflows/deploy-dev.yml")] == ["BBWS006"]


def test_aws_key_in_code(result: GateResult) -> None:
    (hit,) = hits(result, "detect-secrets", "src/utils/settings.py")
    assert hit.line == 3 and FAKE_KEY not in hit.message


def test_nothing_else_is_reported(result: GateResult) -> None:
    touched = {
        ".github/workflows/ci.yml",
        ".github/workflows/deploy-dev.yml",
        "terraform/iam.tf",
        "terraform/lambda.tf",
        "src/utils/settings.py",
    }
    assert not [f for f in result.findings if f.file not in touched], render_table(result.findings)
    assert result.exit_code == 1
