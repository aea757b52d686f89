"""The two GitHub REST calls a release makes, with the standard library (the runtime stays boto3-only).

- create a release: ``POST /repos/{owner}/{repo}/releases``
  (https://docs.github.com/en/rest/releases/releases#create-a-release);
- upload an asset: ``POST`` to the release's ``upload_url`` (an RFC 6570 template such as
  ``https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}``) with ``?name=`` and the
  file as the raw body (https://docs.github.com/en/rest/releases/assets#upload-a-release-asset).

In Actions the defaults are GitHub's own variables: ``GITHUB_API_URL``, ``GITHUB_REPOSITORY`` and
the job's ``GITHUB_TOKEN`` (``contents: write``).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bbws_scaffold.runtime.errors import RuntimeOpError

API_VERSION = "2022-11-28"


@dataclass(frozen=True)
class GitHubRelease:
    api_url: str
    repository: str  # owner/name
    token: str

    @classmethod
    def from_env(cls) -> GitHubRelease:
        repo = os.environ.get("GITHUB_REPOSITORY", "")
        token = os.environ.get("GITHUB_TOKEN", "")
        if not repo or not token:
            raise RuntimeOpError("GITHUB_REPOSITORY and GITHUB_TOKEN are needed to create a GitHub Release")
        return cls(os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"), repo, token)

    def _call(self, method: str, url: str, data: bytes | None, content_type: str) -> Any:
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise RuntimeOpError(f"refusing to send the token to {url!r}")
        req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - https or loopback only
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", API_VERSION)
        req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise RuntimeOpError(f"GitHub {method} {url}: HTTP {exc.code}: {' '.join(detail.split())}") from exc

    def create(self, tag: str, *, name: str, body: str, target: str) -> dict[str, Any]:
        """The release of ``tag``; GitHub creates the tag at commit ``target`` if it does not exist."""
        payload = {
            "tag_name": tag,
            "target_commitish": target,
            "name": name,
            "body": body,
            "draft": False,
            "prerelease": False,
        }
        url = f"{self.api_url}/repos/{self.repository}/releases"
        return dict(self._call("POST", url, json.dumps(payload).encode(), "application/json"))

    def upload(self, release: dict[str, Any], path: Path, content_type: str) -> dict[str, Any]:
        base = str(release["upload_url"]).split("{", 1)[0]
        url = f"{base}?{urllib.parse.urlencode({'name': path.name})}"
        return dict(self._call("POST", url, path.read_bytes(), content_type))
