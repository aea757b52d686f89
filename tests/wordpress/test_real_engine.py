"""The image built and validated by a real Docker engine. Runs only where `docker info` succeeds
(these machines have no engine: the command lines are tested in test_runtime_docker.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bbws_scaffold.runtime.docker import ops
from bbws_scaffold.runtime.docker.image import load_image_config
from bbws_scaffold.runtime.docker.runner import SubprocessRunner


def _engine() -> str:
    if not shutil.which("docker"):
        return "no docker CLI on PATH"
    res = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        return "no Docker engine answers `docker info` (" + " ".join(res.stderr.split())[:160] + ")"
    return ""


REASON = _engine()


@pytest.mark.e2e
@pytest.mark.skipif(bool(REASON), reason=f"needs a Docker engine: {REASON}")
def test_build_and_validate_with_a_real_engine(rendered: Path) -> None:
    image = load_image_config(rendered / "deploy" / "image.json")
    runner = SubprocessRunner()
    ref = ops.build(image, runner, vcs_ref="0" * 40)
    try:
        checks = ops.validate(image, runner)
        assert [c.name for c in checks if not c.ok] == [], checks
    finally:
        subprocess.run(["docker", "image", "rm", "-f", ref], capture_output=True, timeout=120)
