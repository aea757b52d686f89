"""``bbws-scaffold new``: render a new repository, from an LLD or (``--blueprint wordpress_image``)
from the WordPress image defaults; ``--publish`` continues as ``repo setup-from-lld``."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from bbws_scaffold.commands.lld import add_assume_lld
from bbws_scaffold.commands.repo import READ_LIVE_HELP, cmd_setup_from_lld
from bbws_scaffold.config.wordpress import ENV_VAR, load_config
from bbws_scaffold.errors import BBWSError
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.naming import DEFAULT_ORG
from bbws_scaffold.output import Output, add_output_arguments, spec_diagnostics
from bbws_scaffold.plan.answers import BLUEPRINT
from bbws_scaffold.plan.wordpress import wordpress_answers
from bbws_scaffold.publish.client import DEFAULT_API_URL
from bbws_scaffold.render.new import DEFAULT_TEMPLATE_SRC, TEMPLATE_ENV, render, render_wordpress


def files_of(root: Path) -> list[str]:
    """Every file under ``root``, as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def bindings(spec: ServiceSpec) -> list[dict[str, str]]:
    """How each endpoint is served: generated CRUD or a stub, and why (``Endpoint.binding``)."""
    return [
        {"method": ep.method, "path": ep.path, "kind": ep.binding.kind, "reason": ep.binding.reason}
        for ep in spec.endpoints
    ]


def preview(target: Path, files: list[str], spec: ServiceSpec | None) -> str:
    """``new --dry-run``: the tree it would write and how each endpoint is bound."""
    lines = [f"would create {target} ({len(files)} files; nothing written)"]
    lines += [f"  {f}" for f in files]
    if spec and spec.endpoints:
        lines += ["", "endpoints:"]
        lines += [f"  {b['method']:<6} {b['path']}  {b['reason'] or b['kind']}" for b in bindings(spec)]
    return "\n".join(lines)


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
        "next (step 1 of README.md's Zero-to runbook; then bootstrap, publish, watch the first deployment):",
        f"  cd {target}",
        "  git init -b main",
        f"  python{spec.runtime.python_version} -m venv .venv",
        "  . .venv/bin/activate",
        "  pip install -r requirements-dev.txt",
        "  pre-commit install",
        "  pytest",
        '  git add -A && git commit -m "feat: scaffold the service from its LLD"',
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
    p.add_argument(
        "--force",
        action="store_true",
        help="replace a previous render in the repository folder: refused if it is a git repository or holds "
        "anything bbws-scaffold does not write (your files, edited src/services/*_logic.py); use "
        "`bbws-scaffold update` for those",
    )
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
    g.add_argument(
        "--dry-run",
        action="store_true",
        help="print the tree it would write and how each endpoint is bound, write nothing; "
        "with --publish: print every API call too (no token needed)",
    )
    g.add_argument("--read-live", action="store_true", help=READ_LIVE_HELP)
    add_output_arguments(p)
    p.set_defaults(func=cmd_new, update_secrets=False)


def cmd_new(args: argparse.Namespace) -> int:
    if args.blueprint == "wordpress_image":
        return cmd_new_wordpress(args)
    out = Output.from_args(args)
    if not args.lld:
        return out.refuse(f"--lld FILE is required for the {BLUEPRINT} blueprint")
    if args.publish:
        args.api_url = args.api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL
        return cmd_setup_from_lld(args)
    if args.read_live or args.api_url or args.config:
        return out.refuse("--read-live, --api-url and --config go with --publish")
    spec = parse_file(args.lld, args.openapi or [], assume_lld=args.assume_lld)
    for w in spec.warnings:
        out.diag(w.format(args.lld))
    doc = {
        "dry_run": args.dry_run,
        "bindings": bindings(spec),
        "diagnostics": spec_diagnostics(args.lld, spec.warnings),
    }
    progress = out.progress("new")
    try:
        if args.dry_run:
            target = Path(args.output) / spec.repo
            with tempfile.TemporaryDirectory(prefix="bbws-scaffold-preview-") as tmp, progress.step("render (preview)"):
                files = files_of(render(spec, tmp, org=args.org, template_src=args.template_src))
        else:
            with progress.step(f"render {spec.repo}"):
                target = render(spec, args.output, org=args.org, force=args.force, template_src=args.template_src)
    finally:
        progress.close()
    if args.dry_run:
        out.line(preview(target, files, spec))
        return out.finish(0, {"target": str(target), "files": files, **doc})
    out.line(summary(target, spec))
    return out.finish(0, {"target": str(target), "files": files_of(target), **doc})


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
    files = files_of(target)
    lines = [f"created {target} ({len(files)} files)", *(f"  {f}" for f in files)]
    lines += [
        "",
        "next:",
        f"  cd {target}",
        "  git init -b main",
        "  bbws-scaffold pipeline validate .",
        "  bbws-runtime docker build && bbws-runtime docker validate",
        "  git add -A && git commit -m 'feat: scaffold the WordPress image'",
    ]
    return "\n".join(lines)


def cmd_new_wordpress(args: Any) -> int:
    """``bbws-scaffold new --blueprint wordpress_image``: exit 0 rendered, 2 bad input (one line on stderr)."""
    out = Output.from_args(args)
    if args.lld or args.openapi:
        return out.refuse("--lld/--openapi apply to the lambda_service blueprint only")
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
        if args.dry_run:
            with tempfile.TemporaryDirectory(prefix="bbws-scaffold-preview-") as tmp:
                scratch = render_wordpress(tmp, answers=answers, template_src=args.template_src)
                target, files = Path(args.output) / scratch.name, files_of(scratch)
        else:
            target = render_wordpress(args.output, answers=answers, force=args.force, template_src=args.template_src)
            files = files_of(target)
    except BBWSError as exc:
        return out.refuse(str(exc))
    out.line(preview(target, files, None) if args.dry_run else wordpress_summary(target))
    doc = {"target": str(target), "files": files, "dry_run": args.dry_run, "bindings": [], "diagnostics": []}
    return out.finish(0, doc)
