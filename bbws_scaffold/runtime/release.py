"""Semantic releases from conventional commits: ``bbws-runtime release plan|create``.

The tool is commitizen (https://commitizen-tools.github.io/commitizen/), imported only here and
only when a release command runs (it pulls in jinja2, questionary, ...; deploys need none of it).
commitizen does the parsing and the arithmetic: it reads the repository's ``[tool.commitizen]``
settings, lists the tags and the commits since the newest version tag, finds the highest increment
with its conventional-commits bump map, bumps the version with its version scheme and renders the
changelog section with its markdown template. This module only strings those together, and adds
two things commitizen does not do the way the platform wants:

- a ``type!:`` commit is listed under ``BREAKING CHANGE`` (commitizen lists only ``BREAKING
  CHANGE:`` footers there and files ``feat!:`` under Feat), so breaking changes come first;
- ``major_version_zero`` applies while the version is 0.x only (commitizen would keep applying it);
- the defaults below when the repository has no commitizen settings.

Rules (commitizen's conventional-commits map): ``feat`` -> minor; ``fix``, ``refactor``, ``perf``
-> patch; ``type!:`` or a ``BREAKING CHANGE:`` footer -> major. Other types (``chore``, ``docs``,
``ci``, ``test``, ...) release nothing. **Before 1.0** (``major_version_zero``) a breaking change
bumps the *minor* version: 0.x makes no compatibility promise, and going to 1.0.0 is a decision a
person makes (``git tag v1.0.0``), after which breaking changes bump the major version. The first
release of a repository without version tags starts from 0.0.0 (so a ``feat`` gives 0.1.0).

``create`` writes the section at the top of CHANGELOG.md, commits it (``bump: version A -> B``,
a type that releases nothing), makes the annotated tag ``vB``, optionally pushes both, and creates
the GitHub Release (notes = the section) with the deployment package and its ``.sha256`` as assets.
"""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.github import GitHubRelease
from bbws_scaffold.runtime.log import log

# used when the repository's pyproject.toml has no [tool.commitizen] (generated repos have one)
DEFAULTS: dict[str, Any] = {
    "name": "cz_conventional_commits",
    "tag_format": "v$version",
    "version_scheme": "semver2",
    "version_provider": "scm",
    "major_version_zero": True,
    "changelog_file": "CHANGELOG.md",
}
BREAKING = "BREAKING CHANGE"


@dataclass(frozen=True)
class ReleasePlan:
    current: str  # the newest released version ("0.0.0" before the first release)
    current_tag: str | None
    version: str | None  # the next version; None: nothing since the last release warrants one
    tag: str | None
    increment: str | None  # MAJOR | MINOR | PATCH
    changelog: str  # the CHANGELOG section of the next version ("" without one)
    commits: int  # commits since current_tag


@contextlib.contextmanager
def _in(repo: Path) -> Iterator[None]:
    with contextlib.chdir(repo):
        yield


def _git(repo: Path, *args: str) -> str:
    res = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)  # noqa: S603,S607
    if res.returncode != 0:
        raise RuntimeOpError(f"git {' '.join(args)}: {res.stderr.strip() or res.stdout.strip()}")
    return res.stdout


def _config() -> Any:
    # commitizen is a release-only dependency (jinja2, questionary, ...): loaded when a release runs
    from commitizen.config import read_cfg

    conf = read_cfg()
    if conf.path is None:  # read_cfg found no file with commitizen settings
        conf.update(cast(Any, DEFAULTS))
    return conf


def _breaking_first(message: dict[str, Any], commit: Any) -> dict[str, Any]:
    if message.get("breaking") == "!":
        message["change_type"] = BREAKING
    return message


def _require_commitizen() -> None:
    try:
        # commitizen is a release-only dependency (jinja2, questionary, ...): loaded when a release runs
        import commitizen  # noqa: F401
    except ImportError as exc:
        raise RuntimeOpError(
            "releases need commitizen: python -m pip install -r .github/requirements-release.txt"
        ) from exc


