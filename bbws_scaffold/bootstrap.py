"""Account bootstrap: what an AWS account needs before a generated service can deploy into it.

``bbws-scaffold bootstrap --env E --dry-run`` prints this plan for a generated repo. Account
resources are shared by every service in the account (one state bucket, lock table, OIDC
provider, deployment-records table, records reader role, deployment topic and API Gateway logging
role); the deploy role is per service repo, trusted only for that repo's GitHub environments of
``E``, with permissions derived from the resource types the repo's own ``terraform/`` manages
(``data/deploy_permissions.yaml``), each scoped to the service's resource names.

Names and settings come from the environments configuration stored in the repo's answers; the
plan computes, it calls no AWS API.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import hcl2
from pydantic import BaseModel, ConfigDict, Field

from bbws_scaffold.config.environments import deploy_role_arn_pattern, for_service
from bbws_scaffold.errors import ConfigError
from bbws_scaffold.yamlfile import read_yaml

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com"
APIGATEWAY_LOGS_ROLE = "bbws-apigateway-cloudwatch"
MANAGED_POLICY_MAX = 6144
"""IAM's limit on a customer-managed policy document, in characters (whitespace not counted)."""
MANAGED_POLICIES_PER_ROLE = 10
"""IAM's default quota of managed policies attached to one role."""
APIGATEWAY_LOGS_POLICY = "arn:{partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"

_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
_LISTS = ("function", "table", "queue", "bucket")


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Statement(_Node):
    sid: str
    why: str
    actions: list[str]
    resources: list[str]
    condition: dict[str, Any] | None = None

    def policy(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Sid": self.sid, "Effect": "Allow", "Action": self.actions, "Resource": self.resources}
        if self.condition:
            out["Condition"] = self.condition
        return out


def _size(statements: list[dict[str, Any]]) -> int:
    return len(json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":")))


def _split(statement: Statement, limit: int) -> list[dict[str, Any]]:
    """``statement`` as one or more policy statements, each fitting a document of ``limit``."""
    whole = statement.policy()
    if _size([whole]) <= limit or len(statement.resources) == 1:
        return [whole]
    half = len(statement.resources) // 2
    parts = []
    for i, chunk in enumerate((statement.resources[:half], statement.resources[half:]), start=1):
        parts += _split(statement.model_copy(update={"sid": f"{statement.sid}{i}", "resources": chunk}), limit)
    return parts


class AccountResource(_Node):
    key: str = Field(description="which account resource this is (the bootstrap Terraform root's resource name)")
    kind: str = Field(description="AWS resource type, e.g. s3-bucket")
    name: str
    why: str
    settings: dict[str, Any] = Field(default_factory=dict)


class DeployRole(_Node):
    name: str
    arn: str
    trust: dict[str, Any] = Field(description="assume-role policy document")
    statements: list[Statement]

    def policy(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [s.policy() for s in self.statements]}

    def policy_documents(self, limit: int = MANAGED_POLICY_MAX) -> list[dict[str, Any]]:
        """The permissions as customer-managed policy documents of at most ``limit`` characters
        each (IAM counts them without whitespace): statements packed in order, a statement too
        big for one document split by resources."""
        docs: list[list[dict[str, Any]]] = [[]]
        for statement in self.statements:
            for part in _split(statement, limit):
                if docs[-1] and _size(docs[-1] + [part]) > limit:
                    docs.append([])
                docs[-1].append(part)
        return [{"Version": "2012-10-17", "Statement": d} for d in docs if d]


class BootstrapPlan(_Node):
    env: str
    account_id: str
    region: str
    service: str = Field(description="the service's kebab-case name (state keys, role names)")
    repository: str = Field(description="owner/name of the service repo the deploy role trusts")
    resources: list[AccountResource]
    deploy_role: DeployRole


