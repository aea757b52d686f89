"""``bbws-scaffold update``: blueprint and LLD changes flow in, hand edits stay, nothing is lost.

Every test works on a real git repository generated from a local tagged git clone of the
template (the stand-in for the project's public repository), exactly as a user's repo would be.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import copier
import jsonschema
import pytest

from bbws_scaffold.cli import main
from bbws_scaffold.errors import UpdateError
from bbws_scaffold.lld.parser import parse_file
from bbws_scaffold.output_schemas import SCHEMAS
from bbws_scaffold.plan.answers import answers_data
from bbws_scaffold.plan.wordpress import wordpress_answers
from bbws_scaffold.render.new import render, render_wordpress, template_ref
from bbws_scaffold.render.update import CONFLICT_START, KEPT_DIR, update
from tests.gitrepo import commit_all, git, status, template_source
from tests.paths import CATALOGUE_LLD, EXAMPLES, ROOT
from tests.update.llds import add_status_endpoint_and_gsi, remove_reviews, reword_get_product

pytestmark = pytest.mark.e2e

SERVICE_EDIT = (
    '\n\ndef discounted(price: float) -> float:\n    """Hand-written: the storefront discount."""\n'
    "    return round(price * 0.9, 2)\n"
)
TEST_EDIT = "\n\ndef test_hand_written_discount() -> None:\n    assert round(100 * 0.9, 2) == 90.0\n"
README_EDIT = "\n## Team notes\n\nOn call: the catalogue squad.\n"


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def hand_edit(repo: Path) -> None:
    """An engineer's edits to a service module, a test and the README, committed."""
    append(repo / "src/services/product_service.py", SERVICE_EDIT)
    append(repo / "tests/integration/test_get_product.py", TEST_EDIT)
    append(repo / "README.md", README_EDIT)
    commit_all(repo, "hand edits")


def assert_hand_edits_kept(repo: Path) -> None:
    assert (repo / "src/services/product_service.py").read_text().endswith(SERVICE_EDIT)
    assert (repo / "tests/integration/test_get_product.py").read_text().endswith(TEST_EDIT)
    assert README_EDIT in (repo / "README.md").read_text()


def test_blueprint_change_merges_with_hand_edits(tmp_path: Path) -> None:
    source = template_source(tmp_path / "bbws-scaffold", template_ref())
    repo = render(parse_file(CATALOGUE_LLD), tmp_path / "out", template_src=str(source))
    commit_all(repo, "feat: initial scaffold from LLD")
    hand_edit(repo)
    # the next release of the template: a handler template changes and a file is added
    handler_tpl = next((source / "blueprints/lambda_service/src/handlers").glob("*.py.jinja"))
    text = handler_tpl.read_text()
    marker = "# Handlers stay thin: validation here, rules in src/services (blueprint v2).\n"
    assert "\nlogger = Logger(" in text
    handler_tpl.write_text(text.replace("\nlogger = Logger(", "\n" + marker + "logger = Logger(", 1))
    (source / "blueprints/lambda_service/docs").mkdir()
    (source / "blueprints/lambda_service/docs/RUNBOOK.md").write_text("# Runbook\n\nPage the catalogue squad.\n")
    commit_all(source, "v2: thinner handlers, a runbook")
    git(source, "tag", "v99.0.0")

    result = update(repo, to="99.0.0")

    assert result.conflicts == []
    assert_hand_edits_kept(repo)
    handlers = sorted((repo / "src/handlers").glob("[!_]*.py"))
    assert handlers and all(marker in h.read_text() for h in handlers)
    assert (repo / "docs/RUNBOOK.md").read_text().startswith("# Runbook")
    assert "_commit: v99.0.0" in (repo / ".copier-answers.yml").read_text()
    assert result.plan.added == ["docs/RUNBOOK.md"]
    assert "docs/RUNBOOK.md" in result.changes["added"]
    assert "src/handlers/get_product.py" in result.changes["modified"]


