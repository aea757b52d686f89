"""The WordPress image configuration (``bbws_scaffold/data/wordpress_image.yaml``).

``BBWS_WORDPRESS_IMAGE=FILE`` or an explicit path points at another copy. Every value is checked
here against a strict pattern before it reaches a template: the templates only place values, they
never derive or escape them (a version ends up in a Dockerfile ``FROM``, HCL, YAML and JSON).
:func:`check_option` applies the same patterns to the command-line overrides of the versions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from bbws_scaffold.config.fields import EMPTY_IS_DEFAULT, NUMBER_AS_TEXT, Matches, Within
from bbws_scaffold.config.loader import ConfigFile
from bbws_scaffold.errors import WordPressConfigError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "wordpress_image.yaml"
ENV_VAR = "BBWS_WORDPRESS_IMAGE"

# Docker Hub's wordpress tags: <major>.<minor>[.<patch>] and php<major>.<minor>
WP_VERSION_RE = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,3})?$")
PHP_VERSION_RE = re.compile(r"^[0-9]\.[0-9]{1,2}$")
SEMVER_RE = re.compile(r"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$")
SHA512_RE = re.compile(r"^([0-9a-f]{128})?$")
NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
TAG_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ORG_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")

Semver = Annotated[str, Matches(SEMVER_RE.pattern, "a MAJOR.MINOR.PATCH version")]
Name = Annotated[str, Matches(NAME_RE.pattern, "a lower-case image/repository name")]


class Versions(BaseModel):
    """The base image ``wordpress:<wordpress>-php<php>-apache``, the image's own version and WP-CLI."""

    wordpress: Annotated[str, Matches(WP_VERSION_RE.pattern, "a WordPress version like 6.8 or 6.8.1")]
    php: Annotated[str, Matches(PHP_VERSION_RE.pattern, "a PHP version like 8.3")]
    image: Semver
    wp_cli: Semver
    wp_cli_sha512: Annotated[
        str,
        Matches(SHA512_RE.pattern, "a lower-case hex sha512 (or empty: the published checksum only)"),
        EMPTY_IS_DEFAULT,
    ] = ""


class LifecycleRule(BaseModel):
    """Keep the newest ``keep_images`` version-tagged images; expire anything else after ``expire_days``."""

    keep_images: Annotated[int, Within(1, 1000)]
    expire_days: Annotated[int, Within(1, 3650)]


def _has_default(rules: dict[str, LifecycleRule]) -> dict[str, LifecycleRule]:
    if "default" not in rules:
        raise ValueError("needs a `default` entry (environments missing here use it)")
    return rules


class WordPressImageFile(BaseModel):
    """``wordpress_image.yaml``: defaults of the WordPress image blueprint."""

    versions: Versions
    image_name: Name
    repository_name: Name
    container_port: Annotated[int, Within(1024, 65535)]
    deployed_tag_prefix: Annotated[str, Matches(TAG_PREFIX_RE.pattern, "a tag prefix (letters, digits, _ . -)")]
    ecr_lifecycle: Annotated[dict[Annotated[str, NUMBER_AS_TEXT], LifecycleRule], AfterValidator(_has_default)] = Field(
        description="per environment key, plus `default`"
    )


FILE = ConfigFile(WordPressImageFile, DEFAULT_PATH, ENV_VAR, "the WordPress image configuration", WordPressConfigError)


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate a WordPress image configuration file (default: ``$BBWS_WORDPRESS_IMAGE``,
    else the packaged one)."""
    raw, source = FILE.read(path)
    return validate_config(raw, source=source)


def validate_config(raw: Any, source: str = "<wordpress image>") -> dict[str, Any]:
    """The configuration with every value checked, as a plain dict; see ``data/wordpress_image.yaml``."""
    return FILE.validate(raw, source).model_dump()


def check_option(value: Any, pattern: re.Pattern[str], option: str) -> str:
    """A command-line override (``--wp-version`` ...) checked against the pattern of the value it replaces."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise WordPressConfigError(f"{option} {value!r} does not match {pattern.pattern}")
    return value
