"""``bootstrap --terraform``: the bootstrap roots applied for real, then audited by checkov and parliament.

The catalogue example is rendered once and its dev roots are written through the CLI; the real
``terraform`` binary then runs ``init``, ``validate``, ``apply`` and ``plan -detailed-exitcode``
against the offline AWS provider, and the resulting state is checked against what AWS, GitHub and
the LLD document, spelled out by hand:

- the LLD's repository is ``2_bbws_catalogue_lambda`` (org BigBeardWebSolutions), its service
  ``catalogue``; GitHub's OIDC token for a job in an environment has ``aud = sts.amazonaws.com``
  and ``sub = repo:OWNER/REPO:environment:NAME``, issued by ``https://token.actions.githubusercontent.com``;
- the shipped environments.yaml puts dev in account 536580886816, eu-west-1, with ``bbws-terraform-
  state-{env}``, ``bbws-terraform-locks-{env}``, ``bbws-deployments``, ``bbws-deployments-reader``,
  ``bbws-deployments-{env}`` and ``bbws-{service}-deploy``; sit (promoted from dev) is 815856636111;
- S3: a TLS-only bucket denies ``aws:SecureTransport = false``; a state lock table has the string
  hash key ``LockID`` (Terraform's S3 backend documentation).
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import hcl2
import pytest
from parliament import analyze_policy_string, enhance_finding

from bbws_scaffold.bootstrap import build_plan
from bbws_scaffold.bootstrap_terraform import MANIFEST, PARTS, root_files, write_root
from bbws_scaffold.errors import ConfigError
from bbws_scaffold.hcl import Block, render
from bbws_scaffold.pipeline import offline_provider
from bbws_scaffold.pipeline.checkov import check_checkov
from bbws_scaffold.pipeline.tf_offline import OfflineTerraform
from bbws_scaffold.pipeline.tools import ToolMissing, resolve, tool_env
from bbws_scaffold.plan.answers import answers_data
from bbws_scaffold.render.new import render as render_repo
from tests.paths import CATALOGUE_LLD, ROOT
from tests.render.specs import load_spec
from tests.test_deploy_role import PREFERENCES_LLD

ORG = "BigBeardWebSolutions"
REPO = f"{ORG}/2_bbws_catalogue_lambda"
DEV, SIT = "536580886816", "815856636111"
OIDC = "token.actions.githubusercontent.com"
OIDC_ARN = f"arn:aws:iam::{DEV}:oidc-provider/{OIDC}"
TYPES = {"aws_lambda_function", "aws_dynamodb_table", "aws_iam_role"}


def _terraform() -> tuple[str, ...]:
    if offline_provider.available() is not None:
        pytest.skip(f"offline provider unavailable: {offline_provider.available()}")
    try:
        return resolve("terraform").argv
    except ToolMissing as exc:
        pytest.skip(str(exc))


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bbws_scaffold.cli", "bootstrap", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_repo(load_spec(CATALOGUE_LLD), tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def written(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``bootstrap --env dev --part P --terraform OUT/P/terraform`` for both parts (a ``terraform/``
    folder, the layout the gate's checkov and offline-terraform checks read)."""
    out = tmp_path_factory.mktemp("bootstrap")
    for part in PARTS:
        res = _cli(repo, "--env", "dev", "--part", part, "--terraform", out / part / "terraform")
        assert res.returncode == 0, res.stderr
    return {part: out / part for part in PARTS}


