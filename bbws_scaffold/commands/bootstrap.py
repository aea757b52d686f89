"""``bbws-scaffold bootstrap``: what an account needs before a generated service deploys into it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bbws_scaffold.bootstrap import build_plan, describe, terraform_resource_types
from bbws_scaffold.errors import ConfigError
from bbws_scaffold.generated import GeneratedRepo


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bootstrap",
        help="plan the account resources and the deploy role a generated repo needs in one environment",
        description="Plan, for one environment of a generated repo, the account resources every service "
        "there shares (state bucket, lock table, GitHub OIDC provider, deployment records, reader role, "
        "topic, API Gateway logging role) and this repo's deploy role: trusted only by the repo's GitHub "
        "environments, with the permissions its terraform/ needs, each scoped to its resources.",
    )
    p.add_argument("repo", nargs="?", default=".", help="the generated repository (default: .)")
    p.add_argument("--env", required=True, metavar="ENV", help="the environment (dev, sit, prod, ...)")
    p.add_argument("--dry-run", action="store_true", help="print the plan; create nothing (required for now)")
    p.add_argument(
        "--json",
        action="store_true",
        help="the plan as one JSON document (the deploy role's managed policies in IAM's format)",
    )
    p.set_defaults(func=cmd_bootstrap)


def cmd_bootstrap(args: argparse.Namespace) -> int:
    if not args.dry_run:
        raise ConfigError("bootstrap: only --dry-run is available; creating the resources is not built yet")
    repo = GeneratedRepo(Path(args.repo))
    plan = build_plan(repo.answers, args.env, terraform_resource_types(repo.root / "terraform"))
    if args.json:
        doc = plan.model_dump(mode="json")
        doc["deploy_role"]["policies"] = plan.deploy_role.policy_documents()
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(describe(plan))
    return 0
