"""``bbws-scaffold update``: bring blueprint and LLD changes into a generated repo, keeping hand edits.

copier's update, done in two renders instead of copier's five (two for the plan, three in
``copier update``), with copier's merge rules (:mod:`bbws_scaffold.render.merge`):

- refuse a dirty work tree with a clear message (copier's own refusal is terse);
- render the recorded version with the stored answers (the last pristine render) and the target
  version with the new answers, once each (once in all when neither changed); the file-level plan
  (added, modified, removed) is the difference of the two;
- the template at a version comes from the library itself: the installed blueprints for the
  installed version, the shipped history bundle (:data:`HISTORY_BUNDLE`) for earlier releases, and
  the recorded ``_src_path`` only for any other version, so an update works offline, behind a
  firewall, or before the project is published; a plain ``copier update`` still uses the recorded
  source;
- refuse when a file the update would delete carries edits (copier deletes it silently), or,
  with ``--keep-removed``, keep the edited copy under :data:`KEPT_DIR` (never over an earlier one);
- write the result crash-safely (:mod:`bbws_scaffold.render.journal`): a ``kill -9`` leaves the
  old tree, or a journal the next run finishes; never a mix;
- after the update, report every conflict marker as ``file:line`` (copier does not raise).

Nothing here has side effects beyond the repo's work tree (and a scratch folder in its git dir
while it runs): no commit is made, so the user reviews the result with ``git diff`` and commits it.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bbws_scaffold.errors import RepoError, UpdateError
from bbws_scaffold.generated import ANSWERS_FILE, GeneratedRepo
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.output import Progress
from bbws_scaffold.plan.answers import BLUEPRINT, answers_data, check_spec, runtime_answer, sorted_mappings
from bbws_scaffold.render import journal
from bbws_scaffold.render.merge import Write, merge_trees, tree_files
from bbws_scaffold.render.new import _pin_source, project_root, staged_template, template_ref

KEPT_DIR = "removed-by-update"
HISTORY_BUNDLE = "template-history.bundle"  # the release tags, shipped beside copier.yml (see hatch_build.py)
HISTORY_ENV = "BBWS_SCAFFOLD_HISTORY"
CONFLICT_START = "<<<<<<< before updating"
CONFLICT_END = ">>>>>>> after updating"


@dataclass
class Plan:
    """What the update changes, file by file (paths relative to the repo, sorted)."""

    from_ref: str
    to_ref: str
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    edited: set[str] = field(default_factory=set)  # generated files the user has changed since the last render
    diffs: dict[str, str] = field(default_factory=dict)  # path -> unified diff old render -> new (when asked)

    @property
    def edited_removed(self) -> list[str]:
        return [p for p in self.removed if p in self.edited]

    @property
    def merges(self) -> list[str]:
        """Files changed both by the update and by the user: copier merges them three ways."""
        return [p for p in self.modified if p in self.edited]

    def render(self) -> str:
        lines = [f"update {self.from_ref} -> {self.to_ref}"]
        rows = [("added", self.added), ("modified", self.modified), ("removed", self.removed)]
        if not any(paths for _, paths in rows):
            return lines[0] + ": nothing to change"
        for label, paths in rows:
            for p in paths:
                note = ""
                if label == "modified" and p in self.edited:
                    note = "  (merged with your edits)"
                elif label == "removed" and p in self.edited:
                    note = "  (has your edits)"
                lines.append(f"  {label:<9}{p}{note}")
        return "\n".join(lines)


@dataclass
class Conflict:
    path: str
    line: int

    def format(self) -> str:
        return f"{self.path}:{self.line}: conflict: the update and your edits both changed this block"


@dataclass
class Result:
    plan: Plan
    changes: dict[str, list[str]] = field(default_factory=dict)  # from git status: added/modified/removed
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    recovered: bool = False  # True: this finished an update a crash had interrupted


def normalise_ref(version: str) -> str:
    """``1.2.0`` and ``v1.2.0`` both name the release tag ``v1.2.0``; other refs pass through."""
    return f"v{version}" if version[:1].isdigit() else version


# ---------------------------------------------------------------------------------------------
# the new answers


def new_answers(
    repo: GeneratedRepo, lld: str | None, openapi: list[str | Path], *, assume_lld: bool = False
) -> dict[str, Any]:
    """The answers the update renders with: the LLD re-parsed when given, else the stored spec
    replayed, with the derived answers recomputed by this library (for other blueprints only the
    runtime pin is recomputed)."""
    answers = repo.answers
    blueprint = repo.blueprint
    if blueprint != BLUEPRINT:
        if lld:
            raise UpdateError(f"--lld applies to {BLUEPRINT} repos; this one is a {blueprint} repo")
        return {"runtime": runtime_answer()}  # the rest replays as stored
    if lld:
        spec = parse_file(lld, list(openapi), assume_lld=assume_lld)
        for w in spec.warnings:
            print(w.format(lld), file=sys.stderr)
        old_repo = (answers.get("spec") or {}).get("repo")
        if old_repo and spec.repo != old_repo:
            raise UpdateError(
                f"{lld} describes {spec.repo}, but this repo is {old_repo}; refusing to turn one service into another"
            )
    else:
        spec = repo.spec
    check_spec(spec)
    return answers_data(spec, answers.get("org") or "", answers.get("environments") or None)


# ---------------------------------------------------------------------------------------------
# the template at a version: installed, shipped history, or the recorded source


class SourceError(UpdateError):
    """The template version cannot be had; located at the answers file's ``_src_path`` line."""

    def __init__(self, answers: Path, message: str):
        self.file = answers
        self.line = _line_of(answers, "_src_path:")
        super().__init__(message)

    def format(self, where: str) -> str:
        return f"{self.file}:{self.line}: error: {self}"


