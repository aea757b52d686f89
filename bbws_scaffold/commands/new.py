"""``bbws-scaffold new``: render a new repository, from an LLD or (``--blueprint wordpress_image``)
from the WordPress image defaults; ``--publish`` continues as ``repo setup-from-lld``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bbws_scaffold.commands.lld import add_assume_lld
from bbws_scaffold.commands.repo import cmd_setup_from_lld
from bbws_scaffold.config.wordpress import ENV_VAR, load_config
from bbws_scaffold.errors import BBWSError
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.naming import DEFAULT_ORG
from bbws_scaffold.plan.answers import BLUEPRINT
from bbws_scaffold.plan.wordpress import wordpress_answers
from bbws_scaffold.publish.client import DEFAULT_API_URL
from bbws_scaffold.render.new import DEFAULT_TEMPLATE_SRC, TEMPLATE_ENV, render, render_wordpress


def summary(target: Path, spec: ServiceSpec) -> str:
    """A short tree of what was made and the next commands to run."""
    files = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    top: dict[str, int] = {}
    for f in files:
        # top-level files by name; everything else by its folder, at most two levels deep
        head = f.parts[0] if len(f.parts) == 1 else "/".join(f.parts[: min(len(f.parts) - 1, 2)]) + "/"
        top[head] = top.get(head, 0) + 1
    lines = [f"created {target} ({len(files)} files)"]
    for name, n in sorted(top.items()):
        lines.append(f"  {name}" + (f"  ({n} files)" if name.endswith("/") else ""))
    lines += [
        "",
        "next:",
        f"  cd {target}",
        "  python -m venv .venv && . .venv/bin/activate",
        "  pip install -r requirements-dev.txt",
        "  pytest && black --check . && isort --check-only . && flake8 && mypy",
        "  git init -b main && git add -A && git commit -m 'Scaffold from LLD'",
    ]
    return "\n".join(lines)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("new", help="render a new Lambda service repository from an LLD (or the WordPress image)")
    p.add_argument(
        "--blueprint",
        choices=[BLUEPRINT, "wordpress_image"],
        default=BLUEPRINT,
        help=f"what to render (default {BLUEPRINT}; wordpress_image needs no LLD)",
    )
    p.add_argument("--lld", metavar="FILE", help=f"the LLD markdown file (required for {BLUEPRINT})")
    p.add_argument("--openapi", action="append", metavar="SPEC", help="external OpenAPI file (repeatable)")
    add_assume_lld(p)
    p.add_argument("--output", default=".", metavar="DIR", help="folder to create the repository in")
    p.add_argument("--org", default=DEFAULT_ORG, help="GitHub organisation (CODEOWNERS, README)")
    p.add_argument("--force", action="store_true", help="replace an existing non-empty repository folder")
    p.add_argument(
        "--template-src",
        default=None,
        help=f"template source recorded for `copier update` (default ${TEMPLATE_ENV} or {DEFAULT_TEMPLATE_SRC})",
    )
    add_wordpress_arguments(p)
    g = p.add_argument_group("publish to GitHub (the same path as `bbws-scaffold repo setup-from-lld`)")
    g.add_argument("--publish", action="store_true", help="then create, push and configure the GitHub repository")
    g.add_argument("--api-url", default=None, help="GitHub API URL (GitHub Enterprise: https://HOST/api/v3)")
    g.add_argument("--config", default=None, metavar="FILE", help="GitHub settings (default $BBWS_GITHUB_CONFIG)")
    g.add_argument("--dry-run", action="store_true", help="with --publish: print every API call; no token needed")
    p.set_defaults(func=cmd_new, update_secrets=False)


def cmd_new(args: argparse.Namespace) -> int:
    if args.blueprint == "wordpress_image":
        return cmd_new_wordpress(args)
    if not args.lld:
        print(f"bbws-scaffold new: error: --lld FILE is required for the {BLUEPRINT} blueprint", file=sys.stderr)
        return 2
    if args.publish:
        args.api_url = args.api_url or DEFAULT_API_URL
        return cmd_setup_from_lld(args)
    if args.dry_run or args.api_url or args.config:
        print("bbws-scaffold new: error: --dry-run, --api-url and --config go with --publish", file=sys.stderr)
        return 2
    spec = parse_file(args.lld, args.openapi or [], assume_lld=args.assume_lld)
    for w in spec.warnings:
        print(w.format(args.lld), file=sys.stderr)
    target = render(spec, args.output, org=args.org, force=args.force, template_src=args.template_src)
    print(summary(target, spec))
    return 0


def add_wordpress_arguments(p: Any) -> None:
    """The ``new`` options of the wordpress_image blueprint (defaults from the configuration file)."""
    g = p.add_argument_group("wordpress_image blueprint (defaults: bbws_scaffold/data/wordpress_image.yaml)")
    g.add_argument("--wp-version", help="WordPress version of the base image, e.g. 6.8")
    g.add_argument("--php-version", help="PHP version of the base image, e.g. 8.3")
    g.add_argument("--image-version", help="the image's own version (MAJOR.MINOR.PATCH)")
    g.add_argument("--wp-cli-version", help="WP-CLI release (MAJOR.MINOR.PATCH)")
    g.add_argument("--wp-cli-sha512", help="pinned sha512 of the WP-CLI phar ('' = published checksum only)")
    g.add_argument("--wordpress-config", metavar="FILE", help=f"WordPress image configuration (default ${ENV_VAR})")


def wordpress_summary(target: Path) -> str:
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    lines = [f"created {target} ({len(files)} files)", *(f"  {f}" for f in files)]
    lines += [
        "",
        "next:",
        f"  cd {target}",
        "  bbws-scaffold pipeline validate .",
        "  bbws-runtime docker build && bbws-runtime docker validate",
        "  git init -b main && git add -A && git commit -m 'Scaffold the WordPress image'",
    ]
    return "\n".join(lines)


def cmd_new_wordpress(args: Any) -> int:
    """``bbws-scaffold new --blueprint wordpress_image``: exit 0 rendered, 2 bad input (one line on stderr)."""
    if args.lld or args.openapi:
        print("bbws-scaffold new: error: --lld/--openapi apply to the lambda_service blueprint only", file=sys.stderr)
        return 2
    try:
        answers = wordpress_answers(
            org=args.org,
            config=load_config(args.wordpress_config) if args.wordpress_config else None,
            wp_version=args.wp_version,
            php_version=args.php_version,
            image_version=args.image_version,
            wp_cli_version=args.wp_cli_version,
            wp_cli_sha512=args.wp_cli_sha512,
        )
        target = render_wordpress(args.output, answers=answers, force=args.force, template_src=args.template_src)
    except BBWSError as exc:
        print(f"bbws-scaffold new: error: {exc}", file=sys.stderr)
        return 2
    print(wordpress_summary(target))
    return 0
