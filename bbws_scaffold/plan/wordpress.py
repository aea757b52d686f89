"""Answers of the WordPress image blueprint (``bbws-scaffold new --blueprint wordpress_image``).

The defaults (versions, ECR repository, lifecycle numbers per environment) come from the WordPress
image configuration (:mod:`bbws_scaffold.config.wordpress`), and single versions are overridden by
arguments, checked against the same patterns before they reach a template.

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
from typing import Any

from bbws_scaffold.config.environments import environments_answer, for_service
from bbws_scaffold.config.wordpress import (
    ORG_RE,
    PHP_VERSION_RE,
    SEMVER_RE,
    SHA512_RE,
    WP_VERSION_RE,
    check_option,
    load_config,
)
from bbws_scaffold.plan.answers import runtime_answer

BLUEPRINT = "wordpress_image"
REPO_NAME = "2_bbws_wordpress_container"
SERVICE_SLUG = "wordpress-container"
# the official image's entrypoint copies /usr/src/wordpress into the document root on first start
MU_PLUGIN_DIR = "/usr/src/wordpress/wp-content/mu-plugins"


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
    environments = for_service(environments or environments_answer(), SERVICE_SLUG)
    cfg = copy.deepcopy(config if config is not None else load_config())

    versions = cfg["versions"]
    wp = check_option(wp_version or versions["wordpress"], WP_VERSION_RE, "--wp-version")
    php = check_option(php_version or versions["php"], PHP_VERSION_RE, "--php-version")
    image = check_option(image_version or versions["image"], SEMVER_RE, "--image-version")
    cli = check_option(wp_cli_version or versions["wp_cli"], SEMVER_RE, "--wp-cli-version")
    if wp_cli_sha512 is not None:
        sha = check_option(wp_cli_sha512.strip().lower(), SHA512_RE, "--wp-cli-sha512")
    else:
        sha = versions["wp_cli_sha512"] if cli == versions["wp_cli"] else ""
    check_option(org, ORG_RE, "--org")

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