def plan(repo: Path) -> ReleasePlan:
    """What ``create`` would release now (reads git only)."""
    _require_commitizen()
    # commitizen is a release-only dependency (jinja2, questionary, ...): loaded when a release runs
    from commitizen import changelog, defaults, git
    from commitizen.changelog_formats import get_changelog_format
    from commitizen.factory import committer_factory
    from commitizen.tags import TagRules
    from commitizen.version_increment import VersionIncrement
    from commitizen.version_schemes import get_version_scheme

    _git(repo, "rev-parse", "--verify", "-q", "HEAD")
    with _in(repo):
        conf = _config()
        settings = conf.settings
        cz: Any = committer_factory(conf)
        scheme = get_version_scheme(settings)
        rules = TagRules.from_settings(settings)
        tags = git.get_tags(reachable_only=True)
        released = [(rules.extract_version(t), t) for t in rules.get_version_tags(tags)]
        current, current_tag = max(released, key=lambda vt: vt[0]) if released else (scheme("0.0.0"), None)
        commits = git.get_commits(current_tag.name if current_tag else None)
        # commitizen applies major_version_zero whatever the version (and refuses it on the command line
        # at >= 1.0); here it is the pre-1.0 rule only, so a repository needs no edit when it reaches 1.0
        pre_1 = settings["major_version_zero"] and current.major == 0
        bump_map = cz.bump_map_major_version_zero if pre_1 else cz.bump_map
        increment = VersionIncrement.get_highest_by_messages((c.message for c in commits), cz.bump_pattern, bump_map)
        if increment == VersionIncrement.NONE:
            return ReleasePlan(
                str(current), current_tag.name if current_tag else None, None, None, None, "", len(commits)
            )
        new = current.bump(cast(Any, str(increment)))
        tag = rules.normalize_tag(new)
        tree = changelog.generate_tree_from_commits(
            commits,
            [],  # only the commits since the last release: one section, the new one
            cz.commit_parser,
            cz.changelog_pattern,
            unreleased_version=tag,
            change_type_map=cz.change_type_map,
            changelog_message_builder_hook=_breaking_first,
            rules=rules,
        )
        order = cz.change_type_order or defaults.CHANGE_TYPE_ORDER
        tree = changelog.generate_ordered_changelog_tree(tree, order)
        fmt = get_changelog_format(conf, str(settings.get("changelog_file") or DEFAULTS["changelog_file"]))
        section = changelog.render_changelog(tree, loader=cz.template_loader, template=fmt.template)
    return ReleasePlan(
        current=str(current),
        current_tag=current_tag.name if current_tag else None,
        version=str(new),
        tag=tag,
        increment=str(increment),
        changelog=section.strip() + "\n",
        commits=len(commits),
    )


def write_changelog(path: Path, section: str) -> None:
    """Put ``section`` on top of the released ones (under a ``# Changelog`` title); nothing is dropped."""
    title = "# Changelog\n"
    old = path.read_text(encoding="utf-8") if path.exists() else title
    body = old[len(title) :] if old.startswith(title) else old
    parts = [title.strip(), section.strip(), body.strip()]
    path.write_text("\n\n".join(p for p in parts if p) + "\n", encoding="utf-8")


def sha256_line(artifact: Path) -> str:
    """``<hex digest>  <file name>``: the format ``sha256sum -c`` reads."""
    return f"{hashlib.sha256(artifact.read_bytes()).hexdigest()}  {artifact.name}\n"


def create(
    repo: Path,
    *,
    artifact: Path,
    github: GitHubRelease | None,
    push: str | None = None,
    on_github: bool = False,
) -> ReleasePlan:
    """Release the plan: CHANGELOG.md, the release commit, tag ``vX``, push, GitHub Release + assets.

    ``on_github`` (CI, where main is protected): no commit and no push; GitHub creates the tag at
    this commit with the release, whose notes are the changelog section (CHANGELOG.md is not
    written); the same lightweight tag is made locally once the release exists."""
    if not artifact.is_file():
        raise RuntimeOpError(f"{artifact} does not exist: build the deployment package first (scripts/package.sh)")
    if _git(repo, "status", "--porcelain", "--untracked-files=no").strip():
        raise RuntimeOpError("the working tree has uncommitted changes: a release is made from a clean checkout")
    if on_github and github is None:
        raise RuntimeOpError("a release tagged on GitHub needs GitHub (drop --no-github)")
    p = plan(repo)
    if p.version is None or p.tag is None:
        return p
    target = _git(repo, "rev-parse", "HEAD").strip()
    if not on_github:
        with _in(repo):
            changelog_file = str(_config().settings.get("changelog_file") or DEFAULTS["changelog_file"])
        write_changelog(repo / changelog_file, p.changelog)
        _git(repo, "add", changelog_file)
        _git(repo, "commit", "-q", "--no-verify", "-m", f"bump: version {p.current} → {p.version}")
        _git(repo, "tag", "-a", p.tag, "-m", f"{p.tag}\n\n{p.changelog}")
        log("release.tagged", tag=p.tag, increment=p.increment, commits=p.commits)
        if push:
            _git(repo, "push", "-q", push, "HEAD", f"refs/tags/{p.tag}")
        target = _git(repo, "rev-parse", "HEAD").strip()
    if github is not None:
        digest_file = artifact.parent / f"{artifact.name}.sha256"
        digest_file.write_text(sha256_line(artifact), encoding="utf-8")
        release = github.create(p.tag, name=p.tag, body=p.changelog, target=target)
        github.upload(release, artifact, "application/zip")
        github.upload(release, digest_file, "text/plain")
        log("release.published", tag=p.tag, target=target, url=release.get("html_url", ""))
        if on_github:  # the lightweight tag GitHub made, here too (as the next fetch would bring it)
            _git(repo, "tag", p.tag, target)
    return p
