"""The generated README's "Zero to DEV" runbook, run as written, from a fresh render to a deployment.

Every ```bash block of the section runs in order with ``bash -e -o pipefail`` from the repository
root; nothing is re-typed, so a command the README names that does not exist, a flag a command no
longer takes, or a step in an order that cannot work (secrets before the environments, protection
before the branch) fails this test. What a developer's machine has and this one lacks stands in,
each for one documented thing:

- ``python3.X -m venv .venv``: a real virtualenv that also sees this test venv's packages (a
  ``.pth``); ``pip install -r requirements-dev.txt`` checks the file is there and installs nothing
  (no package index is reachable, and this venv's versions are not the generated pins). pip
  itself is real where the runbook calls it through ``python -m pip``: ``scripts/install-runtime.sh``
  installs the hash-locked boto3 from ``.tools/runtime-wheels`` with the index off.
- ``pre-commit``: its hooks are cloned from GitHub, which tests cannot reach; ``install`` is a no-op.
- ``terraform``: the real binary (``TF_CLI_ARGS_apply=-auto-approve`` types apply's "yes"), with the
  offline AWS provider (it records, creates nothing); the state bucket and lock table the account
  root "created" are made in moto's server, so the state migration to the s3 backend runs for real
  against it.
- GitHub: the REST API double on 127.0.0.1 (``GITHUB_API_URL``); pushes go to its bare remotes.
- What GitHub does on the push: the deploy-dev workflow's own steps run on a fresh clone of the
  pushed commit (``tests.runtime.test_deploy_path.Runner``), against moto, with the
  ``AWS_ROLE_ARN`` secret the publisher sealed; ``gh run list`` / ``gh run watch`` answer with
  that run.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import boto3
import pytest

from bbws_scaffold.pipeline import offline_provider
from bbws_scaffold.pipeline.tools import ToolMissing, resolve
from bbws_scaffold.render.new import render
from tests.gitrepo import git
from tests.paths import CATALOGUE_LLD, ROOT
from tests.publish.github_double import GitHubDouble
from tests.render.specs import load_spec
from tests.runtime.test_deploy_path import (  # noqa: F401 - api is a fixture
    Runner,
    _github,
    _session_in,
    _what_bootstrap_and_terraform_made,
    api,
)

pytestmark = pytest.mark.e2e

ORG = "BigBeardWebSolutions"
TEAMS = ["platform-engineering", "dev-leads", "business-owners", "tech-leads"]
WHEELS = ROOT / ".tools" / "runtime-wheels"
RUN_ID = "4242"
BLOCK = re.compile(r"^```bash\n(.*?)^```$", re.DOTALL | re.MULTILINE)

PYTHON_STAND_IN = f"""#!{sys.executable}
import os, subprocess, sys
from pathlib import Path
args = sys.argv[1:]
if args[:2] == ["-m", "venv"]:
    subprocess.run([{sys.executable!r}, "-m", "venv", "--without-pip", *args[2:]], check=True)
    target = Path(args[-1])
    purelib = next(target.glob("lib/python*/site-packages"))
    (purelib / "test-venv.pth").write_text({sysconfig.get_paths()["purelib"]!r} + "\\n")
    sys.exit(0)
os.execv({sys.executable!r}, [{sys.executable!r}, *args])
"""
PIP_STAND_IN = """#!/bin/sh
# pip install -r FILE: the files must exist; what they pin is installed by the generated repo's CI
[ "$1" = install ] && [ "$2" = -r ] && [ -f "$3" ] || exit 1
echo "test stand-in: pip $* (no package index here)"
"""
PRE_COMMIT_STAND_IN = '#!/bin/sh\necho "test stand-in: pre-commit $* (its hooks come from GitHub)"\n'
GH_STAND_IN = f"""#!/bin/sh
# gh run list ... --json databaseId --jq ...: the run the push started; gh run watch ID: its outcome
case "$1 $2" in
  "run list") echo "{RUN_ID}" ;;
  "run watch") [ "$4" = "{RUN_ID}" ] || [ "$3" = "{RUN_ID}" ] || exit 1; exec cat "$RUNBOOK_RUN_OUTCOME" >/dev/null ;;
  *) echo "gh stand-in: $*" >&2; exit 1 ;;