@lru_cache(maxsize=1)
def _permissions() -> dict[str, Any]:
    path = Path(str(resources.files("bbws_scaffold.data").joinpath("deploy_permissions.yaml")))
    data: dict[str, Any] = read_yaml(path, "the deploy-role permissions", ConfigError)
    return data


def terraform_resource_types(terraform_dir: Path) -> set[str]:
    """The resource types a Terraform root manages (``resource "TYPE" "name"`` blocks of its *.tf)."""
    types: set[str] = set()
    for path in sorted(terraform_dir.glob("*.tf")):
        with path.open(encoding="utf-8") as fh:
            for block in hcl2.load(fh).get("resource", []):
                types.update(name.strip('"') for name in block)
    return types


def _arn(partition: str, service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


def _names(infra: dict[str, Any], env: str) -> dict[str, list[str]]:
    def at(body: str) -> str:
        return body.replace("${var.environment}", env)

    def short(names: list[str]) -> list[str]:
        # the names that carry the service prefix are one pattern, whatever their number (IAM caps
        # policy sizes); names the LLD gives without it are listed one by one
        own = f"{infra['name_prefix']}-"
        mine = [own + "*"] if any(n.startswith(own) for n in names) else []
        return mine + list(dict.fromkeys(n for n in names if not n.startswith(own)))

    fns = infra.get("functions", [])
    return {
        "function": short([at(f["name"]) for f in fns]),
        "table": short([at(t["name"]) for t in infra.get("tables", [])]),
        "queue": short([at(f["queue"]) for f in fns if f.get("queue")]),
        "bucket": [at(f["bucket"]) for f in fns if f.get("bucket")],
    }


def _expand(pattern: str, values: dict[str, str], lists: dict[str, list[str]]) -> list[str]:
    """``pattern`` with its placeholders filled; one result per item of a list placeholder."""
    used = [name for name in _PLACEHOLDER_RE.findall(pattern) if name in _LISTS]
    if not used:
        return [_PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], pattern)]
    name = used[0]
    return [out for item in lists[name] for out in _expand(pattern.replace("{" + name + "}", item), values, lists)]


def _fill(obj: Any, values: dict[str, str]) -> Any:
    if isinstance(obj, str):
        return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], obj)
    if isinstance(obj, list):
        return [_fill(v, values) for v in obj]
    if isinstance(obj, dict):
        return {_fill(k, values): _fill(v, values) for k, v in obj.items()}
    return obj


def _statement(raw: dict[str, Any], values: dict[str, str], lists: dict[str, list[str]]) -> Statement | None:
    if raw.get("only_if") and not values.get(raw["only_if"]):
        return None
    found = [r for pattern in raw["resources"] for r in _expand(pattern, values, lists)]
    if not found:
        return None  # e.g. queue ARNs in a service with no queues
    return Statement(
        sid=raw["sid"],
        why=raw["why"],
        actions=sorted(set(raw["actions"]), key=raw["actions"].index),
        resources=list(dict.fromkeys(found)),
        condition=_fill(raw.get("condition"), values),
    )


def deploy_statements(
    resource_types: set[str], infra: dict[str, Any], env: dict[str, Any], environments: dict[str, Any], service: str
) -> list[Statement]:
    """The deploy role's permissions for a service whose Terraform manages ``resource_types``."""
    data = _permissions()
    unknown = sorted(t for t in resource_types if t not in data["resources"])
    if unknown:
        raise ConfigError(
            "deploy_permissions.yaml: no deploy-role permissions for Terraform resource type(s) "
            + ", ".join(unknown)
            + " (add them, scoped to the service's resources)"
        )
    previous = environments["envs"].get(env.get("previous") or "", {})
    values = {
        "partition": "aws",
        "region": env["region"],
        "account": env["account_id"],
        "env": env["name"],
        "prefix": infra["name_prefix"],
        "service_tag": service,
        "state_bucket": env["state_bucket"],
        "state_region": env["state_region"],
        "state_prefix": environments["state_key"].replace("{service}", service),
        "lock_table": env["lock_table"],
        "deployments_table": env["deployments_table"],
        "sns_topic_arn": env["sns_topic_arn"],
        "previous_reader_role_arn": previous.get("records_reader_role_arn") or "",
        # SSM parameters terraform/ reads (a name starts with '/', which its ARN does not repeat)
        "cognito_user_pool_parameter": (
            "" if env.get("cognito_user_pool_arn") else env.get("cognito_user_pool_ssm_parameter", "")
        ),
        "auth_layer_parameter": env.get("auth_layer_ssm_parameter", "") if env.get("attach_auth_layer") else "",
    }
    lists = _names(infra, env["name"])
    raws = list(data["always"]) + [raw for t in sorted(resource_types) for raw in data["resources"][t]]
    return [s for raw in raws if (s := _statement(raw, values, lists)) is not None]


