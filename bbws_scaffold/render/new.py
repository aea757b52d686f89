"""``bbws-scaffold new``: render a ``ServiceSpec`` into a new repository, atomically.

The template source recorded in the generated repo is this project's git repository (a URL, not
a path of this machine) at the library's own version tag, so that a later ``copier update``
in the generated repo resolves it. Rendering itself uses the blueprints shipped with the
library (no network): the answers file is then pointed at that stable source.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pathspec import GitIgnoreSpec

from bbws_scaffold import __version__
from bbws_scaffold.errors import RenderError
from bbws_scaffold.generated import ANSWERS_FILE
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.naming import DEFAULT_ORG
from bbws_scaffold.pipeline.syntax import syntax_errors
from bbws_scaffold.plan.answers import answers_data, check_spec, sorted_mappings
from bbws_scaffold.plan.wordpress import REPO_NAME as WORDPRESS_REPO
from bbws_scaffold.yamlfile import dump_answers, read_yaml

DEFAULT_TEMPLATE_SRC = "https://github.com/BigBeardWebSolutions/bbws-scaffold.git"
TEMPLATE_ENV = "BBWS_SCAFFOLD_TEMPLATE"


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


FORCE_RULE = (
    "--force replaces only a previous render that is not a git repository and holds nothing but "
    "the files bbws-scaffold writes (its business-logic files unchanged)"
)


def _refuse_force(target: Path, why: str) -> RenderError:
    return RenderError(
        f"refusing to replace it: {why}. {FORCE_RULE}; to bring changes into an existing "
        "repository use `bbws-scaffold update`, otherwise move the folder away",
        where=str(target),
    )


def _check_forceable(target: Path) -> None:
    """Before rendering: ``target`` may only be replaced if it is a folder a previous render made
    (its answers file present) and not a git work tree (history is never deleted)."""
    if target.is_symlink() or not target.is_dir():
        raise _refuse_force(target, "it is not a folder")
    if (target / ".git").exists() or (target / ".git").is_symlink():
        raise _refuse_force(target, "it is a git repository")
    if not (target / ANSWERS_FILE).is_file():
        raise _refuse_force(target, f"it has no {ANSWERS_FILE}, so bbws-scaffold did not render it")


def _user_owned(stage: Path) -> GitIgnoreSpec:
    """The template's ``_skip_if_exists`` patterns: files the user owns once written (matched by
    pathspec with gitignore rules, as copier matches them)."""
    patterns = read_yaml(stage / "copier.yml", "the copier template", RenderError).get("_skip_if_exists") or []
    return GitIgnoreSpec.from_lines(patterns)


def _first_foreign(target: Path, fresh: Path, user_owned: GitIgnoreSpec) -> str | None:
    """Why replacing ``target`` with ``fresh`` would lose something, naming the first such path
    (sorted): one the fresh render does not write, or a user-owned file (``_skip_if_exists``)
    whose content is not the stub the render writes; ``None`` when nothing would be lost."""
    for dirpath, dirnames, filenames in os.walk(target):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(target).as_posix()
            twin = fresh / rel
            if path.is_dir() and not path.is_symlink():
                if not twin.is_dir():
                    return f"{rel}/ is not a folder bbws-scaffold writes"
            elif path.is_symlink() or not path.is_file() or not twin.is_file():
                return f"{rel} is not a file bbws-scaffold writes"
            elif user_owned.match_file(rel) and path.read_bytes() != twin.read_bytes():
                return f"{rel} is yours (bbws-scaffold writes it once) and carries your edits"
    return None


def _assert_parses(root: Path, repo_name: str) -> None:
    """Hand over nothing broken: every generated Python file byte-compiles and every YAML, JSON,
    TOML and HCL file parses, else the render is refused (a generator bug, named by file)."""
    broken = syntax_errors(root)
    if broken:
        where = "; ".join(f"{f.location}: {f.message}" for f in broken[:5])
        more = f" (and {len(broken) - 5} more)" if len(broken) > 5 else ""
        raise RenderError(
            f"internal error: the render of {repo_name} does not parse, nothing was written: {where}{more}"
        )


def _pin_source(answers: Path, src: str, ref: str) -> None:
    """Record the stable template source and version instead of the local staging folder."""
    text = answers.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith(("_src_path:", "_commit:"))]
    # the same YAML style copier's to_nice_yaml writes, so an update rewrites nothing
    pinned = dump_answers({"_commit": ref, "_src_path": src})
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
    import copier  # ~0.4 s to import: only a render pays it (not `repo create`, not `update --help`)

    timings = timings if timings is not None else Timings()
    out = Path(output).resolve()
    target = out / repo_name
    if target.resolve().parent != out:
        raise RenderError(f"repository name {repo_name!r} escapes {out}")
    replacing = target.is_symlink() or (target.exists() and (not target.is_dir() or any(target.iterdir())))
    if replacing and not force:
        raise RenderError(
            "exists and is not empty (`--force` replaces a previous render; `bbws-scaffold update` brings "
            "changes into a generated repository)",
            where=str(target),
        )
    if replacing:
        _check_forceable(target)
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
        _assert_parses(tmp, repo_name)
        if replacing and (foreign := _first_foreign(target, tmp, _user_owned(stage))) is not None:
            raise _refuse_force(target, foreign)
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


def render_wordpress(
    output: str | Path = ".",
    *,
    answers: dict[str, Any],
    force: bool = False,
    template_src: str | None = None,
    vcs_ref: str | None = None,
) -> Path:
    """Render ``output/2_bbws_wordpress_container`` from
    :func:`bbws_scaffold.plan.wordpress.wordpress_answers` (atomically)."""
    return render_repo(WORDPRESS_REPO, answers, output, force=force, template_src=template_src, vcs_ref=vcs_ref)