@pytest.fixture(scope="module")
def applied(written: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Each root through init, validate, apply and a second plan; the state as ``show -json`` has it."""
    terraform = _terraform()
    out: dict[str, dict[str, Any]] = {}
    for part, root in written.items():
        with OfflineTerraform(root, terraform) as tf:
            assert tf.init_findings == [] and tf.validate() == [], part
            start = time.monotonic()
            apply = tf.run(["apply", "-auto-approve", "-input=false", "-no-color"])
            seconds = time.monotonic() - start
            assert apply.returncode == 0, apply.stderr
            again = tf.run(["plan", "-detailed-exitcode", "-input=false", "-no-color"])
            state = json.loads(tf.run(["show", "-json"]).stdout)
        resources = {r["address"]: r["values"] for r in state["values"]["root_module"]["resources"]}
        out[part] = {"plan_exit": again.returncode, "plan": again.stdout, "resources": resources, "apply_s": seconds}
    return out


def _of_type(resources: dict[str, Any], type_: str) -> dict[str, Any]:
    return {address: values for address, values in resources.items() if address.split(".")[0] == type_}


def _one(resources: dict[str, Any], type_: str, **match: Any) -> dict[str, Any]:
    found = [v for v in _of_type(resources, type_).values() if all(v.get(k) == x for k, x in match.items())]
    assert len(found) == 1, (type_, match, list(_of_type(resources, type_)))
    return found[0]


# -- apply ---------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_both_roots_apply_and_a_second_plan_changes_nothing(applied: dict[str, dict[str, Any]]) -> None:
    for part, result in applied.items():
        assert result["plan_exit"] == 0, (part, result["plan"][-2000:])  # 2 would mean changes


@pytest.mark.e2e
def test_the_state_bucket_is_versioned_kms_encrypted_private_and_tls_only(applied: dict[str, Any]) -> None:
    res = applied["account"]["resources"]
    bucket = _one(res, "aws_s3_bucket", bucket="bbws-terraform-state-dev")
    assert bucket["region"] == "eu-west-1"
    ref = bucket["id"]  # every setting is a resource of its own, pointed at the bucket
    versioning = _one(res, "aws_s3_bucket_versioning", bucket=ref)
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    (rule,) = _one(res, "aws_s3_bucket_server_side_encryption_configuration", bucket=ref)["rule"]
    assert rule["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    assert rule["bucket_key_enabled"] is True
    block = _one(res, "aws_s3_bucket_public_access_block", bucket=ref)
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    assert all(block[f] is True for f in flags)
    policy = json.loads(_one(res, "aws_s3_bucket_policy", bucket=ref)["policy"])
    deny = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny and all(s["Principal"] == "*" and s["Action"] == "s3:*" for s in deny)
    (tls,) = deny
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = "arn:aws:s3:::bbws-terraform-state-dev"
    assert sorted(tls["Resource"]) == [arn, arn + "/*"]  # the bucket and every object in it
    assert _one(res, "aws_s3_bucket_ownership_controls", bucket=ref)["rule"][0]["object_ownership"] == (
        "BucketOwnerEnforced"
    )


@pytest.mark.e2e
def test_the_lock_and_records_tables(applied: dict[str, Any]) -> None:
    res = applied["account"]["resources"]
    lock = _one(res, "aws_dynamodb_table", name="bbws-terraform-locks-dev")
    assert (lock["hash_key"], lock["range_key"], lock["billing_mode"]) == ("LockID", None, "PAY_PER_REQUEST")
    assert lock["attribute"] == [{"name": "LockID", "type": "S"}]
    records = _one(res, "aws_dynamodb_table", name="bbws-deployments")
    assert (records["hash_key"], records["range_key"]) == ("pk", "sk")
    assert sorted(a["name"] for a in records["attribute"]) == ["pk", "sk"]
    for table in (lock, records):
        assert table["server_side_encryption"][0]["enabled"] is True
        assert table["point_in_time_recovery"][0]["enabled"] is True
        assert table["region"] == "eu-west-1"
    assert len(_of_type(res, "aws_dynamodb_table")) == 2


@pytest.mark.e2e
def test_the_github_oidc_provider(applied: dict[str, Any]) -> None:
    (provider,) = _of_type(applied["account"]["resources"], "aws_iam_openid_connect_provider").values()
    assert provider["url"] == f"https://{OIDC}"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    assert not provider["thumbprint_list"]  # optional in aws 6.x: IAM trusts GitHub's CA itself


def _trust(role: dict[str, Any]) -> dict[str, Any]:
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    return dict(statement)


def _principals(statement: dict[str, Any]) -> dict[str, list[str]]:
    """IAM reads a single principal and a list of one alike."""
    return {k: [v] if isinstance(v, str) else sorted(v) for k, v in statement["Principal"].items()}


@pytest.mark.e2e
def test_the_deploy_role_is_trusted_only_by_this_repo_in_dev(applied: dict[str, Any]) -> None:
    res = applied["service"]["resources"]
    role = _one(res, "aws_iam_role", name="bbws-catalogue-deploy")
    trust = _trust(role)
    assert _principals(trust) == {"Federated": [OIDC_ARN]}
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert set(trust["Condition"]) == {"StringEquals"}  # no StringLike: no wildcard subject
    assert trust["Condition"]["StringEquals"] == {
        f"{OIDC}:aud": "sts.amazonaws.com",
        # the environment and its hotfix twin (environments.yaml: hotfix_github_environment)
        f"{OIDC}:sub": [f"repo:{REPO}:environment:dev", f"repo:{REPO}:environment:dev-hotfix"],
    }


@pytest.mark.e2e
def test_every_deploy_policy_is_attached_within_iam_limits(applied: dict[str, Any]) -> None:
    res = applied["service"]["resources"]
    role = _one(res, "aws_iam_role", name="bbws-catalogue-deploy")
    policies = _of_type(res, "aws_iam_policy")
    attached = {a["policy_arn"] for a in _of_type(res, "aws_iam_role_policy_attachment").values()}
    assert {a["role"] for a in _of_type(res, "aws_iam_role_policy_attachment").values()} == {role["name"]}
    assert attached == {p["arn"] for p in policies.values()} and 1 <= len(policies) <= 10
    granted = set()
    for p in policies.values():
        doc = json.loads(p["policy"])
        assert len(json.dumps(doc, separators=(",", ":"))) <= 6144  # IAM's managed-policy size
        granted |= {a for s in doc["Statement"] for a in s["Action"]}
    # what the catalogue's terraform/ does needs at least these (state, lock, its functions)
    assert {"s3:GetObject", "s3:PutObject", "dynamodb:PutItem", "lambda:UpdateFunctionCode"} <= granted
    assert not any("*" in a for a in granted)
    # the service root holds its role only: nothing shared with other services in the account
    assert {address.split(".")[0] for address in res} == {
        "aws_iam_role",
        "aws_iam_policy",
        "aws_iam_role_policy_attachment",
    }


@pytest.mark.e2e
def test_the_records_reader_trusts_sit_deploy_roles_and_reads_only(applied: dict[str, Any]) -> None:
    res = applied["account"]["resources"]
    trust = _trust(_one(res, "aws_iam_role", name="bbws-deployments-reader"))
    assert _principals(trust) == {"AWS": [f"arn:aws:iam::{SIT}:root"]}
    assert trust["Condition"] == {"ArnLike": {"aws:PrincipalArn": [f"arn:aws:iam::{SIT}:role/bbws-*-deploy"]}}
    (inline,) = _of_type(res, "aws_iam_role_policy").values()
    (read,) = json.loads(inline["policy"])["Statement"]
    assert sorted(read["Action"]) == ["dynamodb:GetItem", "dynamodb:Query"]
    table = f"arn:aws:dynamodb:eu-west-1:{DEV}:table/bbws-deployments"
    assert sorted(read["Resource"]) == [table, table + "/index/*"]


@pytest.mark.e2e
def test_the_topic_and_the_api_gateway_logging_role(applied: dict[str, Any]) -> None:
    res = applied["account"]["resources"]
    topic = _one(res, "aws_sns_topic", name="bbws-deployments-dev")
    assert topic["kms_master_key_id"] == "alias/aws/sns" and topic["region"] == "eu-west-1"
    role = _one(res, "aws_iam_role", name="bbws-apigateway-cloudwatch")
    assert _principals(_trust(role)) == {"Service": ["apigateway.amazonaws.com"]}
    attachment = _one(res, "aws_iam_role_policy_attachment", role=role["name"])
    assert attachment["policy_arn"] == ("arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")
    (account,) = _of_type(res, "aws_api_gateway_account").values()
    assert account["cloudwatch_role_arn"] == role["arn"]


def test_the_provider_is_pinned_to_the_account_and_matches_the_service_roots(
    repo: Path, written: dict[str, Path]
) -> None:
    with (repo / "terraform" / "main.tf").open(encoding="utf-8") as fh:
        service_root = hcl2.load(fh)
    want = service_root["terraform"][0]["required_providers"][0]["aws"]
    for root in written.values():
        with (root / "terraform" / "main.tf").open(encoding="utf-8") as fh:
            doc = hcl2.load(fh)
        assert doc["terraform"][0]["required_providers"][0]["aws"] == want
        (provider,) = doc["provider"]  # python-hcl2 keeps a string literal's quotes
        aws = provider['"aws"']
        assert aws["allowed_account_ids"] == [f'"{DEV}"'] and aws["region"] == '"eu-west-1"'
        with (root / "terraform" / "backend.tf").open(encoding="utf-8") as fh:
            (backend,) = hcl2.load(fh)["terraform"][0]["backend"]
        assert list(backend) == ['"local"']  # the state bucket may not exist yet
        assert (root / "terraform" / "README.md").is_file()


def test_the_roots_are_laid_out_as_terraform_fmt_lays_them_out(written: dict[str, Path]) -> None:
    terraform = _terraform()
    for root in written.values():
        res = subprocess.run(
            [*terraform, "fmt", "-check", "-diff", "terraform"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            env=tool_env(),
        )
        assert res.returncode == 0, res.stdout[-2000:]


@pytest.mark.e2e
def test_everything_the_dry_run_lists_is_in_the_applied_state(repo: Path, applied: dict[str, Any]) -> None:
    res = _cli(repo, "--env", "dev", "--dry-run", "--json")
    assert res.returncode == 0, res.stderr
    plan = json.loads(res.stdout)
    names = {
        str(v.get(k))
        for v in applied["account"]["resources"].values()
        for k in ("bucket", "name", "url")
        if v.get(k) is not None
    }
    for listed in plan["resources"]:
        name = listed["name"]
        short = name.split(":role/")[-1] if ":role/" in name else name.rsplit(":", 1)[-1] if ":sns:" in name else name
        assert short in names, (listed["kind"], name)
    assert plan["deploy_role"]["name"] in {v.get("name") for v in applied["service"]["resources"].values()}


# -- two services, one account -------------------------------------------------------------------


def test_a_second_service_writes_the_same_account_root_and_its_own_service_root() -> None:
    """The account root is applied once per account: any service writing it must get the same
    text (else the second apply would fight the first); service roots share nothing."""
    catalogue = build_plan(answers_data(load_spec(CATALOGUE_LLD), ORG), "dev", TYPES)
    preferences = build_plan(answers_data(load_spec(PREFERENCES_LLD), ORG), "dev", TYPES)
    assert root_files(catalogue, "account")["main.tf"] == root_files(preferences, "account")["main.tf"]
    a, b = root_files(catalogue, "service")["main.tf"], root_files(preferences, "service")["main.tf"]
    assert '"bbws-catalogue-deploy"' in a and '"bbws-catalogue-deploy"' not in b
    for text in (a, b):
        assert "aws_s3_bucket" not in text and "aws_iam_openid_connect_provider" not in text
    assert "_bootstrap/service/catalogue.tfstate" in root_files(catalogue, "service", "s3")["backend.tf"]
    assert "_bootstrap/account/terraform.tfstate" in root_files(catalogue, "account", "s3")["backend.tf"]


def test_the_last_environment_gets_no_reader_role_nobody_would_assume() -> None:
    prod = build_plan(answers_data(load_spec(CATALOGUE_LLD), ORG), "prod", TYPES)  # nothing follows prod
    text = root_files(prod, "account")["main.tf"]
    assert "bbws-deployments-reader" not in text and "bbws-terraform-state-prod" in text


# -- checkov and parliament ----------------------------------------------------------------------


@pytest.mark.e2e
def test_checkov_passes_every_check_or_skips_it_with_a_reason(written: dict[str, Path]) -> None:
    try:
        checkov = resolve("checkov")
    except ToolMissing as exc:
        pytest.skip(str(exc))
    for part, root in written.items():
        out = check_checkov(root, checkov)  # also reports a skip without a reason
        assert out.findings == (), (part, out.findings)
        assert out.stats.failed == 0 and out.stats.passed > 0
        skips = len(re.findall(r"checkov:skip=", (root / "terraform" / "main.tf").read_text(encoding="utf-8")))
        assert out.stats.skipped == skips, part  # every skip matched a check it names


# Findings parliament 1.6.4 cannot get right, each matched exactly:
# - it knows SAML providers and four web-identity hosts, not IAM OIDC providers (GitHub's);
# - the condition keys of an OIDC provider are `<provider host>:aud`/`:sub` (IAM docs, "Available
#   keys for AWS OIDC federation"), which its per-action condition table does not list;
# - kms:TagResource on "*" beside kms:CreateKey: tagging a key as it is created, when it has no ARN
#   yet (the statement is bound by an aws:RequestTag/Service condition). See also _split_grant.
ACCEPTED = {
    ("UNKNOWN_FEDERATION_SOURCE", OIDC_ARN),
    ("UNKNOWN_CONDITION_FOR_ACTION", f"Unknown condition {OIDC}:aud for action sts:AssumeRoleWithWebIdentity"),
    ("UNKNOWN_CONDITION_FOR_ACTION", f"Unknown condition {OIDC}:sub for action sts:AssumeRoleWithWebIdentity"),
    ("RESOURCE_STAR", "['kms:TagResource']"),
}
POLICY_ATTRIBUTES = {
    "aws_iam_policy": "policy",
    "aws_iam_role_policy": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_iam_role": "assume_role_policy",
}


def _documents(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every policy document of a root. A trust policy is the role's own resource policy and has
    no Resource element (IAM: the role it is attached to is the resource): the audit adds the
    role's ARN so parliament checks its actions and principals instead of stopping at "malformed"."""
    docs = {}
    for address, values in resources.items():
        attr = POLICY_ATTRIBUTES.get(address.split(".")[0])
        if attr is None:
            continue
        doc = json.loads(values[attr])
        if attr == "assume_role_policy":
            role = f"arn:aws:iam::{DEV}:role/{values['name']}"
            doc["Statement"] = [{**s, "Resource": role} for s in doc["Statement"]]
        docs[f"{address}.{attr}"] = doc
    return docs


def _split_grant(doc: dict[str, Any], finding: Any) -> bool:
    """A RESOURCE_MISMATCH that is not one: an action needing two resource types (kms:CreateAlias
    needs the alias and the key, Service Authorization Reference) granted on each by a statement of
    its own (one of them tag-conditioned). IAM authorizes every resource of a request on its own,
    so the pair is complete; parliament judges each statement alone."""
    if finding.issue != "RESOURCE_MISMATCH" or not isinstance(finding.detail, list):
        return False

    def granted(action: str, fmt: str) -> bool:
        return any(
            action in _listed(s["Action"]) and any(fnmatch.fnmatchcase(r, fmt) for r in _listed(s["Resource"]))
            for s in doc["Statement"]
            if fmt != "*"  # an action IAM cannot scope must be granted on "*" itself
        )

    return all(granted(m["action"], m["required_format"]) for m in finding.detail)


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _parliament(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    found = [enhance_finding(f) for f in analyze_policy_string(json.dumps(doc)).findings]
    return [
        (f.issue, str(f.detail), f.severity)
        for f in found
        if (f.issue, str(f.detail)) not in ACCEPTED and not _split_grant(doc, f)
    ]


@pytest.mark.e2e
def test_parliament_finds_nothing_in_any_policy_of_the_roots(applied: dict[str, Any]) -> None:
    docs = {k: d for part in PARTS for k, d in _documents(applied[part]["resources"]).items()}
    kinds = {k.split(".")[0] for k in docs}
    assert kinds == set(POLICY_ATTRIBUTES), kinds  # every kind of document was audited
    # not even LOW: a misspelled action is LOW to parliament, and it must fail here
    assert {k: f for k, d in docs.items() if (f := _parliament(d))} == {}


def test_parliament_reports_a_misspelled_action_and_a_resource_it_cannot_apply_to() -> None:
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItems"],
                "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/t",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/t",
            },
        ],
    }
    issues = {issue for issue, _d, _s in _parliament(doc)}
    assert {"UNKNOWN_ACTION", "RESOURCE_MISMATCH"} <= issues
    # an alias granted without its key (or an unscopable action on one ARN) is still reported
    alias = {
        "Effect": "Allow",
        "Action": ["kms:CreateAlias"],
        "Resource": "arn:aws:kms:eu-west-1:123456789012:alias/x-*",
    }
    unscoped = {
        "Effect": "Allow",
        "Action": ["sns:Unsubscribe"],
        "Resource": "arn:aws:sns:eu-west-1:123456789012:x-alarms",
    }
    for statement in (alias, unscoped):
        found = _parliament({"Version": "2012-10-17", "Statement": [statement]})
        assert [issue for issue, _d, _s in found] == ["RESOURCE_MISMATCH"], found


