"""Promotion by release: the package promoted is the GitHub Release's asset, and the runtime takes it
only when its digest is the one DEV recorded for the release's commit (moto + the GitHub double).

What the promote workflow does between the two (scripts/release-asset.sh: download the release's
lambda.zip and lambda.zip.sha256, ``sha256sum --check``, the tag's commit as the version) is done
here by reading the uploaded assets back from the double.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from pathlib import Path

import pytest

from bbws_scaffold.runtime import release
from bbws_scaffold.runtime.deploy import deploy, promote
from bbws_scaffold.runtime.errors import Refused
from bbws_scaffold.runtime.github import GitHubRelease
from bbws_scaffold.runtime.records import SUCCEEDED, RecordStore
from tests.gitrepo import commit_all, git
from tests.publish.github_double import GitHubDouble
from tests.runtime.conftest import package

ORG, NAME = "BigBeardWebSolutions", "catalogue"


def _release_asset(double: GitHubDouble, tag: str, dist: Path) -> tuple[Path, str]:
    """What scripts/release-asset.sh leaves: dist/lambda.zip checked against its .sha256; the commit."""
    rel = next(r for r in double.repos[(ORG, NAME)].releases if r["tag_name"] == tag)
    assets = {a["name"]: a["data"] for a in rel["assets"]}
    dist.mkdir(exist_ok=True)
    zip_path = dist / "lambda.zip"
    zip_path.write_bytes(assets["lambda.zip"])
    expected, name = assets["lambda.zip.sha256"].decode().split()
    assert (name, hashlib.sha256(zip_path.read_bytes()).hexdigest()) == ("lambda.zip", expected)
    return zip_path, str(rel["target_commitish"])


@pytest.mark.e2e
def test_promote_takes_the_release_asset_dev_recorded_and_refuses_another(
    cfg, manifest, accounts, run, tmp_path
):  # noqa: ANN001 - fixtures
    dev, sit = accounts("dev"), accounts("sit")
    repo = tmp_path / "service"
    repo.mkdir()
    (repo / "handler.txt").write_text("v1\n")
    commit_all(repo, "feat: first version")
    build = tmp_path / "build"
    build.mkdir()
    token = "ghp_" + secrets.token_hex(18)

    def to_sit(art: Path, version: str):  # noqa: ANN202 - a DeploymentRecord
        kw = {"run": run, "session": sit.session, "source_session": dev.session}
        return promote(cfg, manifest, "dev", "sit", artifact=art, version=version, **kw)

    with GitHubDouble(tmp_path, token) as double:
        double.add_repo(ORG, NAME)
        gh = GitHubRelease(double.api_url, f"{ORG}/{NAME}", token)

        # v0.1.0: DEV deployed commit S1 with package A (commit time recorded), released with A
        a = package("A")
        dev.create_functions(a)
        sit.create_functions(a)
        (build / "lambda.zip").write_bytes(a)
        s1 = git(repo, "rev-parse", "HEAD").strip()
        committed = git(repo, "log", "-1", "--format=%cI").strip()
        deploy(
            cfg,
            manifest,
            "dev",
            artifact=build / "lambda.zip",
            version=s1,
            run=replace(run, commit_time=committed),
            session=dev.session,
        )
        (dev_record,) = RecordStore(dev.session).history("catalogue", "dev")
        assert (dev_record.version, dev_record.commit_time) == (s1, committed)
        assert release.create(repo, artifact=build / "lambda.zip", github=gh, on_github=True).tag == "v0.1.0"

        art, version = _release_asset(double, "v0.1.0", tmp_path / "dist")
        assert version == s1
        record = to_sit(art, version)
        assert (record.env, record.version, record.outcome) == ("sit", s1, SUCCEEDED)
        assert record.artifact_digest == dev_record.artifact_digest

        # v0.2.0: DEV deployed commit S2 with package C, but the release carries package B
        (repo / "handler.txt").write_text("v2\n")
        commit_all(repo, "feat: second version")
        s2 = git(repo, "rev-parse", "HEAD").strip()
        c = package("C")
        dev.update_code(c)
        (build / "lambda.zip").write_bytes(c)
        deploy(cfg, manifest, "dev", artifact=build / "lambda.zip", version=s2, run=run, session=dev.session)
        (build / "lambda.zip").write_bytes(package("B"))
        assert release.create(repo, artifact=build / "lambda.zip", github=gh, on_github=True).tag == "v0.2.0"

        art, version = _release_asset(double, "v0.2.0", tmp_path / "dist")
        assert version == s2
        with pytest.raises(Refused, match="is not the one dev accepted"):
            to_sit(art, version)
        assert [r.version for r in RecordStore(sit.session).history("catalogue", "sit")] == [s1]