def test_lld_change_adds_endpoint_gsi_and_keeps_hand_edits(
    repo: Path, lld: Callable[[Callable[[str], str]], Path]
) -> None:
    hand_edit(repo)
    new_lld = lld(add_status_endpoint_and_gsi)

    result = update(repo, lld=str(new_lld))

    assert result.conflicts == []
    assert_hand_edits_kept(repo)
    handler = (repo / "src/handlers/list_products_by_status.py").read_text()
    assert "GET /v1.0/statuses/{status}/products" in handler
    assert "StatusIndex" in (repo / "src/repositories/product_repository.py").read_text()
    assert (repo / "tests/integration/test_list_products_by_status.py").is_file()
    dynamodb = (repo / "terraform/dynamodb.tf").read_text()
    assert '"StatusIndex"' in dynamodb
    route = 'method = "get", path = "/v1.0/statuses/{status}/products"'
    assert route in (repo / "terraform/api_gateway.tf").read_text()
    added = result.changes["added"]
    assert "src/handlers/list_products_by_status.py" in added
    assert "tests/integration/test_list_products_by_status.py" in added
    # what bbws-scaffold wrote is what copier would have: a plain `copier update` after it changes nothing
    commit_all(repo, "update")
    plain = subprocess.run([sys.executable, "-m", "copier", "update", "--defaults"], cwd=repo, capture_output=True)
    assert plain.returncode == 0, plain.stderr
    assert status(repo) == ""


