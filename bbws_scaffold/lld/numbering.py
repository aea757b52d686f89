"""LLD numbering: ``[phase].[sub-phase].[n]_LLD_[Name].md``; find the next free number under a prefix.

Every numbered document of the folder takes a number (``2.1.13_OPS_Incident_Response_Runbook.md``
as much as ``2.1.12_LLD_Payment.md``): numbers are shared by all document kinds under an HLD."""

from __future__ import annotations

import re
from pathlib import Path

LLD_FILE_RE = re.compile(r"^(?P<num>\d+(?:\.\d+)*)_LLD_.*\.md$", re.IGNORECASE)
"""The platform's LLD file name (also read by :mod:`bbws_scaffold.lld.kind`)."""
_FILE_RE = LLD_FILE_RE
_NUMBERED_RE = re.compile(r"^(?P<num>\d+(?:\.\d+)*)_[^/]*\.md$", re.IGNORECASE)
_PREFIX_RE = re.compile(r"^\d+(?:\.\d+)*$")


def number_key(number: str) -> tuple[int, ...]:
    """Numeric sort key: 2.1.10 sorts after 2.1.9."""
    return tuple(int(p) for p in number.split("."))


def used_numbers(folder: str | Path) -> list[str]:
    """Every number used by a numbered document (``<number>_<anything>.md``, of any kind) in the
    folder or below it (old/ and backups/ count: numbers are not reused)."""
    found = {m.group("num") for p in Path(folder).rglob("*.md") if (m := _NUMBERED_RE.match(p.name))}
    return sorted(found, key=number_key)


def lld_files(folder: str | Path) -> list[Path]:
    """The LLD documents (``<number>_LLD_<Name>.md``) directly in ``folder``, in number order."""
    found = [(m.group("num"), p) for p in Path(folder).glob("*.md") if (m := _FILE_RE.match(p.name))]
    return [p for _, p in sorted(found, key=lambda item: (number_key(item[0]), item[1].name))]


def next_number(folder: str | Path, hld_prefix: str) -> str:
    """The next free ``<prefix>.<n>``: one more than the highest direct child number in use, else ``<prefix>.1``."""
    prefix = hld_prefix.strip().rstrip(".")
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"HLD prefix {hld_prefix!r} is not of the form 2 or 2.1")
    if not Path(folder).is_dir():
        raise ValueError(f"{folder} is not a folder")
    depth = len(prefix.split(".")) + 1
    children = [
        number_key(n)[-1] for n in used_numbers(folder) if n.startswith(prefix + ".") and len(n.split(".")) == depth
    ]
    return f"{prefix}.{max(children, default=0) + 1}"
