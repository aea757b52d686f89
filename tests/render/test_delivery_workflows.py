"""The generated repo's delivery practice (issue 17) as its workflows and hooks spell it out:
conventional commits enforced twice (commit-msg hook, pull-request check, both commitizen),
a release after every DEV deploy, promotion by release version, a weekly DORA job, the coverage
threshold and the supply-chain scans. Read with the test's own YAML loader; commitizen is run for
real on the rendered pyproject.toml to show the rule the hook enforces."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import yamlio
from tests.gitrepo import commit_all
from tests.paths import CATALOGUE_LLD, ROOT

TRIVY = "aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25"  # tag v0.36.0


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bbws_scaffold.lld.parser import parse_file
    from bbws_scaffold.render.new import render

    return render(parse_file(CATALOGUE_LLD, []), tmp_path_factory.mktemp("delivery"), org="BigBeardWebSolutions")


def _wf(repo: Path, name: str) -> dict:
    return yamlio.load((repo / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def _runs(job: dict) -> list[str]:
    return [s.get("run", "") for s in job["steps"]]


def test_conventional_commits_are_checked_on_commit_and_on_pull_requests(repo: Path) -> None:
    hooks = yamlio.load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert "commit-msg" in hooks["default_install_hook_types"]
    (cz,) = [r for r in hooks["repos"] if r["repo"] == "https://github.com/commitizen-tools/commitizen"]
    assert cz["hooks"] == [{"id": "commitizen", "stages": ["commit-msg"]}]
    pinned = (repo / ".github" / "requirements-release.txt").read_text(encoding="utf-8")
    assert f"commitizen=={cz['rev'].removeprefix('v')}\n" in pinned  # hook and CI: the same commitizen

    job = _wf(repo, "ci.yml")["jobs"]["commits"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["steps"][0]["with"]["fetch-depth"] == 0  # the whole range must be there
    (check,) = [s for s in job["steps"] if "cz check" in s.get("run", "")]
    assert 'cz check --rev-range "${BASE_SHA}..${HEAD_SHA}"' in check["run"]
    assert check["env"] == {
        "BASE_SHA": "${{ github.event.pull_request.base.sha }}",
        "HEAD_SHA": "${{ github.event.pull_request.head.sha }}",
    }


CZ = shutil.which("cz") or str(ROOT / ".venv" / "bin" / "cz")


@pytest.mark.skipif(not Path(CZ).exists(), reason="commitizen (a project dependency) is not installed")
def test_the_rendered_commitizen_settings_refuse_a_non_conventional_message(repo: Path, tmp_path: Path) -> None:
    cz = CZ
    work = tmp_path / "r"
    shutil.copytree(repo, work)
    commit_all(work, "chore: scaffold")

    def check(message: str) -> int:
        return subprocess.run([cz, "check", "--message", message], cwd=work, capture_output=True).returncode

    assert check("feat(products): list by category") == 0
    assert check("fix!: prices in cents") == 0
    assert check("updated some stuff") != 0
    assert check("feature: not a conventional type") != 0


def test_releases_follow_dev_deploys_and_promotion_takes_a_release(repo: Path) -> None:
    deploy = _wf(repo, "deploy-dev.yml")["jobs"]
    rel = deploy["release"]
    assert rel["needs"] == "deploy" and rel["permissions"] == {"contents": "write"}
    assert rel["steps"][0]["with"]["fetch-depth"] == 0  # tags and commits since the last release
    assert _runs(rel)[-1] == "scripts/runtime.sh release create --on-github\n"
    assert "scripts/package.sh\n" in _runs(rel)  # the release asset is the reproducible package

    hotfix = _wf(repo, "hotfix.yml")["jobs"]["release"]
    assert hotfix["needs"] == "hotfix-dev" and _runs(hotfix) == _runs(rel)  # a hotfix is released too

    for name, lower, target in (("promote-sit.yml", "dev", "sit"), ("promote-prod.yml", "sit", "prod")):
        doc = _wf(repo, name)
        assert "vX.Y.Z" in doc["on"]["workflow_dispatch"]["inputs"]["version"]["description"]
        steps = doc["jobs"]["deploy"]["steps"]
        ids = [s.get("id") for s in steps]
        asset = steps[ids.index("release-asset")]
        assert asset["env"]["RELEASE"] == "${{ inputs.version }}"
        assert asset["run"] == 'scripts/release-asset.sh "${RELEASE}"\n'
        assert "scripts/package.sh\n" not in _runs(doc["jobs"]["deploy"])  # never rebuilt: the asset is deployed
        promote = next(s for s in steps if s.get("run", "").startswith(f"scripts/promote.sh {lower} {target}"))
        assert ids.index("release-asset") < steps.index(promote)
        assert promote["env"]["VERSION"] == "${{ steps.release-asset.outputs.commit }}"
    script = (repo / "scripts" / "release-asset.sh").read_text(encoding="utf-8")
    assert "sha256sum --check --strict lambda.zip.sha256" in script


def test_weekly_dora_metrics_go_to_the_job_summary(repo: Path) -> None:
    doc = _wf(repo, "metrics.yml")
    (cron,) = [c["cron"] for c in doc["on"]["schedule"]]
    minute, hour, dom, month, dow = cron.split()
    assert (dom, month) == ("*", "*") and re.fullmatch(r"[0-6]", dow)  # once a week
    job = doc["jobs"]["metrics"]
    assert job["environment"] == "prod"
    assert 'scripts/runtime.sh metrics --env prod --since 30d --summary "${GITHUB_STEP_SUMMARY}"\n' in _runs(job)


def test_coverage_threshold_and_supply_chain_scans(repo: Path) -> None:
    doc = _wf(repo, "ci.yml")
    # every generated repo passing its own threshold is test_new_e2e's check
    assert 0 < int(doc["env"]["COVERAGE_MIN"]) <= 100
    assert any('--cov-fail-under="${COVERAGE_MIN}"' in r for r in _runs(doc["jobs"]["test"]))
    scans = [s for s in doc["jobs"]["supply-chain"]["steps"] if s.get("uses", "").startswith("aquasecurity/")]
    assert [s["uses"] for s in scans] == [TRIVY, TRIVY]
    assert [s["with"]["scan-type"] for s in scans] == ["fs", "image"]
    for s in scans:
        assert (s["with"]["exit-code"], s["with"]["severity"]) == ("1", "${{ env.VULN_SEVERITY }}")
    assert set(doc["env"]["VULN_SEVERITY"].split(",")) <= {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
    build = next(r for r in _runs(doc["jobs"]["supply-chain"]) if "docker build" in r)
    assert scans[1]["with"]["image-ref"] in build