def test_dry_run_prints_the_plan_and_writes_nothing(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    hand_edit(repo)
    head = git(repo, "rev-parse", "HEAD")
    new_lld = lld(add_status_endpoint_and_gsi)

    assert main(["update", str(repo), "--lld", str(new_lld), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "added    src/handlers/list_products_by_status.py" in out
    assert "modified terraform/dynamodb.tf" in out
    assert status(repo) == "" and git(repo, "rev-parse", "HEAD") == head
    assert not (repo / "src/handlers/list_products_by_status.py").exists()


def test_removing_an_edited_entity_is_refused_and_nothing_is_lost(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    service = repo / "src/services/review_service.py"
    append(service, SERVICE_EDIT)
    commit_all(repo, "hand edit to the review service")
    edited = service.read_text()
    new_lld = lld(remove_reviews)

    with pytest.raises(UpdateError, match="src/services/review_service.py"):
        update(repo, lld=str(new_lld))
    assert status(repo) == "" and service.read_text() == edited

    # the CLI says the same, exit 2, and lists only the edited file as at risk
    assert main(["update", str(repo), "--lld", str(new_lld)]) == 2
    err = capsys.readouterr().err
    assert "src/services/review_service.py" in err and "--keep-removed" in err
    assert "review_repository.py" not in err.split("edits:")[1]
    assert status(repo) == ""

    # with --keep-removed the entity goes, and the edited copy is kept aside
    result = update(repo, lld=str(new_lld), keep_removed=True)
    assert not service.exists()
    kept = repo / KEPT_DIR / "src/services/review_service.py"
    assert kept.read_text() == edited
    assert result.kept == [f"{KEPT_DIR}/src/services/review_service.py"]
    assert "src/repositories/review_repository.py" in result.changes["removed"]


def test_a_real_conflict_is_marked_inline_reported_and_exits_1(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    handler = repo / "src/handlers/get_product.py"
    text = handler.read_text()
    assert "\nGet product details\n" in text
    handler.write_text(text.replace("\nGet product details\n", "\nGet product details, with stock levels\n"))
    commit_all(repo, "hand edit to the docstring")

    code = main(["update", str(repo), "--lld", str(lld(reword_get_product))])

    assert code == 1
    err = capsys.readouterr().err
    lines = handler.read_text().splitlines()
    markers = [n for n, ln in enumerate(lines, 1) if ln == CONFLICT_START]
    assert markers, "copier left no inline conflict marker"
    for n in markers:
        assert f"src/handlers/get_product.py:{n}: conflict" in err
    assert "Get product details, with stock levels" in handler.read_text()
    assert "Get one product by its id" in handler.read_text()
    # unmerged in the index, as after `git merge`: base, ours, theirs (stages 1, 2, 3)
    stages = [ln.split()[2] for ln in git(repo, "ls-files", "-u", "--", "src/handlers/get_product.py").splitlines()]
    assert stages == ["1", "2", "3"]
    assert "UU src/handlers/get_product.py" in status(repo)


def test_dirty_tree_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "scratch.txt").write_text("not committed\n")
    assert main(["update", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "uncommitted changes (scratch.txt)" in err
    assert (repo / "scratch.txt").read_text() == "not committed\n"


def test_not_a_generated_repo_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit_all(tmp_path, "empty")
    assert main(["update", str(tmp_path)]) == 2
    assert "was not generated by bbws-scaffold" in capsys.readouterr().err


def test_an_lld_of_another_service_is_refused(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = next(EXAMPLES.glob("portal_preferences/*_LLD_*.md"))
    assert main(["update", str(repo), "--lld", str(other)]) == 2
    assert "refusing to turn one service into another" in capsys.readouterr().err
    assert status(repo) == ""


def test_update_with_nothing_new_is_a_no_op(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hand_edit(repo)
    head = git(repo, "rev-parse", "HEAD")
    assert main(["update", str(repo)]) == 0
    assert f"update {template_ref()} -> {template_ref()}: nothing changed" in capsys.readouterr().out
    assert status(repo) == "" and git(repo, "rev-parse", "HEAD") == head


def test_an_unknown_version_is_refused_before_anything_is_touched(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["update", str(repo), "--to", "9.9.9"]) == 2
    err = capsys.readouterr().err
    answers = repo / ".copier-answers.yml"
    line = (
        answers.read_text()
        .splitlines()
        .index(next(ln for ln in answers.read_text().splitlines() if ln.startswith("_src_path:")))
        + 1
    )
    err = "".join(ln for ln in err.splitlines(True) if not ln.startswith("update: "))  # progress lines
    # one line, located at the recorded source, no git output
    assert err.startswith(f"{answers}:{line}: error: cannot render the template source ")
    assert "at v9.9.9: no such version there" in err and err.count("\n") == 1 and "fatal" not in err
    assert status(repo) == ""


def test_a_failing_write_leaves_the_tree_as_it_was(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bbws_scaffold.render import journal

    hand_edit(repo)
    head = git(repo, "rev-parse", "HEAD")
    real_move, moves = journal._move, []

    def disk_full_on_the_third(src: Path, dest: Path) -> None:
        moves.append(dest)
        if len(moves) == 3:
            raise OSError(28, "No space left on device")
        real_move(src, dest)

    monkeypatch.setattr(journal, "_move", disk_full_on_the_third)
    with pytest.raises(UpdateError, match="No space left on device.*nothing was changed"):
        update(repo, lld=str(lld(add_status_endpoint_and_gsi)))
    assert len(moves) == 3  # two files were already in place when the write failed
    assert status(repo) == "" and git(repo, "rev-parse", "HEAD") == head
    assert not (repo / ".git" / journal.SCRATCH).exists()


def test_an_image_repo_updates_too_and_rejects_an_lld(source: Path, tmp_path: Path) -> None:
    repo = render_wordpress(tmp_path / "out", answers=wordpress_answers(org="acme"), template_src=str(source))
    commit_all(repo, "feat: initial scaffold")
    append(repo / "README.md", README_EDIT)
    commit_all(repo, "hand edit")

    assert update(repo).conflicts == []
    assert status(repo) == ""
    with pytest.raises(UpdateError, match="--lld applies to lambda_service repos"):
        update(repo, lld=str(CATALOGUE_LLD))


PRE_PLAN = "fa83e26"
"""A commit of this project whose blueprints predate the ``plan`` answer: what every repo generated
before it was rendered from."""


def test_a_repo_rendered_before_the_plan_answer_updates_and_keeps_every_file(tmp_path: Path) -> None:
    # the template source's history: the pre-plan blueprints tagged v0.0.9, then today's
    src = tmp_path / "bbws-scaffold"
    src.mkdir()
    old = subprocess.run(["git", "archive", PRE_PLAN, "copier.yml", "blueprints"], cwd=ROOT, capture_output=True)
    assert old.returncode == 0, old.stderr
    tarfile.open(fileobj=io.BytesIO(old.stdout)).extractall(src, filter="data")
    commit_all(src, "release 0.0.9")
    git(src, "tag", "v0.0.9")
    shutil.rmtree(src / "blueprints")
    shutil.copy2(ROOT / "copier.yml", src / "copier.yml")
    shutil.copytree(ROOT / "blueprints", src / "blueprints", ignore=shutil.ignore_patterns("__pycache__"))
    commit_all(src, "release: the plan answer")
    git(src, "tag", template_ref())
    # a repo that release made: the answers of then are today's without ``plan``
    data = answers_data(parse_file(CATALOGUE_LLD), "acme")
    del data["plan"]
    repo = tmp_path / "repo"
    copier.run_copy(str(src), str(repo), data=data, vcs_ref="v0.0.9", defaults=True, overwrite=True, quiet=True)
    commit_all(repo, "feat: initial scaffold")
    assert (repo / "src/handlers/get_product.py").is_file()
    before = git(repo, "ls-files").split()

    # plain copier would render today's blueprints with no plan, i.e. without handlers: it refuses
    plain = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--vcs-ref", template_ref()],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert plain.returncode != 0 and "bbws-scaffold update" in plain.stdout + plain.stderr
    assert status(repo) == ""

    result = update(repo)  # recomputes the derived answers, plan included

    assert result.conflicts == []
    # every file of then is kept (the blueprints have grown since, so files are added and changed,
    # never removed), the handlers above all; the README gains the Architecture diagram
    assert result.changes["removed"] == [] and ".copier-answers.yml" in result.changes["modified"]
    assert all((repo / p).is_file() for p in before)
    # the handler is kept and brought to today's blueprint: the catalogue LLD states no auth for
    # GET /v1.0/products/{productId}, so it checks the caller (fail closed)
    handler = (repo / "src/handlers/get_product.py").read_text(encoding="utf-8")
    assert "def handler(" in handler and "caller = authorize(event)" in handler
    assert "```mermaid\nflowchart LR\n" in (repo / "README.md").read_text(encoding="utf-8")


def test_dry_run_diff_shows_the_changed_lines_of_a_planted_lld_change(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = git(repo, "rev-parse", "HEAD")
    new_lld = lld(add_status_endpoint_and_gsi)  # plants GET /v1.0/statuses/{status}/products on StatusIndex

    assert main(["update", str(repo), "--lld", str(new_lld), "--dry-run", "--diff"]) == 0

    out = capsys.readouterr().out
    assert status(repo) == "" and git(repo, "rev-parse", "HEAD") == head  # nothing written
    files: dict[str, str] = {}  # path -> its diff, keyed by the new side (+++ b/PATH)
    for chunk in out.split("\n--- ")[1:]:
        plus = next(ln for ln in chunk.splitlines() if ln.startswith("+++ "))
        files[plus.split()[1].removeprefix("b/")] = chunk
    added = {
        path: [ln[1:] for ln in text.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
        for path, text in files.items()
    }
    # the new handler is a new file; the table gains the index; the README lists the new route
    assert files["src/handlers/list_products_by_status.py"].startswith("/dev/null\n")
    assert any('"StatusIndex"' in ln for ln in added["terraform/dynamodb.tf"])
    assert any("/v1.0/statuses/{status}/products" in ln for ln in added["README.md"])
    assert "\n@@ " in files["terraform/dynamodb.tf"]  # a unified diff hunk


def test_update_json_lists_the_plan(
    repo: Path, lld: Callable[[Callable[[str], str]], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    new_lld = lld(add_status_endpoint_and_gsi)
    code = main(["update", str(repo), "--lld", str(new_lld), "--json"])
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, SCHEMAS["update"])
    assert code == doc["exit_code"] == 0
    assert "src/handlers/list_products_by_status.py" in doc["plan"]["added"]
    assert "src/handlers/list_products_by_status.py" in doc["changes"]["added"]


def test_keep_removed_twice_onto_the_same_path_keeps_both_copies(
    repo: Path, lld: Callable[[Callable[[str], str]], Path]
) -> None:
    service = repo / "src/services/review_service.py"
    without_reviews = lld(remove_reviews)
    kept = [repo / KEPT_DIR / "src/services/review_service.py", repo / KEPT_DIR / "src/services/review_service.2.py"]
    edits = []
    for n, edit in enumerate((SERVICE_EDIT, SERVICE_EDIT.replace("0.9", "0.8"))):
        if n:  # the entity comes back (the original LLD), and is edited again, differently
            update(repo, lld=str(CATALOGUE_LLD))
            commit_all(repo, "reviews are back")
        append(service, edit)
        commit_all(repo, f"hand edit {n}")
        edits.append(service.read_text())

        result = update(repo, lld=str(without_reviews), keep_removed=True)

        assert result.kept == [kept[n].relative_to(repo).as_posix()]
        commit_all(repo, f"reviews removed {n}")
    assert [k.read_text() for k in kept] == edits
    assert edits[0] != edits[1] and not service.exists()