def _trust(env: dict[str, Any], repository: str) -> dict[str, Any]:
    provider = f"arn:aws:iam::{env['account_id']}:oidc-provider/{GITHUB_OIDC_HOST}"
    subjects = [
        f"repo:{repository}:environment:{name}"
        for name in dict.fromkeys([env["github_environment"], env.get("hotfix_github_environment")])
        if name
    ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GitHubActionsOfThisRepositoryAndEnvironment",
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC_HOST}:aud": GITHUB_OIDC_AUDIENCE,
                        f"{GITHUB_OIDC_HOST}:sub": subjects,
                    }
                },
            }
        ],
    }


def _account_resources(env: dict[str, Any], environments: dict[str, Any]) -> list[AccountResource]:
    # the reader is shared by every service in the account, so it trusts the next environment's
    # deploy role of each of them: its account, on condition the caller's ARN fits the role pattern
    nxt = [e for e in environments["envs"].values() if e.get("previous") == env["name"]]
    reader_accounts = sorted({f"arn:aws:iam::{e['account_id']}:root" for e in nxt})
    reader_roles = sorted({deploy_role_arn_pattern(environments, e["name"]) for e in nxt})
    logs_role = f"arn:aws:iam::{env['account_id']}:role/{APIGATEWAY_LOGS_ROLE}"
    reader: dict[str, Any] = {
        "trusted_by": reader_accounts,
        "condition": {"ArnLike": {"aws:PrincipalArn": reader_roles}},
    }
    planned = [
        AccountResource(
            key="state_bucket",
            kind="s3-bucket",
            name=env["state_bucket"],
            why="Terraform state of every service in the account",
            settings={
                "region": env["state_region"],
                "versioning": "Enabled",
                "encryption": "aws:kms (bucket key)",
                "public_access_block": "all four settings on",
                "policy": "deny every request without TLS (aws:SecureTransport = false)",
                "ownership": "BucketOwnerEnforced (ACLs disabled)",
                "lifecycle": "old state versions expire after 90 days (the newest 10 are kept); "
                "incomplete uploads are aborted after 7 days",
            },
        ),
        AccountResource(
            key="lock_table",
            kind="dynamodb-table",
            name=env["lock_table"],
            why="Terraform state locking",
            settings={
                "region": env["state_region"],
                "hash_key": "LockID (S)",
                "billing": "PAY_PER_REQUEST",
                "sse": True,
                "point_in_time_recovery": True,
            },
        ),
        AccountResource(
            key="github_oidc",
            kind="iam-oidc-provider",
            name=f"https://{GITHUB_OIDC_HOST}",
            why="GitHub Actions authenticate with short-lived OIDC tokens, no stored keys",
            settings={"client_ids": [GITHUB_OIDC_AUDIENCE]},
        ),
        AccountResource(
            key="deployments_table",
            kind="dynamodb-table",
            name=env["deployments_table"],
            why="bbws-runtime's deployment records (every deploy, promotion, rollback)",
            settings={
                "hash_key": "pk (S)",
                "range_key": "sk (S)",
                "billing": "PAY_PER_REQUEST",
                "sse": True,
                "point_in_time_recovery": True,
            },
        ),
        AccountResource(
            key="records_reader",
            kind="iam-role",
            name=env["records_reader_role_arn"],
            why="read-only access to the deployment records, for promotions into the next environment",
            settings={**reader, "permissions": ["dynamodb:GetItem", "dynamodb:Query"]},
        ),
        AccountResource(
            key="deployments_topic",
            kind="sns-topic",
            name=env["sns_topic_arn"],
            why="deployment outcomes (bbws-runtime notify)",
            settings={"kms_master_key_id": "alias/aws/sns"},
        ),
        AccountResource(
            key="apigateway_cloudwatch",
            kind="iam-role",
            name=logs_role,
            why="API Gateway writes stage logs only through the account's CloudWatch role (apigateway update-account)",
            settings={
                "trusted_by": ["apigateway.amazonaws.com"],
                "managed_policy": APIGATEWAY_LOGS_POLICY.format(partition="aws"),
                "set_with": "aws apigateway update-account --patch-operations "
                f"op=replace,path=/cloudwatchRoleArn,value={logs_role}",
                "required_by": "api_gateway_account_logging: true in environments.yaml (the stage's execution and "
                "access logs); set it to true only once this role is the account's, or the apply fails",
                "api_gateway_account_logging": f"{str(bool(env.get('api_gateway_account_logging'))).lower()} "
                f"for {env['name']}"
                + ("" if env.get("api_gateway_account_logging") else " (stage metrics and traces only, no stage logs)"),
            },
        ),
    ]
    # nothing is promoted from the last environment, so nobody would assume its reader: a role
    # trusting no one is not created (IAM needs a principal in every trust statement)
    return [r for r in planned if nxt or r.key != "records_reader"]


