"""The bootstrap plan as Terraform roots: what ``bbws-scaffold bootstrap --terraform DIR`` writes.

    files = account_root(plan) | service_root(plan)     # {file name: text}
    write_root(Path("DIR"), files, force=False)

Two roots, each with its own state, because their owners differ:

- ``--part account`` (:func:`account_root`): the resources every service in the account shares
  (state bucket, lock table, GitHub OIDC provider, deployment records, records reader, topic, API
  Gateway logging role and account setting). Applied once per account; its text depends only on
  the environments configuration, so every service repo writes the same root.
- ``--part service`` (:func:`service_root`): this repo's deploy role and its customer-managed
  policies. Each service applies its own, so a second service in the account neither re-creates
  nor fights over the shared resources (its plan cannot even see them).

The files are Terraform's native syntax built by :mod:`bbws_scaffold.hcl` (no text templating:
every string is an escaped literal), because checkov reads inline ``#checkov:skip`` reasons only
from ``.tf`` files (its ``.tf.json`` runner takes no suppressions). Every name comes from the plan,
that is from the environments configuration. State starts local (``backend.tf``): the bucket it
would live in is one of the things this root creates. ``--backend s3`` rewrites ``backend.tf`` for
``terraform init -migrate-state`` once the account root is applied.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from bbws_scaffold.bootstrap import (
    APIGATEWAY_LOGS_POLICY,
    APIGATEWAY_LOGS_ROLE,
    AccountResource,
    BootstrapPlan,
)
from bbws_scaffold.errors import ConfigError
from bbws_scaffold.hcl import Block, Call, Ref, render

PARTS = ("account", "service")
AWS_PROVIDER = {"source": "hashicorp/aws", "version": "~> 6.0"}  # what the generated service roots require
REQUIRED_TERRAFORM = ">= 1.6"
STATE_KEYS = {"account": "_bootstrap/account/terraform.tfstate", "service": "_bootstrap/service/{service}.tfstate"}
"""State object keys after migration: ``_`` cannot start a service name, so no service's own
``{service}/terraform.tfstate`` (nor its deploy role's state permissions) reaches them."""
MANIFEST = ".bbws-bootstrap.json"
TERRAFORM_OWN = (".terraform", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup")
NONCURRENT_DAYS = 90
NONCURRENT_KEPT = 10
ABORT_UPLOAD_DAYS = 7

Body = list[Any]


def _skip(check: str, reason: str) -> str:
    return f"checkov:skip={check}:{reason}"


def _resource(type_: str, name: str, body: Body, skips: list[str] | None = None) -> Block:
    return Block("resource", type_, name, body=body, comments=skips)


def _policy(doc: dict[str, Any]) -> Call:
    return Call("jsonencode", (doc,))


def _arn_part(arn: str, index: int) -> str:
    parts = arn.split(":", 5)
    if len(parts) != 6:
        raise ConfigError(f"bootstrap: {arn!r} is not an ARN")
    return parts[index]


def _same_account(plan: BootstrapPlan, arn: str, what: str) -> None:
    if _arn_part(arn, 4) != plan.account_id:
        raise ConfigError(f"bootstrap {plan.env}: {what} {arn} is not in the environment's account {plan.account_id}")


def _state_bucket(plan: BootstrapPlan, res: AccountResource) -> list[Block]:
    bucket, region = res.name, res.settings["region"]
    ref = Ref("aws_s3_bucket.state.id")
    tls_only = _document(
        {
            "Sid": "DenyWithoutTLS",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )

    def setting(type_: str, body: Body) -> Block:
        """One of the state bucket's settings resources (each names the bucket and its region)."""
        return _resource(type_, "state", [("region", region), ("bucket", ref), *body])

    return [
        _resource(
            "aws_s3_bucket",
            "state",
            [("region", region), ("bucket", bucket)],
            [
                _skip("CKV_AWS_18", "access logs need a second bucket; CloudTrail S3 data events audit state access"),
                _skip(
                    "CKV_AWS_144", "state is versioned; a replica region is an account decision, not a bootstrap one"
                ),
                _skip("CKV2_AWS_62", "nothing consumes state-object events"),
            ],
        ),
        setting(
            "aws_s3_bucket_ownership_controls",
            [Block("rule", body=[("object_ownership", "BucketOwnerEnforced")])],
        ),
        setting(
            "aws_s3_bucket_versioning",
            [Block("versioning_configuration", body=[("status", "Enabled")])],
        ),
        setting(
            "aws_s3_bucket_server_side_encryption_configuration",
            [
                Block(
                    "rule",
                    body=[
                        Block("apply_server_side_encryption_by_default", body=[("sse_algorithm", "aws:kms")]),
                        ("bucket_key_enabled", True),
                    ],
                ),
            ],
        ),
        setting(
            "aws_s3_bucket_public_access_block",
            [
                (flag, True)
                for flag in (
                    "block_public_acls",
                    "block_public_policy",
                    "ignore_public_acls",
                    "restrict_public_buckets",
                )
            ],
        ),
        setting(
            "aws_s3_bucket_policy",
            [
                ("policy", _policy(tls_only)),
                # S3 refuses policy and public-access-block changes that race each other
                ("depends_on", [Ref("aws_s3_bucket_public_access_block.state")]),
            ],
        ),
        setting(
            "aws_s3_bucket_lifecycle_configuration",
            [
                Block(
                    "rule",
                    body=[
                        ("id", "state-history"),
                        ("status", "Enabled"),
                        Block("filter", body=[("prefix", "")]),
                        Block(
                            "noncurrent_version_expiration",
                            body=[("noncurrent_days", NONCURRENT_DAYS), ("newer_noncurrent_versions", NONCURRENT_KEPT)],
                        ),
                        Block("abort_incomplete_multipart_upload", body=[("days_after_initiation", ABORT_UPLOAD_DAYS)]),
                    ],
                ),
                ("depends_on", [Ref("aws_s3_bucket_versioning.state")]),
            ],
        ),
    ]


def _table(name: str, res: AccountResource, region: str, keys: list[tuple[str, str]]) -> Block:
    body: Body = [("region", region), ("name", res.name), ("billing_mode", "PAY_PER_REQUEST")]
    body.append(("hash_key", keys[0][0]))
    if len(keys) > 1:
        body.append(("range_key", keys[1][0]))
    body += [Block("attribute", body=[("name", k), ("type", t)]) for k, t in keys]
    body += [
        Block("server_side_encryption", body=[("enabled", True)]),
        Block("point_in_time_recovery", body=[("enabled", True)]),
        ("deletion_protection_enabled", True),
    ]
    skip = _skip(
        "CKV_AWS_119",
        "KMS-encrypted with the AWS managed key (aws/dynamodb); a customer managed key would need a key policy "
        "naming every service's deploy role",
    )
    return _resource("aws_dynamodb_table", name, body, [skip])


def _lock_table(plan: BootstrapPlan, res: AccountResource) -> list[Block]:
    return [_table("lock", res, res.settings["region"], [("LockID", "S")])]


def _deployments_table(plan: BootstrapPlan, res: AccountResource) -> list[Block]:
    return [_table("deployments", res, plan.region, [("pk", "S"), ("sk", "S")])]


def _github_oidc(plan: BootstrapPlan, res: AccountResource) -> list[Block]:
    # thumbprint_list is optional in aws 6.x: IAM verifies GitHub's certificate through its own
    # trusted certificate authorities (it ignores thumbprints for this provider)
    return [
        _resource(
            "aws_iam_openid_connect_provider",
            "github",
            [("url", res.name), ("client_id_list", list(res.settings["client_ids"]))],
        )
    ]


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    """An IAM policy document of ``statements``."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _records_reader(plan: BootstrapPlan, res: AccountResource) -> list[Block]:
    _same_account(plan, res.name, "records_reader_role_arn")
    table = f"arn:aws:dynamodb:{plan.region}:{plan.account_id}:table/" + _deployments(plan).name
    trust = _document(
        {
            "Sid": "NextEnvironmentDeployRoles",
            "Effect": "Allow",
            "Principal": {"AWS": list(res.settings["trusted_by"])},
            "Action": "sts:AssumeRole",
            "Condition": res.settings["condition"],
        }
    )
    read = _document(
        {
            "Sid": "ReadDeploymentRecords",
            "Effect": "Allow",
            "Action": list(res.settings["permissions"]),
            "Resource": [table, f"{table}/index/*"],
        }
    )
    return [
        _resource(
            "aws_iam_role",
            "records_reader",
            [("name", res.name.rsplit("/", 1)[-1]), ("assume_role_policy", _policy(trust))],
            [
                _skip(
                    "CKV_AWS_61",
                    "trusts the next environment's account only where aws:PrincipalArn is one of its deploy roles "
                    "(ArnLike); a principal cannot hold the wildcard that covers services bootstrapped later",
                )
            ],
        ),
        _resource(
            "aws_iam_role_policy",
            "records_reader",
            [
                ("name", "read-deployment-records"),
                ("role", Ref("aws_iam_role.records_reader.id")),
                ("policy", _policy(read)),
            ],
        ),
    ]


def _deployments(plan: BootstrapPlan) -> AccountResource:
    return next(r for r in plan.resources if r.key == "deployments_table")


def _deployments_topic(plan: BootstrapPlan, res: AccountResource) -> list[Block]:
    _same_account(plan, res.name, "sns_topic_arn")
    body: Body = [("region", _arn_part(res.name, 3)), ("name", _arn_part(res.name, 5))]
    body.append(("kms_master_key_id", res.settings["kms_master_key_id"]))
    return [_resource("aws_sns_topic", "deployments", body)]


def _apigateway_cloudwatch(plan: BootstrapPlan, res: AccountResource) -> list[Block]:
    trust = _document(
        {
            "Sid": "ApiGatewayPushesLogs",
            "Effect": "Allow",
            "Principal": {"Service": list(res.settings["trusted_by"])},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": plan.account_id}},
        }
    )
    return [
        _resource(
            "aws_iam_role",
            "apigateway_cloudwatch",
            [("name", APIGATEWAY_LOGS_ROLE), ("assume_role_policy", _policy(trust))],
        ),
        _resource(
            "aws_iam_role_policy_attachment",
            "apigateway_cloudwatch",
            [
                ("role", Ref("aws_iam_role.apigateway_cloudwatch.name")),
                ("policy_arn", APIGATEWAY_LOGS_POLICY.format(partition="aws")),
            ],
        ),
        _resource(
            "aws_api_gateway_account",
            "this",
            [("region", plan.region), ("cloudwatch_role_arn", Ref("aws_iam_role.apigateway_cloudwatch.arn"))],
        ),
    ]


BUILDERS: dict[str, Callable[[BootstrapPlan, AccountResource], list[Block]]] = {
    "state_bucket": _state_bucket,
    "lock_table": _lock_table,
    "github_oidc": _github_oidc,
    "deployments_table": _deployments_table,
    "records_reader": _records_reader,
    "deployments_topic": _deployments_topic,
    "apigateway_cloudwatch": _apigateway_cloudwatch,
}


def _settings(plan: BootstrapPlan, tags: dict[str, str]) -> list[Block]:
    terraform = Block(
        "terraform",
        body=[
            ("required_version", REQUIRED_TERRAFORM),
            Block("required_providers", body=[("aws", dict(AWS_PROVIDER))]),
        ],
    )
    provider = Block(
        "provider",
        "aws",
        body=[
            ("region", plan.region),
            # refuse to plan or apply against any account other than the environment's own
            ("allowed_account_ids", [plan.account_id]),
            Block("default_tags", body=[("tags", tags)]),
        ],
    )
    return [terraform, provider]


def _tags(plan: BootstrapPlan, part: str) -> dict[str, str]:
    tags = {"ManagedBy": f"bbws-scaffold bootstrap ({part})", "Environment": plan.env}
    return tags | ({"Service": plan.service} if part == "service" else {})


def account_blocks(plan: BootstrapPlan) -> list[Block]:
    blocks = _settings(plan, _tags(plan, "account"))
    for res in plan.resources:
        if res.key not in BUILDERS:
            raise ConfigError(f"bootstrap: no Terraform for the account resource {res.key!r} ({res.kind})")
        blocks += BUILDERS[res.key](plan, res)
    return blocks


def service_blocks(plan: BootstrapPlan) -> list[Block]:
    role = plan.deploy_role
    _same_account(plan, role.arn, "deploy_role_arn")
    blocks = _settings(plan, _tags(plan, "service"))
    blocks.append(
        _resource(
            "aws_iam_role",
            "deploy",
            [("name", role.name), ("max_session_duration", 3600), ("assume_role_policy", _policy(role.trust))],
        )
    )
    for i, doc in enumerate(role.policy_documents(), start=1):
        blocks += [
            _resource("aws_iam_policy", f"deploy_{i}", [("name", f"{role.name}-{i}"), ("policy", _policy(doc))]),
            _resource(
                "aws_iam_role_policy_attachment",
                f"deploy_{i}",
                [("role", Ref("aws_iam_role.deploy.name")), ("policy_arn", Ref(f"aws_iam_policy.deploy_{i}.arn"))],
            ),
        ]
    return blocks


def _state_bucket_resource(plan: BootstrapPlan) -> AccountResource:
    return next(r for r in plan.resources if r.key == "state_bucket")


def _lock_table_resource(plan: BootstrapPlan) -> AccountResource:
    return next(r for r in plan.resources if r.key == "lock_table")


def state_key(plan: BootstrapPlan, part: str) -> str:
    return STATE_KEYS[part].replace("{service}", plan.service)


def backend_block(plan: BootstrapPlan, part: str, backend: str) -> Block:
    if backend == "local":
        body: Body = [Block("backend", "local", body=[])]
    else:
        bucket = _state_bucket_resource(plan)
        body = [
            Block(
                "backend",
                "s3",
                body=[
                    ("bucket", bucket.name),
                    ("key", state_key(plan, part)),
                    ("region", bucket.settings["region"]),
                    ("dynamodb_table", _lock_table_resource(plan).name),
                    ("encrypt", True),
                ],
            )
        ]
    return Block("terraform", body=body)


def root_files(plan: BootstrapPlan, part: str, backend: str = "local") -> dict[str, str]:
    """The files of one bootstrap root: ``main.tf``, ``backend.tf`` and ``README.md``."""
    if part not in PARTS:
        raise ConfigError(f"bootstrap: --part must be one of {', '.join(PARTS)}, not {part!r}")
    what = "account resources" if part == "account" else f"deploy role of {plan.repository}"
    header = [
        f"Bootstrap of {plan.env} (account {plan.account_id}, {plan.region}): the {what}.",
        "Generated by bbws-scaffold bootstrap --terraform; regenerate it rather than edit it.",
    ]
    blocks = account_blocks(plan) if part == "account" else service_blocks(plan)
    backend_header = (
        [
            "Local state until the state bucket exists (this root may be what creates it); see README.md",
            "to move it with terraform init -migrate-state.",
        ]
        if backend == "local"
        else [
            "State in the account's state bucket (written with --backend s3); from a local state:",
            "terraform init -migrate-state -force-copy.",
        ]
    )
    return {
        "main.tf": render(blocks, header),
        "backend.tf": render([backend_block(plan, part, backend)], backend_header),
        "README.md": readme(plan, part),
    }


def readme(plan: BootstrapPlan, part: str) -> str:
    bucket = _state_bucket_resource(plan)
    other = "service" if part == "account" else "account"
    lines = [
        f"# Bootstrap: {part} root of {plan.env} (account {plan.account_id})",
        "",
        "Written by `bbws-scaffold bootstrap REPO --env "
        f"{plan.env} --part {part} --terraform DIR`. Regenerate rather than edit: the command refuses "
        "to overwrite files that changed since it wrote them (unless `--force`).",
        "",
        "## Two roots",
        "",
        "- `--part account`: what every service in the account shares (state bucket, lock table, GitHub "
        "OIDC provider, deployment records table and its reader role, deployment topic, API Gateway logging "
        "role and account setting). Apply it **once per account**; every service repo writes the same text.",
        "- `--part service`: one service's deploy role and its managed policies. Every service applies its "
        "own, with its own state, so a second service never touches (or plans to destroy) the shared resources.",
        "",
        "Apply the account root before the service root: the deploy role trusts the account's OIDC provider. "
        f"This is the {part} root; the {other} root is written with `--part {other}`.",
        "",
        "## Why the state starts local",
        "",
        f"The remote state would live in `{bucket.name}`, which the account root creates, so Terraform cannot "
        'start there: `backend.tf` says `backend "local"` and the first apply keeps `terraform.tfstate` in '
        "this directory. Move it into the bucket once the account root is applied:",
        "",
        "```sh",
        "terraform -chdir=DIR init",
        "terraform -chdir=DIR apply",
        f"bbws-scaffold bootstrap REPO --env {plan.env} --part {part} --terraform DIR --backend s3",
        "terraform -chdir=DIR init -migrate-state -force-copy",
        "```",
        "",
        f"The state then lives at `s3://{bucket.name}/{state_key(plan, part)}` (locked in "
        f"`{_lock_table_resource(plan).name}`); delete the local `terraform.tfstate*` after checking "
        "`terraform -chdir=DIR plan` reports no changes. Keys under `_bootstrap/` are outside every service's "
        "own state key, so no deploy role can read or change them.",
        "",
    ]
    if part == "account":
        lines += [
            "One environment per account is assumed: the OIDC provider, the records table and the API Gateway "
            "account setting exist once per account (and region), so two environments sharing an account must "
            "not both apply this root.",
            "",
        ]
    if part == "account" and not any(r.key == "records_reader" for r in plan.resources):
        lines += [
            "No deployment-records reader role is created here: no environment is promoted from "
            f"{plan.env}, so nothing would assume it.",
            "",
        ]
    return "\n".join(lines)


# -- writing -------------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_root(directory: Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write ``files`` into ``directory`` (created if missing) and record their digests in
    :data:`MANIFEST`. Refused, unless ``force``, when the directory holds a file this command
    did not write (Terraform's own working files excepted) or one changed since it wrote it.
    Never follows a symbolic link out of ``directory``."""
    directory = Path(directory)
    if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
        raise ConfigError(f"bootstrap: {directory} is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    manifest_path = root / MANIFEST
    recorded: dict[str, str] = {}
    if manifest_path.is_file() and not manifest_path.is_symlink():
        try:
            recorded = dict(json.loads(manifest_path.read_text(encoding="utf-8"))["files"])
        except (ValueError, KeyError, TypeError):
            recorded = {}
    problems = []
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name == MANIFEST or name in TERRAFORM_OWN:
            continue
        if entry.is_symlink() or not entry.is_file():
            problems.append(f"{name} (not written by bootstrap)")
        elif name not in recorded:
            problems.append(f"{name} (not written by bootstrap)")
        elif _digest(entry.read_text(encoding="utf-8", errors="replace")) != recorded[name]:
            problems.append(f"{name} (changed since bootstrap wrote it)")
    if problems and not force:
        raise ConfigError(
            f"bootstrap: {directory} holds " + ", ".join(problems) + "; choose an empty directory or pass --force"
        )
    written = []
    for name, text in files.items():
        target = root / name
        if target.is_symlink() or target.parent != root:
            raise ConfigError(f"bootstrap: refusing to write {target} (outside {root} or a symbolic link)")
        target.write_text(text, encoding="utf-8")
        written.append(target)
    manifest = {"files": {name: _digest(text) for name, text in files.items()}}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return written
