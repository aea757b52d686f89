"""``bbws-scaffold bootstrap``: what an account needs before a generated service deploys into it."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from bbws_scaffold.bootstrap import build_plan, describe, terraform_resource_types
from bbws_scaffold.bootstrap_terraform import PARTS, root_files, write_root
from bbws_scaffold.errors import ConfigError
from bbws_scaffold.generated import GeneratedRepo


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bootstrap",
        help="plan, or write as Terraform, the account resources and the deploy role a generated repo needs",
        description="For one environment of a generated repo: the account resources every service there "
        "shares (state bucket, lock table, GitHub OIDC provider, deployment records, reader role, topic, API "
        "Gateway logging role) and this repo's deploy role, trusted only by the repo's GitHub environments, "
        "with the permissions its terraform/ needs, each scoped to its resources. --dry-run prints the plan; "
        "--terraform DIR --part account|service writes it as a Terraform root to apply (the account part once "
        "per account, the service part once per service; each keeps its own state).",
    )
    p.add_argument("repo", nargs="?", default=".", help="the generated repository (default: .)")
    p.add_argument("--env", required=True, metavar="ENV", help="the environment (dev, sit, prod, ...)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the plan; create nothing")
    mode.add_argument(
        "--terraform",
        metavar="DIR",
        type=Path,
        help="write the plan as a Terraform root (main.tf, backend.tf, README.md) into DIR; needs --part",
    )
    p.add_argument(
        "--part",
        choices=PARTS,
        help="with --terraform: `account` (the shared resources, applied once per account) or `service` "
        "(this repo's deploy role and its policies)",
    )
    p.add_argument(
        "--backend",
        choices=("local", "s3"),
        default="local",
        help="with --terraform: where the root keeps its state (default local: the state bucket may not exist "
        "yet; s3 once the account root is applied, then `terraform init -migrate-state`)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --terraform: overwrite files in DIR that bootstrap did not write or that changed since",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="with --dry-run: the plan as one JSON document (the deploy role's managed policies in IAM's format)",
    )
    p.set_defaults(func=cmd_bootstrap)


def cmd_bootstrap(args: argparse.Namespace) -> int:
    if not args.dry_run and args.terraform is None:
        raise ConfigError(
            "bootstrap: pass --dry-run (print the plan) or --terraform DIR --part account|service "
            "(write it as a Terraform root to apply)"
        )
    if args.terraform is not None and args.part is None:
        raise ConfigError(
            "bootstrap --terraform: pass --part account (the resources every service in the account shares, "
            "applied once per account) or --part service (this repo's deploy role)"
        )
    repo = GeneratedRepo(Path(args.repo))
    plan = build_plan(repo.answers, args.env, terraform_resource_types(repo.root / "terraform"))
    if args.terraform is not None:
        written = write_root(args.terraform, root_files(plan, args.part, args.backend), force=args.force)
        names = ", ".join(p.name for p in written)
        print(f"bootstrap {plan.env}: wrote the {args.part} root ({names}) to {args.terraform}")
        chdir = shlex.quote(f"-chdir={args.terraform}")
        print(f"next: terraform {chdir} init && terraform {chdir} apply (see README.md there)")
    elif args.json:
        doc = plan.model_dump(mode="json")
        doc["deploy_role"]["policies"] = plan.deploy_role.policy_documents()
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(describe(plan))
    return 0