def build_plan(answers: dict[str, Any], env_name: str, resource_types: set[str]) -> BootstrapPlan:
    spec, infra = answers["spec"], answers["infra"]
    service = spec.get("service_slug") or "service"
    environments = for_service(answers["environments"], service)
    if env_name not in environments["envs"]:
        known = ", ".join(environments["order"])
        raise ConfigError(f"--env {env_name}: not an environment of this repo (known: {known})")
    env = environments["envs"][env_name]
    repository = f"{answers.get('org') or 'BigBeardWebSolutions'}/{spec['repo']}"
    role_arn = env["deploy_role_arn"]
    return BootstrapPlan(
        env=env_name,
        account_id=env["account_id"],
        region=env["region"],
        service=service,
        repository=repository,
        resources=_account_resources(env, environments),
        deploy_role=DeployRole(
            name=role_arn.rsplit("/", 1)[-1],
            arn=role_arn,
            trust=_trust(env, repository),
            statements=deploy_statements(resource_types, infra, env, environments, service),
        ),
    )


def describe(plan: BootstrapPlan) -> str:
    """The plan as a person reads it (``--dry-run``)."""
    lines = [f"bootstrap {plan.env}: account {plan.account_id}, {plan.region} (dry run: nothing is created)", ""]
    lines.append("account resources (shared by every service in the account):")
    for res in plan.resources:
        lines.append(f"  {res.kind:<18} {res.name}")
        lines.append(f"  {'':<18} {res.why}")
        for key, value in res.settings.items():
            lines.append(f"  {'':<18}   {key}: {value}")
    role = plan.deploy_role
    subjects = role.trust["Statement"][0]["Condition"]["StringEquals"][f"{GITHUB_OIDC_HOST}:sub"]
    lines += ["", f"deploy role {role.arn}", f"  trusted only by: {', '.join(subjects)}", "  permissions:"]
    for s in role.statements:
        lines.append(f"    {s.sid}: {s.why}")
        lines.append(f"      {', '.join(s.actions)}")
        lines += [f"      on {arn}" for arn in s.resources]
        if s.condition:
            lines.append(f"      when {s.condition}")
    return "\n".join(lines)
