"""Property: committed hand edits survive an update that brings nothing new, byte for byte.

Random edits (insert, replace or delete lines, append text, delete a file, add a file) to random
generated files are committed; ``bbws-scaffold update`` with the same template version and the
stored spec must then leave the tree exactly as the commit has it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbws_scaffold.render.update import update
from tests.gitrepo import commit_all, git, status

pytestmark = pytest.mark.e2e

# text an engineer might type: code-ish characters, no NUL, no CR (git would normalise nothing,
# but a CR-only line ending is not what a generated text file holds)
LINE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r"), max_size=40)

EDIT = st.one_of(
    st.tuples(st.just("insert"), st.integers(min_value=0), LINE),
    st.tuples(st.just("replace"), st.integers(min_value=0), LINE),
    st.tuples(st.just("delete_line"), st.integers(min_value=0), st.just("")),
    st.tuples(st.just("append"), st.just(0), LINE),
    st.tuples(st.just("delete_file"), st.just(0), st.just("")),
    st.tuples(st.just("new_file"), st.just(0), LINE),
)


def apply_edit(repo: Path, files: list[str], pick: int, edit: tuple[str, int, str]) -> None:
    kind, at, text = edit
    path = repo / files[pick % len(files)]
    if kind == "new_file":
        target = path.parent / f"hand_written_{pick}.txt"
        target.write_text(text + "\n", encoding="utf-8")
        return
    if not path.exists():
        return
    if kind == "delete_file":
        path.unlink()
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = at % (len(lines) + 1)
    if kind == "insert":
        lines.insert(i, text + "\n")
    elif kind == "replace" and lines:
        lines[min(i, len(lines) - 1)] = text + "\n"
    elif kind == "delete_line" and lines:
        del lines[min(i, len(lines) - 1)]
    elif kind == "append":
        lines.append(text)  # possibly without a final newline
    path.write_text("".join(lines), encoding="utf-8")


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(st.tuples(st.integers(min_value=0), EDIT), min_size=1, max_size=6))
def test_update_with_nothing_new_leaves_edited_tree_byte_identical(
    generated: Path, edits: list[tuple[int, tuple[str, int, str]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / generated.name
        shutil.copytree(generated, repo, symlinks=True)
        files = sorted(git(repo, "ls-files").splitlines())
        files.remove(".copier-answers.yml")  # the update's own record, not a file users edit
        for pick, edit in edits:
            apply_edit(repo, files, pick, edit)
        commit_all(repo, "hand edits")
        tree = git(repo, "rev-parse", "HEAD^{tree}")

        result = update(repo)

        assert result.conflicts == []
        assert status(repo) == "", f"edits {edits} were changed by the update"
        assert git(repo, "rev-parse", "HEAD^{tree}") == tree
