"""Answers of the WordPress image blueprint (``bbws-scaffold new --blueprint wordpress_image``).

The defaults (versions, ECR repository, lifecycle numbers per environment) live in
``bbws_scaffold/data/wordpress_image.yaml``; ``BBWS_WORDPRESS_IMAGE=FILE`` or an explicit path
points at another copy, and single versions are overridden by arguments. Everything is validated
here, against strict patterns, before it reaches a template: the templates only place values,
they never derive or escape them (a version ends up in a Dockerfile ``FROM``, HCL, YAML and JSON).

The ``wordpress`` answer (one dict, stored in ``.copier-answers.yml``)::

    {
      "repo": "2_bbws_wordpress_container",
      "image_name": "bbws-wordpress", "repository_name": "bbws-wordpress",
      "service_slug": "wordpress-container", "container_port": 8080,
      "deployed_tag_prefix": "deployed", "image_tag": "6.8-wpcli-1.0.0",
      "envs": {"dev": {"keep_images": 10, "expire_days": 90, "pull_account_ids": ["815856636111"],
                       "source": null}, ...},
    }

The versions are separate answers (``wp_version``, ``php_version``, ``image_version``,
``wp_cli_version``, ``wp_cli_sha512``) so ``copier copy`` can ask for them.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bbws_scaffold.errors import EnvironmentsError, RenderError, WordPressConfigError
from bbws_scaffold.plan.answers import runtime_answer
from bbws_scaffold.yamlfile import read_yaml

BLUEPRINT = "wordpress_image"
REPO_NAME = "2_bbws_wordpress_container"
SERVICE_SLUG = "wordpress-container"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "wordpress_image.yaml"
ENV_VAR = "BBWS_WORDPRESS_IMAGE"
# the official image's entrypoint copies /usr/src/wordpress into the document root on first start
MU_PLUGIN_DIR = "/usr/src/wordpress/wp-content/mu-plugins"

# Docker Hub's wordpress tags: <major>.<minor>[.<patch>] and php<major>.<minor>
WP_VERSION_RE = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,3})?$")
PHP_VERSION_RE = re.compile(r"^[0-9]\.[0-9]{1,2}$")
SEMVER_RE = re.compile(r"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$")
SHA512_RE = re.compile(r"^([0-9a-f]{128})?$")
NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
TAG_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ORG_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_LIMITS = {"keep_images": (1, 1000), "expire_days": (1, 3650)}


def default_path() -> Path:
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else DEFAULT_PATH


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate a WordPress image configuration file (default: :func:`default_path`)."""
    src = Path(path) if path is not None else default_path()
    raw = read_yaml(src, "the WordPress image configuration", WordPressConfigError)
    return validate_config(raw, source=str(src))


