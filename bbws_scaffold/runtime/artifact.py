"""The deployment package: built reproducibly, identified by its SHA-256.

Promotion rests on "the same artifact": SIT and PROD only take a package whose digest has a
successful deployment in the environment before them. A package is rebuilt in each workflow
run, so the build must be byte-for-byte reproducible: entries sorted, a fixed timestamp, fixed
permissions, no compiled caches. Change a dependency between DEV and SIT and the digest
changes, and the promotion is (rightly) refused.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from pathlib import Path

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.log import log

_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache"})
_SKIP_SUFFIXES = (".pyc", ".pyo")


def digest(path: str | Path) -> str:
    """``sha256:<hex>`` of a file."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise RuntimeOpError(f"cannot read the deployment package {path}: {exc.strerror or exc}") from exc
    return f"sha256:{h.hexdigest()}"


def lambda_code_sha256(sha256_digest: str) -> str:
    """Lambda's ``CodeSha256`` (base64 of the raw digest) for a ``sha256:<hex>`` digest."""
    return base64.b64encode(bytes.fromhex(sha256_digest.removeprefix("sha256:"))).decode()


def build_zip(source: str | Path, output: str | Path) -> str:
    """Zip ``source``'s tree reproducibly into ``output``; return the digest."""
    src, out = Path(source), Path(output)
    if not src.is_dir():
        raise RuntimeOpError(f"{src} is not a directory")
    files: list[Path] = []
    for folder, dirs, names in os.walk(src, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in names:
            path = Path(folder) / name
            if path.is_symlink():
                raise RuntimeOpError(f"{path}: symbolic links are not packaged (resolve them first)")
            if not name.endswith(_SKIP_SUFFIXES):
                files.append(path)
    files.sort(key=lambda p: p.relative_to(src).as_posix())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(src).as_posix(), date_time=_EPOCH)
            executable = os.access(path, os.X_OK)
            info.external_attr = ((0o100755 if executable else 0o100644) & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(out)
    result = digest(out)
    log("artifact.built", path=str(out), files=len(files), digest=result)
    return result
