"""Benchmark ``bbws-scaffold new`` on the CRUD example against a bare ``copier.run_copy``.

    python bench/bench_new.py [--repeat N] [--json]

Both run in this process on the same blueprint with the same answers. ``new`` is measured end
to end (parse the LLD, stage the blueprint, render with copier, pin the template source, check
paths, move into place) and split into parse / render / write shares. The bare run is
``copier.run_copy`` of the same staged blueprint with the same data into a fresh folder.
Target: ``new`` <= 1.3x bare copier.
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

import copier  # noqa: E402

from bbws_scaffold.lld.parser import parse_file  # noqa: E402
from bbws_scaffold.naming import DEFAULT_ORG  # noqa: E402
from bbws_scaffold.plan.answers import answers_data  # noqa: E402
from bbws_scaffold.render import new  # noqa: E402

CRUD_LLD = ROOT / "examples" / "crud_catalogue" / "2.9.1_LLD_Catalogue_Lambda.md"


def run_new(out: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    spec = parse_file(CRUD_LLD)
    t1 = time.perf_counter()
    timings = new.Timings()
    new.render(spec, out, timings=timings)
    t2 = time.perf_counter()
    total = t2 - t0
    parse = t1 - t0
    render = timings.render_s
    write = total - parse - render  # staging, answers pinning, path checks, rename
    return {"total": total, "parse": parse, "render": render, "write": write}


def run_bare(stage: Path, data: dict[str, object], out: Path) -> float:
    t0 = time.perf_counter()
    copier.run_copy(str(stage), str(out), data=data, defaults=True, overwrite=True, quiet=True)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    spec = parse_file(CRUD_LLD)
    data = answers_data(spec, DEFAULT_ORG)
    stage = new.staged_template()
    work = Path(tempfile.mkdtemp(prefix="bench-new-"))
    try:
        # warm up both paths (imports, jinja caches) once, then alternate
        run_new(work / "warm-new")
        run_bare(stage, data, work / "warm-bare")
        news: list[dict[str, float]] = []
        bares: list[float] = []
        for i in range(args.repeat):
            news.append(run_new(work / f"new-{i}"))
            bares.append(run_bare(stage, data, work / f"bare-{i}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(stage, ignore_errors=True)

    med = {k: statistics.median(r[k] for r in news) for k in news[0]}
    bare = statistics.median(bares)
    result = {
        "repeat": args.repeat,
        "new_s": round(med["total"], 4),
        "bare_copier_s": round(bare, 4),
        "ratio": round(med["total"] / bare, 3),
        "share": {k: round(med[k] / med["total"], 3) for k in ("parse", "render", "write")},
        "parse_s": round(med["parse"], 4),
        "render_s": round(med["render"], 4),
        "write_s": round(med["write"], 4),
        "target_ratio": 1.3,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"new (CRUD example):   {result['new_s'] * 1000:8.1f} ms (median of {args.repeat})")
        print(f"bare copier.run_copy: {result['bare_copier_s'] * 1000:8.1f} ms")
        print(f"ratio new / bare:     {result['ratio']:8.3f}  (target <= 1.3)")
        sh = result["share"]
        print(f"share of new:         parse {sh['parse']:.1%}, render {sh['render']:.1%}, write {sh['write']:.1%}")
    return 0 if result["ratio"] <= 1.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
