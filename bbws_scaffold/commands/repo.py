"""``bbws-scaffold repo ...``: publish a generated repository to GitHub.

    bbws-scaffold repo setup-from-lld --lld FILE --org ORG [--output DIR]   render + everything below
    bbws-scaffold repo create       [--repo DIR]      the private repository
    bbws-scaffold repo push         [--repo DIR]      git init, first commit, push main
    bbws-scaffold repo configure    [--repo DIR] --environments
    bbws-scaffold repo secrets      [--repo DIR] --env ENV [--update]
    bbws-scaffold repo branches     [--repo DIR] --protect main
    bbws-scaffold repo codeowners   [--repo DIR]      write access for the CODEOWNERS teams
    bbws-scaffold repo webhooks     [--repo DIR]      the deployment-notification webhook

Every command takes ``--org``, ``--api-url`` (GitHub Enterprise), ``--config FILE`` and
``--dry-run`` (print every API call, send nothing, no token needed; ``--read-live`` lets it read
the current state with the token). The token comes from ``GITHUB_TOKEN`` or ``GH_TOKEN``; an
``http://`` API URL is refused unless it is on this machine. Exit codes: 0 done (or nothing to change), 2 error.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bbws_scaffold.commands.lld import add_assume_lld
from bbws_scaffold.errors import BBWSError
from bbws_scaffold.generated import GeneratedRepo
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.naming import DEFAULT_ORG
from bbws_scaffold.output import Output, add_output_arguments
from bbws_scaffold.publish.client import DEFAULT_API_URL
from bbws_scaffold.publish.setup import PublishOptions, check_request, format_result, publish_repo
from bbws_scaffold.render.new import render

EXIT_OK, EXIT_ERROR = 0, 2
READ_LIVE_HELP = "with --dry-run: read the current state from GitHub with the token (GETs only); default: send nothing"


def _common(p: argparse.ArgumentParser, *, repo_dir: bool = True) -> None:
    if repo_dir:
        p.add_argument("--repo", default=".", metavar="DIR", help="the rendered repository (default: .)")
    p.add_argument("--org", default=DEFAULT_ORG, help="GitHub organisation")
    p.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
        help="GitHub API URL (GitHub Enterprise: https://HOST/api/v3; default $GITHUB_API_URL, else api.github.com)",
    )
    p.add_argument("--config", default=None, metavar="FILE", help="GitHub settings (default $BBWS_GITHUB_CONFIG)")
    p.add_argument("--dry-run", action="store_true", help="print every API call instead of making it; no token needed")
    p.add_argument("--read-live", action="store_true", help=READ_LIVE_HELP)
    add_output_arguments(p, quiet=False)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("setup-from-lld", help="render an LLD and publish it to GitHub in one step")
    p.add_argument("--lld", required=True, metavar="FILE", help="the LLD markdown file")
    p.add_argument("--openapi", action="append", metavar="SPEC", help="external OpenAPI file (repeatable)")
    add_assume_lld(p)
    p.add_argument("--output", default=".", metavar="DIR", help="folder to create the repository in")
    p.add_argument("--template-src", default=None, help="template source recorded for `copier update`")
    p.add_argument("--update-secrets", action="store_true", help="rewrite secrets that already exist")
    _common(p, repo_dir=False)
    p.set_defaults(func=cmd_setup_from_lld)

    commands: list[tuple[str, str, tuple[str, ...]]] = [
        ("create", "create the private repository (name and description from the LLD)", ("repo",)),
        ("push", "git init, the first commit and push main", ("repo", "push")),
        ("configure", "GitHub environments with reviewers, wait timers and branch policies", ("environments",)),
        ("secrets", "environment secrets (AWS_ROLE_ARN, the role the workflows assume), sealed", ("secrets",)),
        ("branches", "protect a branch (reviews, CI checks, no force pushes or deletions)", ("protection",)),
        ("codeowners", "give the CODEOWNERS and reviewer teams access to the repository", ("access",)),
        ("webhooks", "the deployment-notification webhook", ("webhook",)),
    ]
    for name, help_text, steps in commands:
        p = subparsers.add_parser(name, help=help_text)
        _common(p)
        if name == "configure":
            p.add_argument("--environments", action="store_true", required=True, help="configure the environments")
        if name == "secrets":
            p.add_argument("--env", action="append", required=True, metavar="ENV", help="GitHub environment")
            p.add_argument("--update", action="store_true", help="rewrite secrets that already exist")
        if name == "branches":
            p.add_argument("--protect", required=True, metavar="BRANCH", help="branch to protect")
        p.set_defaults(func=cmd_step, steps=steps)


def _options(args: argparse.Namespace, **extra: Any) -> PublishOptions:
    return PublishOptions(
        org=args.org,
        api_url=args.api_url,
        config=args.config,
        dry_run=args.dry_run,
        read_live=args.read_live,
        out=Output.from_args(args).line,
        **extra,
    )


def _run(args: argparse.Namespace, where: str, action: Any) -> int:
    out = Output.from_args(args)
    try:
        result = action()
    except BBWSError as exc:
        if out.json:
            return out.fail(exc, where)
        print(exc.format(where), file=sys.stderr)
        return EXIT_ERROR
    out.line(format_result(result))
    return out.finish(
        EXIT_OK,
        {
            "repository": result.full_name,
            "url": result.url,
            "dry_run": result.dry_run,
            "changes": result.changes,
            "notes": result.notes,
            "calls": [{"method": c.method, "path": c.path} for c in result.calls],
            "diagnostics": [],
        },
    )


def cmd_step(args: argparse.Namespace) -> int:
    repo = GeneratedRepo(Path(args.repo))
    extra: dict[str, Any] = {"steps": args.steps}
    if args.steps == ("secrets",):
        extra.update(only_environments=args.env, update_secrets=args.update)
    if args.steps == ("protection",):
        extra["protect_branch"] = args.protect
    return _run(args, args.repo, lambda: publish_repo(repo.root, repo.spec, _options(args, **extra)))


def cmd_setup_from_lld(args: argparse.Namespace) -> int:
    spec = parse_file(args.lld, args.openapi or [], assume_lld=args.assume_lld)
    out = Output.from_args(args)
    for w in spec.warnings:
        out.diag(w.format(args.lld))

    def action() -> Any:
        options = _options(args, update_secrets=args.update_secrets)
        check_request(options, spec.repo)  # before rendering: a name GitHub refuses, an http:// URL
        target = Path(args.output) / spec.repo
        if target.is_dir() and any(target.iterdir()):
            # a re-run (or a half-finished one): publish what was rendered and committed before
            out.diag(f"{target} exists: publishing it as it is (bbws-scaffold update refreshes it)")
        elif args.dry_run:
            # nothing is written: a scratch render is read for the CI check names and CODEOWNERS
            out.line(f"would render {target}")
            target = render(spec, _scratch(), org=args.org, template_src=args.template_src)
        else:
            target = render(spec, args.output, org=args.org, template_src=args.template_src)
            out.line(f"rendered {target}")
        return publish_repo(target, spec, options)

    return _run(args, args.lld, action)


def _scratch() -> Path:
    """A temporary folder for the render a dry run inspects (CI check names, CODEOWNERS)."""
    path = Path(tempfile.mkdtemp(prefix="bbws-scaffold-dry-run-"))
    atexit.register(shutil.rmtree, path, True)
    return path
