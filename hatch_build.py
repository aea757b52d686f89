"""Wheel build hook: ship the template's release history with the library.

``bbws-scaffold update`` renders the version a repository was generated from; for an older
release than the installed one that render needs the template at that tag. The wheel carries
them all, as one git bundle of this repository's release tags (``v*``) at
``bbws_scaffold/data/template-history.bundle``, so the installed library is enough: no clone of
the recorded ``_src_path`` (GitHub), which may be unreachable. copier reads a bundle as a git
source. A build outside a git checkout, or before the first release tag, ships none.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # imported by the tests, which need only make_bundle
    BuildHookInterface = object  # type: ignore[assignment,misc]

BUNDLE = "bbws_scaffold/data/template-history.bundle"
RELEASE_TAGS = "v*"


def make_bundle(checkout: Path, dest: Path) -> bool:
    """Write the bundle of ``checkout``'s release tags to ``dest``; False when there are none."""
    tags = subprocess.run(["git", "tag", "--list", RELEASE_TAGS], cwd=checkout, capture_output=True, text=True)
    if tags.returncode != 0 or not tags.stdout.strip():
        return False
    subprocess.run(
        ["git", "bundle", "create", "-q", str(dest), f"--tags={RELEASE_TAGS}"],
        cwd=checkout,
        check=True,
        capture_output=True,
    )
    return True


class TemplateHistoryHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        dest = Path(tempfile.mkdtemp(prefix="bbws-history-")) / "template-history.bundle"
        if make_bundle(Path(self.root), dest):
            build_data["force_include"][str(dest)] = BUNDLE