esac
"""


def runbook(readme: str) -> list[str]:
    """The ```bash blocks of the README's "Zero to ..." section, in order."""
    section = re.search(r"^## Zero to \w+\n(.*?)(?=^## )", readme, re.DOTALL | re.MULTILINE)
    assert section, "the README has no 'Zero to' section"
    return BLOCK.findall(section.group(1))


def _stand_ins(bin_dir: Path, python_version: str) -> None:
    bin_dir.mkdir()
    for name, text in (
        (f"python{python_version}", PYTHON_STAND_IN),
        ("pip", PIP_STAND_IN),
        ("pre-commit", PRE_COMMIT_STAND_IN),
        ("gh", GH_STAND_IN),
    ):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)


def _run(block: str, cwd: Path, env: dict[str, str], where: str) -> str:
    res = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", block],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert res.returncode == 0, f"{where} exited {res.returncode}:\n{block}\n{res.stdout[-4000:]}\n{res.stderr[-4000:]}"
    return res.stdout


@pytest.fixture
def double(tmp_path: Path) -> Any:
    token = "ghp_" + secrets.token_hex(18)
    (tmp_path / "remotes").mkdir()
    with GitHubDouble(tmp_path / "remotes", token) as d:
        d.add_org(ORG, TEAMS)
        yield d


def _terraform_dir() -> str:
    if offline_provider.available() is not None:
        pytest.skip(f"offline provider unavailable: {offline_provider.available()}")
    try:
        return str(Path(resolve("terraform").argv[0]).parent)
    except ToolMissing as exc:
        pytest.skip(str(exc))


def _state_in_moto(env: dict[str, Any]) -> None:
    """What the account root's apply made for the state (the offline provider creates nothing)."""
    region = env["state_region"]
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=env["state_bucket"], CreateBucketConfiguration={"LocationConstraint": region})
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=env["lock_table"],
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_zero_to_dev_as_the_readme_says(aws, double: Any, api: str, tmp_path: Path) -> None:  # noqa: ANN001, F811
    spec = load_spec(CATALOGUE_LLD)
    repo = render(spec, tmp_path / "out", org=ORG)
    blocks = runbook((repo / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) == 4, blocks  # set up, bootstrap, publish, watch

    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    _stand_ins(bin_dir, spec.runtime.python_version)
    home.mkdir()
    cli = offline_provider.install(tmp_path / "provider")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "PIP_", "VIRTUAL_ENV", "TF_"))}
    env.update(
        PATH=os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), _terraform_dir(), env["PATH"]]),
        HOME=str(home),
        TF_CLI_CONFIG_FILE=str(cli),
        TF_CLI_ARGS_apply="-auto-approve",  # the developer answering apply's "yes"
        GITHUB_API_URL=double.api_url,
        GITHUB_TOKEN=double.token,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELS),
        PIP_CONFIG_FILE=os.devnull,
        GIT_AUTHOR_NAME="Dev Eloper",
        GIT_AUTHOR_EMAIL="dev@example.com",
        GIT_COMMITTER_NAME="Dev Eloper",
        GIT_COMMITTER_EMAIL="dev@example.com",
        RUNBOOK_RUN_OUTCOME=str(tmp_path / "run-outcome"),
    )
    envs = json.loads((repo / "deploy" / "environments.json").read_text())["environments"]
    dev = envs["dev"]

    # 1. set up, test, commit
    _run(blocks[0], repo, {k: v for k, v in env.items() if not k.startswith("AWS_")}, "step 1")  # no account yet
    assert git(repo, "log", "--format=%s").strip() == "feat: scaffold the service from its LLD"

    # 2. bootstrap: both roots applied; the state moved into the bucket the account root made
    _state_in_moto(dev)
    _run(blocks[1], repo, env, "step 2")
    bootstrap = home / "bbws-bootstrap" / "dev"
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=dev["state_bucket"]).get("Contents", [])]
    assert len(keys) == 2 and all(k.startswith("_bootstrap/") for k in keys), keys
    service_state = json.loads(
        boto3.client("s3")
        .get_object(Bucket=dev["state_bucket"], Key=next(k for k in keys if "service" in k))["Body"]
        .read()
    )
    roles = [
        i["attributes"]["name"]
        for r in service_state["resources"]
        if r["type"] == "aws_iam_role"
        for i in r["instances"]
    ]
    assert roles, service_state["resources"]
    assert sorted((bootstrap / "account").iterdir()) and (bootstrap / spec.service_slug).is_dir()

    # 3. publish: environments, the deploy role as their secret, main pushed, then protected
    _run(blocks[2], repo, env, "step 3")
    published = double.repos[(ORG, spec.repo)]
    assert published.secrets["dev"]["AWS_ROLE_ARN"] == dev["deploy_role_arn"]
    # the role bootstrap created is the one the workflows will assume (by name: the offline
    # provider makes up the ARNs it computes)
    assert roles == [dev["deploy_role_arn"].rsplit("/", 1)[-1]]
    pushed = subprocess.run(
        ["git", "--git-dir", str(published.bare), "rev-parse", "refs/heads/main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert pushed == git(repo, "rev-parse", "HEAD").strip()
    assert "main" in published.protection

    # what GitHub does on that push: deploy-dev.yml's deploy job on a fresh clone of the commit
    clone = tmp_path / "runner" / "repo"
    subprocess.run(["git", "clone", "-q", "-b", "main", str(published.bare), str(clone)], check=True)
    values = {
        "github.sha": pushed,
        "job.status": "success",
        "secrets.AWS_ROLE_ARN": published.secrets["dev"]["AWS_ROLE_ARN"],
    }
    runner = Runner(clone, tmp_path / "runner", api, values)
    service = json.loads((clone / "deploy" / "service.json").read_text())
    account = _session_in(runner.root, dev)
    _what_bootstrap_and_terraform_made(account, "dev", dev, service)
    runner.run_job("deploy-dev.yml", "deploy", _github(pushed))
    Path(env["RUNBOOK_RUN_OUTCOME"]).write_text("success\n")

    # 4. watch: the run, then health and the recorded deployments, with the account's credentials
    creds = runner.root.client("sts").assume_role(RoleArn=dev["deploy_role_arn"], RoleSessionName="dev")["Credentials"]
    watch_env = env | {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
        "AWS_DEFAULT_REGION": dev["region"],
    }
    out = _run(blocks[3], repo, watch_env, "step 4")
    assert "live" in out and pushed[:7] in out, out
