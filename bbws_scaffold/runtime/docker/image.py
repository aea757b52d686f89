"""The image a repository builds: ``deploy/image.json``, rendered by the ``wordpress_image`` blueprint.

    {"image_name": "bbws-wordpress", "repository_name": "bbws-wordpress", "wp_version": "6.8",
     "image_version": "1.0.0", "tag": "6.8-wpcli-1.0.0", "dockerfile": "docker/wordpress/Dockerfile",
     "context": "docker/wordpress", "mu_plugin": "/usr/src/wordpress/wp-content/mu-plugins/...",
     "deployed_tag_prefix": "deployed", "environments": {"dev": {"keep_images": 10, ...}, ...}, ...}

Found next to the runtime configuration (``deploy/environments.json``) unless given explicitly.
Every value is validated: names and tags reach docker command lines and ECR calls.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.jsonfile import read_json

FILE_NAME = "image.json"
ENV_VAR = "BBWS_IMAGE_CONFIG"
TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")  # docker's tag grammar
NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
_VERSION_RE = re.compile(r"^[0-9]+(?:\.[0-9]+){1,2}$")


def check_tag(tag: str) -> str:
    if not TAG_RE.fullmatch(tag or ""):
        raise RuntimeOpError(f"{tag!r} is not a valid image tag (letters, digits, `_.-`, at most 128)")
    return tag


def image_tag(wp_version: str, image_version: str) -> str:
    """``{wp-version}-wpcli-{image-version}``."""
    return check_tag(f"{wp_version}-wpcli-{image_version}")


@dataclass(frozen=True)
class ImageConfig:
    image_name: str
    repository_name: str
    wp_version: str
    image_version: str
    dockerfile: str
    context: str
    mu_plugin: str
    deployed_tag_prefix: str
    root: Path
    keep_images: dict[str, int] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return image_tag(self.wp_version, self.image_version)

    def local_ref(self, tag: str | None = None) -> str:
        """``bbws-wordpress:6.8-wpcli-1.0.0``."""
        return f"{self.image_name}:{check_tag(tag or self.tag)}"

    def is_deployed(self, tags: list[str]) -> bool:
        return any(t.startswith(self.deployed_tag_prefix) for t in tags)


def find_image_config(start: Path | None = None) -> Path:
    """``$BBWS_IMAGE_CONFIG`` if set, else ``deploy/image.json`` in the cwd or a parent."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "deploy" / FILE_NAME
        if candidate.is_file():
            return candidate
    raise RuntimeOpError(
        f"no deploy/{FILE_NAME} in {here} or any parent; run from the image repository or set {ENV_VAR}"
    )


def _relative(value: Any, what: str, source: Path) -> str:
    text = str(value or "")
    path = PurePosixPath(text)
    if not text or path.is_absolute() or ".." in path.parts:
        raise RuntimeOpError(f"{source}: `{what}` must be a path inside the repository, not {text!r}")
    return text


def load_image_config(path: str | Path | None = None, *, config_source: Path | None = None) -> ImageConfig:
    """Read ``path``, else ``image.json`` beside the runtime configuration file ``config_source``."""
    if path is None:
        if config_source is None:
            raise RuntimeOpError("no image configuration: pass --image-config or run in the image repository")
        path = Path(config_source).parent / FILE_NAME
    src = Path(path)
    data = read_json(src, "the image configuration")
    if not isinstance(data, dict):
        raise RuntimeOpError(f"{src}: top level must be an object")

    def text(key: str, pattern: re.Pattern[str]) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise RuntimeOpError(f"{src}: `{key}` {value!r} does not match {pattern.pattern}")
        return value

    envs = data.get("environments") or {}
    if not isinstance(envs, dict):
        raise RuntimeOpError(f"{src}: `environments` must be an object")
    keep: dict[str, int] = {}
    for name, env in envs.items():
        n = env.get("keep_images") if isinstance(env, dict) else None
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise RuntimeOpError(f"{src}: environments.{name}.keep_images must be a positive integer")
        keep[str(name)] = n
    mu_plugin = str(data.get("mu_plugin") or "")
    if not mu_plugin.startswith("/") or ".." in PurePosixPath(mu_plugin).parts:
        raise RuntimeOpError(f"{src}: `mu_plugin` must be an absolute path in the image")
    repo_root = src.resolve().parent.parent  # deploy/image.json -> the repository
    return ImageConfig(
        image_name=text("image_name", NAME_RE),
        repository_name=text("repository_name", NAME_RE),
        wp_version=text("wp_version", _VERSION_RE),
        image_version=text("image_version", _VERSION_RE),
        dockerfile=_relative(data.get("dockerfile"), "dockerfile", src),
        context=_relative(data.get("context"), "context", src),
        mu_plugin=mu_plugin,
        deployed_tag_prefix=text("deployed_tag_prefix", TAG_RE),
        root=repo_root,
        keep_images=keep,
    )
