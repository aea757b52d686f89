"""End-to-end: the gate with the real tools on a good repo and on planted defects.

The good fixture (``fixtures/good_repo``) is what a generated repo must look like to
pass every tool; the bad copy plants exactly one defect of each kind and the gate
must report each with the right tool and file -- and nothing else.
"""

from __future__ import annotations

import pytest

from bbws_scaffold.pipeline.findings import Finding, GateResult
from bbws_scaffold.pipeline.gate import CHECK_NAMES

from .helpers import copy_good_repo, gate, replace_once

pytestmark = pytest.mark.e2e

FAKE_KEY = "AKIA" + "Z7Q3RJ5WXL2HN4TB"  # assembled at run time: no key in this file


@pytest.fixture(scope="module")
def good_result(tmp_path_factory: pytest.TempPathFactory) -> GateResult:
    return gate(copy_good_repo(tmp_path_factory.mktemp("good")))


@pytest.fixture(scope="module")
def bad_result(tmp_path_factory: pytest.TempPathFactory) -> GateResult:
    repo = copy_good_repo(tmp_path_factory.mktemp("bad"))
    # 1. unpinned action
    replace_once(
        repo / ".github/workflows/ci.yml",
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2",
        "actions/checkout@v4",
    )
    # 2. `*` IAM action
    replace_once(repo / "terraform/iam.tf", 'actions   = ["sqs:SendMessage"]', 'actions   = ["*"]')
    # 3. misspelt Terraform argument (same length: stays terraform-fmt clean)
    replace_once(repo / "terraform/lambda.tf", "  memory_size ", "  memory_sise ")
    # 4. no account validation before AWS actions
    deploy = repo / ".github/workflows/deploy-dev.yml"
    text = deploy.read_text(encoding="utf-8")
    start = text.index("      - name: Validate AWS account")
    end = text.index("      - name: Terraform plan")
    deploy.write_text(text[:start] + text[end:], encoding="utf-8")
    # 5. an AWS access key in code
    (repo / "src/utils/settings.py").write_text(
        f'"""Settings."""\n\nFALLBACK_ACCESS_KEY_ID = "{FAKE_KEY}"\n', encoding="utf-8"
    )
    return gate(repo)


def _table(findings: tuple[Finding, ...]) -> str:
    return "\n".join(f"{f.tool} {f.location} {f.rule} {f.message}" for f in findings)


# ----------------------------------------------------------------------------- good repo


def test_good_repo_has_zero_findings(good_result: GateResult) -> None:
    assert good_result.findings == (), "\n" + _table(good_result.findings)
    assert good_result.exit_code == 0


def test_good_repo_ran_every_check(good_result: GateResult) -> None:
    assert good_result.checks == CHECK_NAMES
    assert {s.tool for s in good_result.stats} == set(CHECK_NAMES)
    for s in good_result.stats:
        if s.tool != "detect-secrets":
            assert s.checked > 0, f"{s.tool} looked at nothing: {s.summary()}"


def test_good_repo_checkov_counts(good_result: GateResult) -> None:
    stats = good_result.stats_for("checkov")
    assert stats is not None
    assert stats.failed == 0
    assert stats.passed is not None and stats.passed >= 60
    # every skip in the fixture carries a reason (else it would be a finding)
    assert stats.skipped == 6, stats.summary()
    assert "passed" in stats.summary() and "skipped" in stats.summary()


# ----------------------------------------------------------------------------- planted defects


def _find(result: GateResult, tool: str, file: str, rule: str | None = None) -> list[Finding]:
    return [f for f in result.findings if f.tool == tool and f.file == file and (rule is None or f.rule == rule)]


def test_unpinned_action_reported_by_policy_and_zizmor(bad_result: GateResult) -> None:
    policy = _find(bad_result, "bbws-policy", ".github/workflows/ci.yml", "BBWS001")
    assert [f.line for f in policy] == [23], _table(bad_result.findings)
    assert "actions/checkout@v4" in policy[0].message
    assert _find(bad_result, "zizmor", ".github/workflows/ci.yml", "unpinned-uses")


def test_star_iam_action_reported_by_checkov(bad_result: GateResult) -> None:
    hits = _find(bad_result, "checkov", "terraform/iam.tf")
    assert {f.rule for f in hits} >= {"CKV_AWS_49"}, _table(bad_result.findings)
    assert all("aws_iam_policy_document.lambda" in f.message for f in hits)


def test_misspelt_argument_reported_with_line(bad_result: GateResult) -> None:
    hits = _find(bad_result, "tf-schema", "terraform/lambda.tf", "unknown-argument")
    assert len(hits) == 1, _table(bad_result.findings)
    assert hits[0].line == 12
    assert "`memory_sise`" in hits[0].message and "memory_size" in hits[0].message
    # Terraform itself (offline provider) says the same at the same line, once per command
    validate = [f for f in bad_result.findings_for("terraform-validate") if f.file == "terraform/lambda.tf"]
    assert [(f.line, f.message.split(":")[0]) for f in validate] == [(12, "Unsupported argument")]
    plans = [f for f in bad_result.findings_for("terraform-plan") if f.file == "terraform/lambda.tf"]
    assert sorted(f.rule for f in plans) == ["dev: error", "prod: error", "sit: error"]
    assert {f.line for f in plans} == {12}


def test_missing_account_check_reported(bad_result: GateResult) -> None:
    hits = _find(bad_result, "bbws-policy", ".github/workflows/deploy-dev.yml", "BBWS006")
    assert len(hits) == 1, _table(bad_result.findings)


def test_access_key_in_code_reported(bad_result: GateResult) -> None:
    hits = _find(bad_result, "detect-secrets", "src/utils/settings.py")
    assert [f.line for f in hits] == [3], _table(bad_result.findings)
    assert FAKE_KEY not in hits[0].message  # never echo the secret


def test_defects_cause_nothing_else(bad_result: GateResult) -> None:
    touched = {
        ".github/workflows/ci.yml",
        ".github/workflows/deploy-dev.yml",
        "terraform/iam.tf",
        "terraform/lambda.tf",
        "src/utils/settings.py",
    }
    stray = [f for f in bad_result.findings if f.file not in touched]
    assert not stray, _table(tuple(stray))
    assert bad_result.exit_code == 1