# -- writing the root ----------------------------------------------------------------------------


def test_writing_refuses_foreign_or_edited_files_unless_forced(tmp_path: Path) -> None:
    plan = build_plan(answers_data(load_spec(CATALOGUE_LLD), ORG), "dev", TYPES)
    files = root_files(plan, "service")
    target = tmp_path / "root"
    write_root(target, files)
    write_root(target, files)  # the same text again: its own files, unchanged
    (target / "terraform.tfstate").write_text("{}", encoding="utf-8")  # Terraform's own files are fine
    (target / ".terraform").mkdir()
    write_root(target, root_files(plan, "service", "s3"))  # --backend s3 rewrites its own backend.tf
    assert 'backend "s3"' in (target / "backend.tf").read_text(encoding="utf-8")
    (target / "main.tf").write_text("# edited\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"main\.tf \(changed since"):
        write_root(target, files)
    write_root(target, files, force=True)
    assert (target / "main.tf").read_text(encoding="utf-8") == files["main.tf"]
    (target / "extra.tf").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"extra\.tf \(not written by bootstrap\)"):
        write_root(target, files)
    assert json.loads((target / MANIFEST).read_text(encoding="utf-8"))["files"].keys() == files.keys()


def test_writing_never_follows_a_link_out_of_the_directory(tmp_path: Path) -> None:
    plan = build_plan(answers_data(load_spec(CATALOGUE_LLD), ORG), "dev", TYPES)
    outside = tmp_path / "outside.tf"
    outside.write_text("keep\n", encoding="utf-8")
    target = tmp_path / "root"
    target.mkdir()
    (target / "main.tf").symlink_to(outside)
    for force in (False, True):
        with pytest.raises(ConfigError):
            write_root(target, root_files(plan, "account"), force=force)
    assert outside.read_text(encoding="utf-8") == "keep\n"


def test_the_cli_needs_a_part_and_one_mode(repo: Path, tmp_path: Path) -> None:
    res = _cli(repo, "--env", "dev", "--terraform", tmp_path / "x")
    assert res.returncode == 2 and "--part account" in res.stderr and not (tmp_path / "x").exists()
    res = _cli(repo, "--env", "dev", "--dry-run", "--terraform", tmp_path / "x", "--part", "account")
    assert res.returncode == 2 and not (tmp_path / "x").exists()  # argparse: not allowed together


# -- escaping ------------------------------------------------------------------------------------

TRICKY = ['${file("/etc/passwd")}', "%{ if true }x%{ endif }", 'a"b\\c', "line\nbreak\ttab", "$${x}", "\x01\x7f"]


def test_strings_reach_terraform_exactly_as_given(tmp_path: Path) -> None:
    """Terraform itself reads every string back unchanged: no interpolation, no directive."""
    terraform = _terraform()
    outputs = [Block("output", f"o{i}", body=[("value", text)]) for i, text in enumerate(TRICKY)]
    (tmp_path / "main.tf").write_text(render(outputs), encoding="utf-8")
    for args in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
        res = subprocess.run(
            [*terraform, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=tool_env()
        )
        assert res.returncode == 0, res.stderr
    res = subprocess.run(
        [*terraform, "output", "-json"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=tool_env()
    )
    got = {k: v["value"] for k, v in json.loads(res.stdout).items()}
    assert got == {f"o{i}": text for i, text in enumerate(TRICKY)}
