"""``bbws-scaffold update``: bring blueprint and LLD changes into a generated repo, keeping hand edits.

copier's three-way merge does the work (old render -> the user's tree, replayed onto the new
render). What copier does not do, this module does around it:

- refuse a dirty work tree with a clear message (copier's own refusal is terse);
- compute the file-level plan first, by rendering the recorded version with the stored answers
  and the target version with the new answers: which files are added, modified and removed;
- refuse when a file the update would delete carries edits (copier deletes it silently), or,
  with ``--keep-removed``, keep the edited copy under :data:`KEPT_DIR`;
- after the update, report every conflict marker as ``file:line`` (copier does not raise).

Nothing here has side effects beyond the repo's work tree: no commit is made, so the user reviews
the result with ``git diff`` and commits it.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bbws_scaffold.errors import UpdateError
from bbws_scaffold.generated import ANSWERS_FILE, GeneratedRepo
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.plan.answers import BLUEPRINT, answers_data, check_spec, runtime_answer
from bbws_scaffold.render.new import template_ref

KEPT_DIR = "removed-by-update"
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
# the plan


def _render(src: str, ref: str, data: Mapping[str, Any], dst: Path) -> dict[str, str]:
    """Render ``src`` at ``ref`` with ``data`` into ``dst``; returns {path: sha256}."""
    import copier  # ~0.4 s to import: only a render pays it

    try:
        copier.run_copy(src, str(dst), data=dict(data), vcs_ref=ref, defaults=True, overwrite=True, quiet=True)
    except Exception as exc:  # unknown tag, unreachable source, template error: all end the same way
        raise UpdateError(f"cannot render the template {src} at {ref}: {exc}") from exc
    return {
        p.relative_to(dst).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in dst.rglob("*") if p.is_file()
    }


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def make_plan(repo: GeneratedRepo, data: Mapping[str, Any] | None, to_ref: str) -> Plan:
    src, old_ref = repo.template
    old_data = repo.user_answers
    new_data = {**old_data, **(data or {})}
    plan = Plan(from_ref=old_ref, to_ref=to_ref)
    if to_ref == old_ref and new_data == old_data:
        return plan  # same template, same answers: the renders would be identical
    with tempfile.TemporaryDirectory(prefix="bbws-update-plan-") as tmp:
        old = _render(src, old_ref, old_data, Path(tmp) / "old")
        new = _render(src, to_ref, new_data, Path(tmp) / "new")
    for path in sorted(set(old) | set(new)):
        if path == ANSWERS_FILE:
            continue
        if path not in old:
            plan.added.append(path)
        elif path not in new:
            plan.removed.append(path)
        elif old[path] != new[path]:
            plan.modified.append(path)
        if path in old and _digest(repo.root / path) not in (None, old[path]):
            plan.edited.add(path)
    return plan


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
    assume_lld: bool = False,
) -> Result:
    """Update ``repo`` in place (or only plan it, with ``dry_run``). Raises :class:`UpdateError`
    before touching anything when the update is unsafe."""
    import copier  # ~0.4 s to import: only a render pays it

    t0 = time.perf_counter()
    generated = GeneratedRepo(Path(repo))
    generated.require_clean()
    generated.template  # refuses an answers file that records no template version, before any work
    root = generated.root
    to_ref = normalise_ref(to) if to else template_ref()
    data = new_answers(generated, lld, openapi or [], assume_lld=assume_lld)
    t1 = time.perf_counter()
    plan = make_plan(generated, data, to_ref)
    t2 = time.perf_counter()
    result = Result(plan=plan, timings={"prepare_s": t1 - t0, "plan_s": t2 - t1})
    if dry_run:
        return result
    at_risk = plan.edited_removed
    if at_risk and not keep_removed:
        raise UpdateError(
            "the update would delete files that carry your edits: "
            + ", ".join(at_risk)
            + f"; move your changes elsewhere first, or rerun with --keep-removed to keep them under {KEPT_DIR}/"
        )
    kept = {p: (root / p).read_bytes() for p in at_risk}
    try:
        copier.run_update(
            str(root),
            data=data,
            vcs_ref=to_ref,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            conflict="inline",
            quiet=True,
            unsafe=False,
        )
    except Exception as exc:
        # the tree was clean before, so putting it back is exact: nothing half-updated is left
        generated.restore_head()
        raise UpdateError(f"copier could not update {root} ({exc}); nothing was changed") from exc
    for rel, content in kept.items():
        dest = root / KEPT_DIR / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(content)
        result.kept.append(f"{KEPT_DIR}/{rel}")
    result.changes = _changes(generated)
    touched = [p for paths in result.changes.values() for p in paths]
    result.conflicts = find_conflicts(root, touched)
    result.timings["update_s"] = time.perf_counter() - t2
    return result