def _check(value: Any, pattern: re.Pattern[str], what: str, fail: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(f"{what} must be a string")
    text = str(value)
    if not pattern.fullmatch(text):
        raise fail(f"{what} {text!r} does not match {pattern.pattern}")
    return text


def _int(value: Any, what: str, lo: int, hi: int, fail: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise fail(f"{what} must be an integer in [{lo}, {hi}]")
    return value


def validate_config(raw: Any, source: str = "<wordpress image>") -> dict[str, Any]:
    """The configuration with every value checked; see ``data/wordpress_image.yaml``."""

    def fail(msg: str) -> WordPressConfigError:
        return WordPressConfigError(f"{source}: {msg}")

    if not isinstance(raw, Mapping):
        raise fail("top level must be a mapping")
    versions = raw.get("versions")
    if not isinstance(versions, Mapping):
        raise fail("`versions` must be a mapping")
    lifecycle = raw.get("ecr_lifecycle")
    if not isinstance(lifecycle, Mapping) or "default" not in lifecycle:
        raise fail("`ecr_lifecycle` must be a mapping with a `default` entry")
    rules: dict[str, dict[str, int]] = {}
    for env, rule in lifecycle.items():
        if not isinstance(rule, Mapping):
            raise fail(f"ecr_lifecycle.{env} must be a mapping")
        rules[str(env)] = {
            k: _int(rule.get(k), f"ecr_lifecycle.{env}.{k}", lo, hi, fail) for k, (lo, hi) in _LIMITS.items()
        }
    return {
        "versions": {
            "wordpress": _check(versions.get("wordpress"), WP_VERSION_RE, "versions.wordpress", fail),
            "php": _check(versions.get("php"), PHP_VERSION_RE, "versions.php", fail),
            "image": _check(versions.get("image"), SEMVER_RE, "versions.image", fail),
            "wp_cli": _check(versions.get("wp_cli"), SEMVER_RE, "versions.wp_cli", fail),
            "wp_cli_sha512": _check(versions.get("wp_cli_sha512") or "", SHA512_RE, "versions.wp_cli_sha512", fail),
        },
        "image_name": _check(raw.get("image_name"), NAME_RE, "image_name", fail),
        "repository_name": _check(raw.get("repository_name"), NAME_RE, "repository_name", fail),
        "container_port": _int(raw.get("container_port"), "container_port", 1024, 65535, fail),
        "deployed_tag_prefix": _check(raw.get("deployed_tag_prefix"), TAG_PREFIX_RE, "deployed_tag_prefix", fail),
        "ecr_lifecycle": rules,
    }


def image_tag(wp_version: str, image_version: str) -> str:
    """``{wp-version}-wpcli-{image-version}``: the tag of every build (ECR tags are immutable)."""
    return f"{wp_version}-wpcli-{image_version}"


def wordpress_answers(
    *,
    org: str,
    environments: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    wp_version: str | None = None,
    php_version: str | None = None,
    image_version: str | None = None,
    wp_cli_version: str | None = None,
    wp_cli_sha512: str | None = None,
) -> dict[str, Any]:
    """The copier answers of the ``wordpress_image`` blueprint (validated; see the module docstring).

    ``wp_cli_version`` without ``wp_cli_sha512`` drops the pinned checksum of the configured
    release (it belongs to another version): the build then verifies the published one only."""
    if environments is None:
        from bbws_scaffold.environments import environments_answer

        environments = environments_answer()
    cfg = copy.deepcopy(config if config is not None else load_config())

    def fail(msg: str) -> WordPressConfigError:
        return WordPressConfigError(msg)

    versions = cfg["versions"]
    wp = _check(wp_version or versions["wordpress"], WP_VERSION_RE, "--wp-version", fail)
    php = _check(php_version or versions["php"], PHP_VERSION_RE, "--php-version", fail)
    image = _check(image_version or versions["image"], SEMVER_RE, "--image-version", fail)
    cli = _check(wp_cli_version or versions["wp_cli"], SEMVER_RE, "--wp-cli-version", fail)
    if wp_cli_sha512 is not None:
        sha = _check(wp_cli_sha512.strip().lower(), SHA512_RE, "--wp-cli-sha512", fail)
    else:
        sha = versions["wp_cli_sha512"] if cli == versions["wp_cli"] else ""
    _check(org, ORG_RE, "--org", fail)

    order: list[str] = list(environments["order"])
    lifecycle = cfg["ecr_lifecycle"]
    envs: dict[str, dict[str, Any]] = {}
    for name in order:
        rule = lifecycle.get(name, lifecycle["default"])
        # the next environment pulls from this one's repository when an image is promoted
        pullers = [n for n in order if environments["envs"][n]["previous"] == name]
        envs[name] = {
            "keep_images": rule["keep_images"],
            "expire_days": rule["expire_days"],
            "pull_account_ids": [environments["envs"][n]["account_id"] for n in pullers],
            "source": environments["envs"][name]["previous"],
        }
    return {
        "blueprint": BLUEPRINT,
        "org": org,
        "environments": environments,
        "wp_version": wp,
        "php_version": php,
        "image_version": image,
        "wp_cli_version": cli,
        "wp_cli_sha512": sha,
        "runtime": runtime_answer(),
        "wordpress": {
            "repo": REPO_NAME,
            "image_name": cfg["image_name"],
            "repository_name": cfg["repository_name"],
            "service_slug": SERVICE_SLUG,
            "container_port": cfg["container_port"],
            "mu_plugin_dir": MU_PLUGIN_DIR,
            "deployed_tag_prefix": cfg["deployed_tag_prefix"],
            "image_tag": image_tag(wp, image),
            "envs": envs,
        },
    }


def render_wordpress(
    output: str | Path = ".",
    *,
    answers: dict[str, Any],
    force: bool = False,
    template_src: str | None = None,
    vcs_ref: str | None = None,
) -> Path:
    """Render ``output/2_bbws_wordpress_container`` from :func:`wordpress_answers` (atomically)."""
    from bbws_scaffold.render.new import render_repo

    return render_repo(REPO_NAME, answers, output, force=force, template_src=template_src, vcs_ref=vcs_ref)


def add_wordpress_arguments(p: Any) -> None:
    """The ``new`` options of the wordpress_image blueprint (defaults from the configuration file)."""
    g = p.add_argument_group("wordpress_image blueprint (defaults: bbws_scaffold/data/wordpress_image.yaml)")
    g.add_argument("--wp-version", help="WordPress version of the base image, e.g. 6.8")
    g.add_argument("--php-version", help="PHP version of the base image, e.g. 8.3")
    g.add_argument("--image-version", help="the image's own version (MAJOR.MINOR.PATCH)")
    g.add_argument("--wp-cli-version", help="WP-CLI release (MAJOR.MINOR.PATCH)")
    g.add_argument("--wp-cli-sha512", help="pinned sha512 of the WP-CLI phar ('' = published checksum only)")
    g.add_argument("--wordpress-config", metavar="FILE", help=f"WordPress image configuration (default ${ENV_VAR})")


def summary(target: Path) -> str:
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    lines = [f"created {target} ({len(files)} files)", *(f"  {f}" for f in files)]
    lines += [
        "",
        "next:",
        f"  cd {target}",
        "  bbws-scaffold pipeline validate .",
        "  bbws-runtime docker build && bbws-runtime docker validate",
        "  git init -b main && git add -A && git commit -m 'Scaffold the WordPress image'",
    ]
    return "\n".join(lines)


def cmd_new_wordpress(args: Any) -> int:
    """``bbws-scaffold new --blueprint wordpress_image``: exit 0 rendered, 2 bad input (one line on stderr)."""
    import sys

    if args.lld or args.openapi:
        print("bbws-scaffold new: error: --lld/--openapi apply to the lambda_service blueprint only", file=sys.stderr)
        return 2
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
        target = render_wordpress(args.output, answers=answers, force=args.force, template_src=args.template_src)
    except (WordPressConfigError, EnvironmentsError, RenderError) as exc:
        print(f"bbws-scaffold new: error: {exc}", file=sys.stderr)
        return 2
    print(summary(target))
    return 0
