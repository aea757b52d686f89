"""The wordpress_image blueprint: answers, `bbws-scaffold new --blueprint wordpress_image`, the gate,
and syrupy snapshots of every rendered file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from bbws_scaffold.config.wordpress import DEFAULT_PATH, load_config
from bbws_scaffold.errors import WordPressConfigError
from bbws_scaffold.plan.wordpress import REPO_NAME, wordpress_answers
from bbws_scaffold.render.new import render_wordpress
from tests.wordpress.conftest import DEV, PROD, SIT

PINNED = "be928f6b8ca1e8dfb9d2f4b75a13aa4aee0896f8a9a0a1c45cd5d2c98605e6172e6d014dda2e27f88c98befc16c040cbb2bd1bfa121510ea5cdf5f6a30fe8832"  # noqa: E501


VENDORED = "vendor/bbws_scaffold/runtime/"


def tree(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(VENDORED):  # the library's own sources, checked byte for byte elsewhere
            out[rel] = "<vendored runtime>"
            continue
        text = path.read_text(encoding="utf-8")
        # the library's version tag and the runtime release it pins change with every release
        text = re.sub(r"(?m)^_commit: .*$", "_commit: <version tag>", text)
        text = re.sub(r"(?m)^(\s+version: )\S+$", r"\1<version>", text)
        text = re.sub(r'(bbws-scaffold==)[^"\s]+', r"\1<version>", text)
        out[path.relative_to(root).as_posix()] = text
    return out


def test_rendered_tree_snapshot(rendered: Path, snapshot: SnapshotAssertion) -> None:
    assert tree(rendered) == snapshot


def test_lifecycle_numbers_and_promotion_accounts_come_from_configuration(rendered: Path) -> None:
    tfvars = {
        p.stem: (rendered / "terraform/environments" / p.name).read_text()
        for p in (rendered / "terraform/environments").iterdir()
    }
    assert "keep_images         = 10" in tfvars["dev"] and "expire_days         = 90" in tfvars["dev"]
    assert "keep_images         = 10" in tfvars["sit"] and "expire_days         = 90" in tfvars["sit"]
    assert "keep_images         = 20" in tfvars["prod"] and "expire_days         = 180" in tfvars["prod"]
    assert f'pull_account_ids = ["{SIT}"]' in tfvars["dev"]
    assert f'pull_account_ids = ["{PROD}"]' in tfvars["sit"]
    assert "pull_account_ids = []" in tfvars["prod"]
    assert f'aws_account_id = "{DEV}"' in tfvars["dev"] and 'aws_region     = "af-south-1"' in tfvars["prod"]


def test_an_override_file_changes_the_rendered_lifecycle(tmp_path: Path) -> None:
    text = DEFAULT_PATH.read_text().replace("keep_images: 20", "keep_images: 33")
    (tmp_path / "wp.yaml").write_text(text)
    answers = wordpress_answers(org="BigBeardWebSolutions", config=load_config(tmp_path / "wp.yaml"))
    assert answers["wordpress"]["envs"]["prod"]["keep_images"] == 33
    repo = render_wordpress(tmp_path / "out", answers=answers)
    assert "keep_images         = 33" in (repo / "terraform/environments/prod.tfvars").read_text()
    image = json.loads((repo / "deploy/image.json").read_text())
    assert image["environments"]["prod"]["keep_images"] == 33


def test_dockerfile_verifies_wp_cli_and_runs_as_www_data(rendered: Path) -> None:
    dockerfile = (rendered / "docker/wordpress/Dockerfile").read_text()
    assert dockerfile.splitlines()[0] == "# syntax=docker/dockerfile:1"
    assert "FROM wordpress:6.8-php8.3-apache\n" in dockerfile
    assert f"ARG WP_CLI_SHA512={PINNED}\n" in dockerfile
    assert '"${base}/wp-cli-${WP_CLI_VERSION}.phar.sha512"' in dockerfile
    assert "sha512sum --check --strict -" in dockerfile
    assert "curl unzip default-mysql-client" in dockerfile
    assert "COPY --chown=www-data:www-data mu-plugins/bbws-https-detection.php" in dockerfile
    assert "\nUSER www-data\n" in dockerfile and "\nEXPOSE 8080\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "CMD wp core version" in dockerfile
    plugin = (rendered / "docker/wordpress/mu-plugins/bbws-https-detection.php").read_text()
    assert "HTTP_X_FORWARDED_PROTO" in plugin and "HTTP_CLOUDFRONT_FORWARDED_PROTO" in plugin


def test_versions_are_answers_and_a_new_wp_cli_drops_the_old_pin(tmp_path: Path) -> None:
    answers = wordpress_answers(
        org="BigBeardWebSolutions",
        wp_version="6.7.2",
        php_version="8.2",
        image_version="2.1.0",
        wp_cli_version="2.13.0",
    )
    assert answers["wp_cli_sha512"] == "", "the configured checksum belongs to another WP-CLI release"
    assert answers["wordpress"]["image_tag"] == "6.7.2-wpcli-2.1.0"
    repo = render_wordpress(tmp_path, answers=answers)
    dockerfile = (repo / "docker/wordpress/Dockerfile").read_text()
    assert "FROM wordpress:6.7.2-php8.2-apache\n" in dockerfile and "ARG WP_CLI_SHA512=\n" in dockerfile
    pinned = wordpress_answers(org="BigBeardWebSolutions", wp_cli_version="2.13.0", wp_cli_sha512="AB" * 64)
    assert pinned["wp_cli_sha512"] == "ab" * 64


@pytest.mark.parametrize(
    "kwargs",
    [
        {"wp_version": '6.8"\nRUN curl evil | sh'},
        {"php_version": "8.3-apache AS x"},
        {"image_version": "1.0.0; rm -rf /"},
        {"wp_cli_version": "latest"},
        {"wp_cli_sha512": "0" * 127},
        {"org": "evil/../../x"},
    ],
)
def test_untrusted_versions_are_refused_before_rendering(kwargs: dict[str, str]) -> None:
    args = {"org": "BigBeardWebSolutions", **kwargs}
    with pytest.raises(WordPressConfigError, match="does not match"):
        wordpress_answers(**args)


def test_configuration_errors_name_the_field(tmp_path: Path) -> None:
    bad = DEFAULT_PATH.read_text().replace("keep_images: 20", "keep_images: 0")
    (tmp_path / "bad.yaml").write_text(bad)
    # the file, the field and the rule, in one line
    expected = r"bad\.yaml: ecr_lifecycle\.prod\.keep_images: must be an integer in \[1, 1000\]$"
    with pytest.raises(WordPressConfigError, match=expected):
        load_config(tmp_path / "bad.yaml")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bbws_scaffold", *args], capture_output=True, text=True, timeout=300)


def test_new_cli_renders_the_wordpress_repo_without_an_lld(tmp_path: Path) -> None:
    res = run_cli("new", "--blueprint", "wordpress_image", "--wp-version", "6.7", "--output", str(tmp_path))
    assert res.returncode == 0, res.stderr
    repo = tmp_path / REPO_NAME
    assert f"created {repo}" in res.stdout
    answers = (repo / ".copier-answers.yml").read_text()
    assert "blueprint: wordpress_image" in answers and "wp_version: '6.7'" in answers
    assert "_src_path: https://github.com/BigBeardWebSolutions/bbws-scaffold.git" in answers
    assert str(tmp_path) not in answers
    bad = run_cli("new", "--blueprint", "wordpress_image", "--php-version", "x", "--output", str(tmp_path / "b"))
    assert bad.returncode == 2 and "--php-version 'x' does not match" in bad.stderr
    assert not (tmp_path / "b").exists()
    lambda_without_lld = run_cli("new", "--output", str(tmp_path / "c"))
    assert lambda_without_lld.returncode == 2 and "--lld FILE is required" in lambda_without_lld.stderr


@pytest.mark.e2e
def test_pipeline_gate_reports_nothing(rendered: Path) -> None:
    """`bbws-scaffold pipeline validate` on the generated repo: zero findings, the Dockerfile scanned."""
    from bbws_scaffold.pipeline.report import render_table
    from tests.pipeline.helpers import gate

    result = gate(rendered)
    assert result.findings == (), "\n" + render_table(result.findings)
    checkov = result.stats_for("checkov")
    # 5 Terraform checks on the ECR resources, ~89 dockerfile checks (HEALTHCHECK, USER, apt, ...)
    assert checkov is not None and checkov.failed == 0 and (checkov.passed or 0) > 80
    print(f"{rendered.name}: {checkov.summary()}")


@pytest.mark.parametrize("key, value", [("wp_version", "6.8\nRUN id"), ("wp_cli_sha512", "x" * 128)])
def test_copier_validators_refuse_bad_answers_given_directly(tmp_path: Path, key: str, value: str) -> None:
    """Defence in depth: answers that bypass wordpress_answers() (a hand-run `copier copy`) are validated too."""
    answers = {**wordpress_answers(org="BigBeardWebSolutions"), key: value}
    with pytest.raises(ValueError, match=f"Validation error for question '{key}'"):
        render_wordpress(tmp_path, answers=answers)
    assert not (tmp_path / REPO_NAME).exists()


def test_shared_templates_live_in_blueprints_shared_and_are_never_copied(rendered: Path) -> None:
    """What both blueprints render comes from blueprints/_shared: the WordPress templates neither
    reach into lambda_service nor fake its `spec` or `infra` answers to include its templates."""
    blueprints = Path(__file__).resolve().parents[2] / "blueprints"
    for p in (blueprints / "wordpress_image").rglob("*.jinja"):
        text = p.read_text(encoding="utf-8")
        assert "lambda_service" not in text and "set spec" not in text and "set infra" not in text, p
    assert not any(p.name.endswith(".jinja") or "_shared" in p.parts for p in rendered.rglob("*"))