def _line_of(path: Path, prefix: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((n for n, ln in enumerate(lines, 1) if ln.startswith(prefix)), 1)


def history_bundle() -> Path | None:
    """The git bundle of the template's release tags shipped with the library, if any
    (``BBWS_SCAFFOLD_HISTORY`` names another)."""
    env = os.environ.get(HISTORY_ENV)
    path = Path(env) if env else project_root() / HISTORY_BUNDLE
    return path if path.is_file() else None


def bundle_tags(bundle: Path) -> set[str]:
    res = subprocess.run(["git", "bundle", "list-heads", str(bundle)], capture_output=True, text=True)
    heads = (ln.split()[-1] for ln in res.stdout.splitlines() if ln.strip()) if res.returncode == 0 else ()
    return {h.removeprefix("refs/tags/") for h in heads if h.startswith("refs/tags/")}


def _short(exc: BaseException) -> str:
    """A one-line reason, never a tool's raw output."""
    text = str(exc)
    if "Unknown revision" in text or "did not match any" in text or "unknown revision" in text:
        return "no such version there"
    if isinstance(exc, (OSError, subprocess.SubprocessError)) or "git" in text.split(" ", 1)[0] or "fatal:" in text:
        return "it cannot be reached (offline, a firewall, or not published yet?)"
    return " ".join(text.split())[:300]


def render_at(repo: GeneratedRepo, ref: str, data: Mapping[str, Any], dst: Path) -> Any:
    """Render the template at ``ref`` with ``data`` into ``dst`` and pin the answers file to the
    recorded source; returns copier's worker. The installed blueprints serve the library's own
    version, the shipped history bundle older releases; only another version needs the recorded
    source (so an update at the installed version never leaves the machine)."""
    import copier  # ~0.4 s to import: only a render pays it

    src, _ = repo.template
    options: dict[str, Any] = {"defaults": True, "overwrite": True, "quiet": True, "unsafe": False}
    bundle = history_bundle()
    if ref == template_ref():
        where, origin = str(staged_template()), "the installed template"
    elif bundle is not None and ref in bundle_tags(bundle):
        where, origin, options["vcs_ref"] = str(bundle), f"the template history {bundle}", ref
    else:
        where, origin, options["vcs_ref"] = src, f"the template source {src}", ref
    env = {"GIT_TERMINAL_PROMPT": "0"}  # an unreachable private host must fail, not ask for a password
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        worker = copier.run_copy(where, str(dst), data=sorted_mappings(dict(data)), **options)
    except Exception as exc:  # unknown tag, unreachable source, template error
        hint = (
            ""
            if where != src
            else f"; this library has {template_ref()} installed"
            + (f" and ships {', '.join(sorted(bundle_tags(bundle)))}" if bundle else "")
        )
        raise SourceError(repo.answers_path, f"cannot render {origin} at {ref}: {_short(exc)}{hint}") from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    _pin_source(dst / ANSWERS_FILE, src, ref)
    return worker


def _digests(root: Path) -> dict[str, str]:
    return {rel: hashlib.sha256(p.read_bytes()).hexdigest() for rel, p in tree_files(root).items()}


def unified_diff(path: str, old: Path, new: Path) -> str:
    """The unified diff (difflib) of one file between the old and the new render; binary files
    and files that are not UTF-8 are named, not shown."""
    try:
        before = old.read_text(encoding="utf-8").splitlines(keepends=True) if old.is_file() else []
        after = new.read_text(encoding="utf-8").splitlines(keepends=True) if new.is_file() else []
    except UnicodeDecodeError:
        return f"Binary files a/{path} and b/{path} differ\n"
    a = f"a/{path}" if old.is_file() else "/dev/null"
    b = f"b/{path}" if new.is_file() else "/dev/null"
    lines = difflib.unified_diff(before, after, a, b)
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines)


