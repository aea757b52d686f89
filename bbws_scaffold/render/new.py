"""``bbws-scaffold new``: render a ``ServiceSpec`` into a new repository, atomically.

The template source recorded in the generated repo is this project's git repository (a URL, not
a path of this machine) at the library's own version tag, so that a later ``copier update``
in the generated repo resolves it. Rendering itself uses the blueprints shipped with the
library (no network): the answers file is then pointed at that stable source.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bbws_scaffold import __version__
from bbws_scaffold.errors import RenderError
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.plan.answers import BLUEPRINT, answers_data, check_spec, sorted_mappings

DEFAULT_TEMPLATE_SRC = "https://github.com/BigBeardWebSolutions/bbws-scaffold.git"
TEMPLATE_ENV = "BBWS_SCAFFOLD_TEMPLATE"
DEFAULT_ORG = "BigBeardWebSolutions"


def project_root() -> Path:
    """Folder holding ``copier.yml`` and ``blueprints/`` (a checkout or an installed package)."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent.parent, here.parent / "data"):
        if (cand / "copier.yml").is_file() and (cand / "blueprints").is_dir():
            return cand
    raise RenderError("cannot find copier.yml and blueprints/ next to bbws_scaffold")


def template_source() -> str:
    return os.environ.get(TEMPLATE_ENV) or DEFAULT_TEMPLATE_SRC


def template_ref() -> str:
    return f"v{__version__}"


def staged_template() -> Path:
    """A plain (non-git) copy of copier.yml and blueprints/, removed at exit.

    copier treats a git repository root as a VCS source and clones it (and refuses a
    subdirectory reached through a symlink); the checkout's working tree must be rendered as it
    is, so it is presented as a plain folder.
    """
    root = project_root()
    stage = Path(tempfile.mkdtemp(prefix="bbws-scaffold-template-"))
    atexit.register(shutil.rmtree, stage, True)
    shutil.copy2(root / "copier.yml", stage / "copier.yml")
    shutil.copytree(
        root / "blueprints",
        stage / "blueprints",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store"),
    )
    return stage


@dataclass
class Timings:
    render_s: float = 0.0
    write_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


def _assert_inside(root: Path) -> None:
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if p.is_symlink() or not p.resolve().is_relative_to(real_root):
                raise RenderError(f"refusing to write {p.relative_to(root)}: it points outside the repository")


def _pin_source(answers: Path, src: str, ref: str) -> None:
    """Record the stable template source and version instead of the local staging folder."""
    import yaml

    text = answers.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith(("_src_path:", "_commit:"))]
    # the same YAML style copier's to_nice_yaml writes, so an update rewrites nothing
    pinned = yaml.dump({"_commit": ref, "_src_path": src}, default_flow_style=False, allow_unicode=True, indent=4)
    head = pinned.rstrip("\n").splitlines()
    at = 1 if lines and lines[0].startswith("#") else 0
    answers.write_text("\n".join(lines[:at] + head + lines[at:]) + "\n", encoding="utf-8")


def render(
    spec: ServiceSpec,
    output: str | Path = ".",
    *,
    org: str = DEFAULT_ORG,
    force: bool = False,
    template_src: str | None = None,
    vcs_ref: str | None = None,
    timings: Timings | None = None,
) -> Path:
    """Render ``spec`` into ``output/<spec.repo>`` atomically; returns the repository path."""
    check_spec(spec)
    return render_repo(
        spec.repo,
        answers_data(spec, org),
        output,
        force=force,
        template_src=template_src,
        vcs_ref=vcs_ref,
        timings=timings,
    )


def render_repo(
    repo_name: str,
    data: dict[str, Any],
    output: str | Path = ".",
    *,
    force: bool = False,
    template_src: str | None = None,
    vcs_ref: str | None = None,
    timings: Timings | None = None,
) -> Path:
    """Render the blueprint ``data["blueprint"]`` with the answers ``data`` into
    ``output/<repo_name>`` atomically (a temp folder beside it, then one rename); returns the
    repository path. Nothing is left behind on error, and nothing may point outside the repo."""
    import copier

    timings = timings if timings is not None else Timings()
    out = Path(output).resolve()
    target = out / repo_name
    if target.resolve().parent != out:
        raise RenderError(f"repository name {repo_name!r} escapes {out}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        raise RenderError(f"{target} exists and is not empty (use --force to replace it)")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{repo_name}.tmp-", dir=out))
    stage: Path | None = None
    try:
        t0 = time.perf_counter()
        stage = staged_template()
        copier.run_copy(
            str(stage),
            str(tmp),
            data=sorted_mappings(data),
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=False,
        )
        t1 = time.perf_counter()
        _pin_source(tmp / ".copier-answers.yml", template_src or template_source(), vcs_ref or template_ref())
        _assert_inside(tmp)
        if target.exists() or target.is_symlink():
            aside = Path(tempfile.mkdtemp(prefix=f".{repo_name}.old-", dir=out))
            os.replace(target, aside / "old")
            os.replace(tmp, target)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(tmp, target)
        timings.render_s += t1 - t0
        timings.write_s += time.perf_counter() - t1
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    return target


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
    from bbws_scaffold.render.wordpress import add_wordpress_arguments

    p = subparsers.add_parser("new", help="render a new Lambda service repository from an LLD (or the WordPress image)")
    p.add_argument(
        "--blueprint",
        choices=[BLUEPRINT, "wordpress_image"],
        default=BLUEPRINT,
        help=f"what to render (default {BLUEPRINT}; wordpress_image needs no LLD)",
    )
    p.add_argument("--lld", metavar="FILE", help=f"the LLD markdown file (required for {BLUEPRINT})")
    p.add_argument("--openapi", action="append", metavar="SPEC", help="external OpenAPI file (repeatable)")
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
    from bbws_scaffold.lld.parser import parse_file

    if args.blueprint == "wordpress_image":
        from bbws_scaffold.render.wordpress import cmd_new_wordpress

        return cmd_new_wordpress(args)
    if not args.lld:
        print(f"bbws-scaffold new: error: --lld FILE is required for the {BLUEPRINT} blueprint", file=sys.stderr)
        return 2
    if args.publish:
        from bbws_scaffold.publish.cli import cmd_setup_from_lld
        from bbws_scaffold.publish.client import DEFAULT_API_URL

        args.api_url = args.api_url or DEFAULT_API_URL
        return cmd_setup_from_lld(args)
    if args.dry_run or args.api_url or args.config:
        print("bbws-scaffold new: error: --dry-run, --api-url and --config go with --publish", file=sys.stderr)
        return 2
    spec = parse_file(args.lld, args.openapi or [])
    for w in spec.warnings:
        print(w.format(args.lld), file=sys.stderr)
    try:
        target = render(spec, args.output, org=args.org, force=args.force, template_src=args.template_src)
    except RenderError as exc:
        print(f"{args.lld}:1: error: {exc}", file=sys.stderr)
        return 2
    print(summary(target, spec))
    return 0
