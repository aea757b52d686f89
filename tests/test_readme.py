"""The README's layout table matches the tree: every path it names exists, and every part of the
package and every top-level folder is named in it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _layout_rows() -> list[str]:
    section = README.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| `")]
    assert rows, "the README has no layout table"
    return [row.split("|")[1] for row in rows]


def _paths(cell: str) -> list[Path]:
    """The paths a first cell names; a bare name stands beside the cell's first path (``model.py``,
    ``nodes.py``), or at the top when nothing is there (``copier.yml``)."""
    tokens = re.findall(r"`([^`]+)`", cell)
    first = ROOT / tokens[0].rstrip("/")
    out = [first]
    for tok in (t.rstrip("/") for t in tokens[1:]):
        if "/" in tok:
            out.append(ROOT / tok)
        else:
            out.append(first.parent / tok if (first.parent / tok).exists() else ROOT / tok)
    return out


NAMED = [p for cell in _layout_rows() for p in _paths(cell)]


def test_every_path_in_the_layout_table_exists() -> None:
    missing = [str(p.relative_to(ROOT)) for p in NAMED if not p.exists()]
    assert missing == []


def test_every_part_of_the_package_is_in_the_layout_table() -> None:
    package = ROOT / "bbws_scaffold"
    parts = [
        p
        for p in package.iterdir()
        if (p.is_dir() and p.name != "__pycache__")
        or (p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))
    ]
    assert len(parts) > 10
    assert sorted(p.name for p in parts if p not in NAMED) == []


def test_every_top_level_folder_is_in_the_layout_table() -> None:
    folders = [p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith((".", "_")) and p.name != "out"]
    named_tops = {p.relative_to(ROOT).parts[0] for p in NAMED}
    assert sorted(f.name for f in folders if f.name not in named_tops and not f.name.endswith(".egg-info")) == []
