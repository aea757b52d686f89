"""Benchmark ``bbws-scaffold update`` on the CRUD example against ``new`` on the same example.

    python bench/bench_update.py [--repeat N] [--json]

Same process, same run, a local tagged git clone of the template as the source (as the tests
use). Per repeat: ``new`` renders the CRUD example into a fresh folder and the result is
committed; then on copies of that repo
- ``update (replay)``: no LLD, same version: the stored spec is replayed (one render: the same
  template and answers render the same tree);
- ``update --lld``: the LLD gains an endpoint and a GSI (two renders: the last one and the next).
Reported: medians and the ratio of each update to ``new``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bbws_scaffold.lld.parser import parse_file  # noqa: E402
from bbws_scaffold.render.new import render, template_ref  # noqa: E402
from bbws_scaffold.render.update import update  # noqa: E402
from tests.gitrepo import commit_all, template_source  # noqa: E402
from tests.update.llds import add_status_endpoint_and_gsi  # noqa: E402

CRUD_LLD = ROOT / "examples" / "crud_catalogue" / "2.9.1_LLD_Catalogue_Lambda.md"


def timed(fn, *args, **kwargs) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-update-"))
    rows: dict[str, list[float]] = {"new": [], "update (replay)": [], "update --lld": []}
    try:
        src = template_source(work / "bbws-scaffold", template_ref())
        changed = work / CRUD_LLD.name
        changed.write_text(add_status_endpoint_and_gsi(CRUD_LLD.read_text(encoding="utf-8")), encoding="utf-8")
        for i in range(args.repeat + 1):  # the first round warms imports and caches and is dropped
            t_new, repo = timed(lambda: render(parse_file(CRUD_LLD), work / f"new-{i}", template_src=str(src)))
            assert isinstance(repo, Path)
            commit_all(repo, "scaffold")
            replay, lld = work / f"replay-{i}" / repo.name, work / f"lld-{i}" / repo.name
            shutil.copytree(repo, replay)
            shutil.copytree(repo, lld)
            t_replay, _ = timed(update, replay)
            t_lld, _ = timed(update, lld, lld=str(changed))
            if i:
                rows["new"].append(t_new)
                rows["update (replay)"].append(t_replay)
                rows["update --lld"].append(t_lld)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in rows.items()}
    result = {
        "repeat": args.repeat,
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "ratio_to_new": {k: round(v / med["new"], 2) for k, v in med.items() if k != "new"},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in med.items():
            ratio = "" if k == "new" else f"  ({v / med['new']:.2f}x new)"
            print(f"{k:<18}{v * 1000:8.0f} ms{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