def plan_of(repo: GeneratedRepo, old: Path, new: Path, from_ref: str, to_ref: str, *, diff: bool = False) -> Plan:
    """The file-level plan from the two renders (the last one and the next one); with ``diff``,
    each changed file's unified diff too."""
    olds, news = _digests(old), _digests(new)
    plan = Plan(from_ref=from_ref, to_ref=to_ref)
    for path in sorted(set(olds) | set(news)):
        if path == ANSWERS_FILE:
            continue
        if path not in olds:
            plan.added.append(path)
        elif path not in news:
            plan.removed.append(path)
        elif olds[path] != news[path]:
            plan.modified.append(path)
        if diff and olds.get(path) != news.get(path):
            plan.diffs[path] = unified_diff(path, old / path, new / path)
        if path in olds and journal.digest(repo.root / path) not in (None, olds[path]):
            plan.edited.add(path)
    return plan


def kept_path(root: Path, rel: str, content: bytes, taken: set[str]) -> str:
    """Where the edited copy of a removed ``rel`` is kept: ``removed-by-update/REL``, or, when an
    earlier update kept a different copy there, ``NAME.2.EXT``, ``NAME.3.EXT``, ... (the first
    free one; a copy with the same bytes is the same copy)."""
    first = PurePosixPath(KEPT_DIR) / rel
    n = 1
    while True:
        cand = first if n == 1 else first.with_name(f"{first.stem}.{n}{first.suffix}")
        path = root / cand
        if cand.as_posix() not in taken and (not path.exists() or path.read_bytes() == content):
            return cand.as_posix()
        n += 1


# ---------------------------------------------------------------------------------------------
# the update


def find_conflicts(repo: Path, paths: list[str]) -> list[Conflict]:
    """Every ``<<<<<<< before updating`` marker copier left in ``paths``, as file:line."""
    found: list[Conflict] = []
    for rel in sorted(set(paths)):
        p = repo / rel
        if not p.is_file():
            continue
        try:
            lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        found += [Conflict(rel, n) for n, ln in enumerate(lines, 1) if ln.rstrip() == CONFLICT_START]
    return found


def _changes(repo: GeneratedRepo) -> dict[str, list[str]]:
    changes: dict[str, list[str]] = {"added": [], "modified": [], "removed": []}
    for code, path in ((c.code, c.path) for c in repo.status()):
        if "D" in code:
            changes["removed"].append(path)
        elif code == "??" or code.startswith("A"):
            changes["added"].append(path)
        else:
            changes["modified"].append(path)
    return {k: sorted(v) for k, v in changes.items()}


