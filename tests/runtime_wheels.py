"""The runtime install of a generated repo, offline: a fresh virtualenv, pip with the index off.

``scripts/install-runtime.sh`` installs boto3 from the repo's hash-locked
``.github/requirements-runtime.txt``; tests give pip no index (``PIP_NO_INDEX=1``), ignore the
machine's pip configuration (``PIP_CONFIG_FILE=/dev/null``) and point it at the wheels
``scripts/setup.sh`` downloaded (``.tools/runtime-wheels``). Shared by the install test and the
end-to-end deploy path, which both run the script as written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT

WHEELS = ROOT / ".tools" / "runtime-wheels"
LOCK = ".github/requirements-runtime.txt"
# what the venv's python reports: where the runtime and boto3 come from, boto3's version, and
# whether the generator (bbws_scaffold.render) is absent, i.e. only the runtime was vendored
PROBE = (
    "import importlib.util, boto3, bbws_scaffold.runtime as r;"
    "print(r.__file__); print(boto3.__file__); print(boto3.__version__);"
    "print(importlib.util.find_spec('bbws_scaffold.render') is None)"
)


def make_venv(path: Path) -> Path:
    """A fresh virtualenv at ``path`` (with pip, without this venv's packages)."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=120)
    return path


def offline_pip() -> dict[str, str]:
    """The environment entries that keep pip off the package index and on the local wheels."""
    assert WHEELS.is_dir() and any(WHEELS.glob("boto3-*.whl")), "run scripts/setup.sh (it downloads the wheels)"
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELS), "PIP_CONFIG_FILE": os.devnull}


def offline_env(venv: Path) -> dict[str, str]:
    """This process's environment without pip/Python settings, ``venv`` active and pip offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    return env | offline_pip() | {"PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(venv)}


def locked_boto3(repo: Path) -> str:
    """The boto3 version ``repo``'s lock pins."""
    pinned = re.search(r"^boto3==(\S+)", (repo / LOCK).read_text(), re.M)
    assert pinned, f"{LOCK}: no boto3 pin"
    return pinned.group(1)


def assert_runtime_installed(repo: Path, venv: Path, env: dict[str, str], cwd: Path) -> None:
    """``venv``'s python imports the runtime from ``repo``'s vendor/, boto3 from the venv at the
    locked version, and not the generator. ``cwd`` should not be the repo: the path must come from
    the install (its .pth), not the working directory."""
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", PROBE],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    runtime_file, boto3_file, boto3_version, no_generator = out.stdout.split()
    assert Path(runtime_file).resolve().is_relative_to((repo / "vendor" / "bbws_scaffold").resolve()), runtime_file
    assert Path(boto3_file).resolve().is_relative_to(venv.resolve()), boto3_file  # installed, not inherited
    assert boto3_version == locked_boto3(repo)
    assert no_generator == "True", "the vendored package is the runtime alone, without the generator"
