"""Every ECR API call of the docker operations (boto3 clients are passed in, already guarded).

Registry ids are always explicit: a promotion reads the lower environment's repository with the
higher environment's credentials (the lower repository's policy lets that account pull), so
source calls name the source account's registry.

botocore is imported where an error is told apart (``ClientError``), so ``docker build`` and
``docker validate``, which import this module through the operations, load no boto.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bbws_scaffold.runtime.errors import RuntimeOpError

BATCH_DELETE_MAX = 100  # BatchDeleteImage accepts at most 100 image ids per call


@dataclass(frozen=True)
class RegistryLogin:
    registry: str  # host name, e.g. 536580886816.dkr.ecr.eu-west-1.amazonaws.com
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class EcrImage:
    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime


def login_token(ecr: Any, registry_id: str) -> RegistryLogin:
    """A docker login for ``registry_id`` from ``GetAuthorizationToken`` (valid 12 hours)."""
    data = ecr.get_authorization_token(registryIds=[registry_id])["authorizationData"]
    if not data:
        raise RuntimeOpError(f"ECR returned no authorization data for registry {registry_id}")
    token = base64.b64decode(data[0]["authorizationToken"]).decode("utf-8")
    username, sep, password = token.partition(":")
    if not sep or not password:
        raise RuntimeOpError(f"ECR returned a malformed authorization token for registry {registry_id}")
    endpoint = str(data[0]["proxyEndpoint"])
    host = endpoint.split("://", 1)[-1].rstrip("/")
    return RegistryLogin(registry=host, username=username, password=password)


def registry_host(registry_id: str, region: str) -> str:
    return f"{registry_id}.dkr.ecr.{region}.amazonaws.com"


def list_images(ecr: Any, repository: str, registry_id: str) -> list[EcrImage]:
    """Every image of the repository (all pages), newest push first."""
    out: list[EcrImage] = []
    pages = ecr.get_paginator("describe_images").paginate(repositoryName=repository, registryId=registry_id)
    for page in pages:
        for d in page.get("imageDetails", []):
            out.append(EcrImage(str(d["imageDigest"]), tuple(d.get("imageTags") or ()), d["imagePushedAt"]))
    return sorted(out, key=lambda i: (i.pushed_at, i.digest), reverse=True)


def digest_of(ecr: Any, repository: str, tag: str, registry_id: str) -> str | None:
    """The digest ``repository:tag`` points at, or ``None`` when there is no such tag."""
    from botocore.exceptions import ClientError

    try:
        details = ecr.describe_images(repositoryName=repository, registryId=registry_id, imageIds=[{"imageTag": tag}])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ImageNotFoundException":
            return None
        raise
    images = details.get("imageDetails", [])
    return str(images[0]["imageDigest"]) if images else None


@dataclass(frozen=True)
class CleanupPlan:
    delete: tuple[EcrImage, ...]
    keep: tuple[EcrImage, ...]
    protected: tuple[EcrImage, ...]


def plan_cleanup(images: Iterable[EcrImage], keep: int, is_deployed: Callable[[list[str]], bool]) -> CleanupPlan:
    """Keep every deployed image and the ``keep`` newest of the others (by push date); delete the rest."""
    if keep < 1:
        raise RuntimeOpError("--keep must be at least 1")
    ordered = sorted(images, key=lambda i: (i.pushed_at, i.digest), reverse=True)
    protected = tuple(i for i in ordered if is_deployed(list(i.tags)))
    others = [i for i in ordered if not is_deployed(list(i.tags))]
    return CleanupPlan(delete=tuple(others[keep:]), keep=tuple(others[:keep]), protected=protected)


def delete_images(ecr: Any, repository: str, registry_id: str, digests: list[str]) -> tuple[list[str], list[str]]:
    """Delete images by digest (with all their tags); returns (deleted digests, failure messages)."""
    deleted: list[str] = []
    failures: list[str] = []
    for start in range(0, len(digests), BATCH_DELETE_MAX):
        batch = digests[start : start + BATCH_DELETE_MAX]
        res = ecr.batch_delete_image(
            repositoryName=repository, registryId=registry_id, imageIds=[{"imageDigest": d} for d in batch]
        )
        deleted += sorted({str(i["imageDigest"]) for i in res.get("imageIds", []) if "imageDigest" in i})
        for f in res.get("failures", []):
            digest = f.get("imageId", {}).get("imageDigest", "?")
            failures.append(f"{digest}: {f.get('failureCode')} {f.get('failureReason', '')}".strip())
    return deleted, failures


@dataclass(frozen=True)
class LifecycleStatus:
    """What the repository's lifecycle policy does, and what is missing compared with the expectation."""

    protects_deployed: bool
    keep_images: int | None
    expire_days: int | None
    problems: tuple[str, ...]


def lifecycle_status(
    ecr: Any, repository: str, registry_id: str, *, deployed_prefix: str, keep: int
) -> LifecycleStatus:
    """Read the lifecycle policy Terraform set and check it against the image configuration."""
    from botocore.exceptions import ClientError

    try:
        text = ecr.get_lifecycle_policy(repositoryName=repository, registryId=registry_id)["lifecyclePolicyText"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "LifecyclePolicyNotFoundException":
            return LifecycleStatus(False, None, None, ("the repository has no lifecycle policy (apply terraform/)",))
        raise
    rules = sorted(json.loads(text).get("rules", []), key=lambda r: r.get("rulePriority", 0))
    protects = keep_images = expire_days = None
    for rule in rules:
        sel = rule.get("selection", {})
        patterns = list(sel.get("tagPatternList") or []) + [p + "*" for p in sel.get("tagPrefixList") or []]
        if protects is None and f"{deployed_prefix}*" in patterns:
            protects = rule is rules[0]
        elif sel.get("countType") == "imageCountMoreThan" and keep_images is None:
            keep_images = int(sel.get("countNumber", 0))
        elif sel.get("countType") == "sinceImagePushed" and expire_days is None:
            expire_days = int(sel.get("countNumber", 0))
    problems = []
    if not protects:
        problems.append(f"images tagged {deployed_prefix}* are not protected by the first lifecycle rule")
    if keep_images != keep:
        problems.append(f"the lifecycle policy keeps {keep_images} images, the configuration says {keep}")
    return LifecycleStatus(bool(protects), keep_images, expire_days, tuple(problems))