def update(
    repo: str | Path = ".",
    *,
    lld: str | None = None,
    openapi: list[str | Path] | None = None,
    to: str | None = None,
    dry_run: bool = False,
    keep_removed: bool = False,
    diff: bool = False,
    progress: Progress | None = None,
    assume_lld: bool = False,
) -> Result:
    """Update ``repo`` in place (or only plan it, with ``dry_run``). Raises :class:`UpdateError`
    before touching anything when the update is unsafe. An update a crash interrupted while
    writing is finished first (and is what this call returns)."""
    t0 = time.perf_counter()
    generated = GeneratedRepo(Path(repo))
    if generated.is_git and journal.pending(generated.git_dir):
        if dry_run:
            raise RepoError(
                f"{generated.root}: an update was interrupted while writing; "
                "run `bbws-scaffold update` (without --dry-run) to finish it"
            )
        return _finish(generated, journal.finish(generated.git_dir, generated.root), recovered=True)
    if generated.is_git:
        journal.drop_stale(generated.git_dir)
    generated.require_clean()
    generated.template  # refuses an answers file that records no template version, before any work
    _, old_ref = generated.template
    to_ref = normalise_ref(to) if to else template_ref()
    data = new_answers(generated, lld, openapi or [], assume_lld=assume_lld)
    old_data = generated.user_answers
    new_data = {**old_data, **data}
    t1 = time.perf_counter()
    progress = progress or Progress()
    with journal.scratch(generated.git_dir) as work:
        old = work / "old"
        with progress.step(f"render {old_ref} (as generated)"):
            worker = render_at(generated, old_ref, old_data, old)
        if to_ref == old_ref and new_data == old_data:
            new = old  # the same template and answers render the same tree: once is enough
        else:
            new = work / "new"
            with progress.step(f"render {to_ref} (with the new answers)"):
                worker = render_at(generated, to_ref, new_data, new)
        plan = plan_of(generated, old, new, old_ref, to_ref, diff=diff)
        t2 = time.perf_counter()
        timings = {"prepare_s": t1 - t0, "plan_s": t2 - t1}
        if dry_run:
            return Result(plan=plan, timings=timings)
        at_risk = plan.edited_removed
        if at_risk and not keep_removed:
            raise UpdateError(
                "the update would delete files that carry your edits: "
                + ", ".join(at_risk)
                + f"; move your changes elsewhere first, or rerun with --keep-removed to keep them under {KEPT_DIR}/"
            )
        stage = work / "stage"
        user_owned = _user_owned(worker)
        with progress.step("three-way merge"):
            outcome = merge_trees(
                old, new, generated.root, stage, user_owned=user_owned, replace=frozenset({ANSWERS_FILE})
            )
        writes, kept = list(outcome.writes), list[str]()
        for rel in at_risk:
            content = (generated.root / rel).read_bytes()
            dest = kept_path(generated.root, rel, content, set(kept))
            kept.append(dest)
            if not (generated.root / dest).exists():
                source = work / "kept" / dest
                source.parent.mkdir(parents=True, exist_ok=True)
                source.write_bytes(content)
                writes.append(Write(dest, source, (generated.root / rel).stat().st_mode & 0o777))
        meta: dict[str, Any] = {
            "plan": {**asdict(plan), "edited": sorted(plan.edited)},
            "kept": kept,
            "conflicts": outcome.conflicts,
            "timings": timings,
        }
        try:
            journal.commit(work, generated.root, writes, outcome.deletes, meta)
        except OSError as exc:
            # the tree was clean before, so putting it back is exact: nothing half-updated is left
            (work / journal.JOURNAL).unlink(missing_ok=True)
            generated.restore_head()
            raise UpdateError(f"could not write the update into {generated.root} ({exc}); nothing was changed") from exc
        generated.mark_unmerged({p: (_file(old, p), _file(new, p)) for p in outcome.conflicts})
    result = _finish(generated, meta)
    result.timings["update_s"] = time.perf_counter() - t2
    return result


def _file(render: Path, rel: str) -> Path | None:
    path = render / rel
    return path if path.is_file() else None


def _user_owned(worker: Any) -> Any:
    """The new template's ``_skip_if_exists`` patterns as a test on a repository path."""
    match = worker.match_skip
    return lambda rel: bool(match(Path(rel)))


def _finish(generated: GeneratedRepo, meta: Mapping[str, Any], recovered: bool = False) -> Result:
    """The result of an applied journal: what git now sees, and the conflicts to resolve."""
    p = dict(meta["plan"])
    plan = Plan(**{**p, "edited": set(p["edited"])})
    result = Result(plan=plan, kept=list(meta["kept"]), timings=dict(meta.get("timings") or {}), recovered=recovered)
    result.changes = _changes(generated)
    result.conflicts = find_conflicts(generated.root, list(meta["conflicts"]))
    return result
