"""Score the parser against the hand-checked ground truth in ``../shared/lld_corpus/ground_truth``.

    python bench/corpus_scores.py [CORPUS_DIR] [--json] [-v]

Prints, per document: endpoint precision/recall (method + path exactly as written), function
pairing, tables (name, pk, sk), GSIs (name, pk, sk), model / mermaid / OpenAPI-schema names,
env var names, non-HTTP functions and runtime values, and the parse time (median of 5 parses in
this process, grammar loaded once). ``tests/test_corpus.py`` asserts on the same numbers.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bbws_scaffold.lld.parser import parse_file  # noqa: E402
from bbws_scaffold.model import ServiceSpec  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "lld_corpus"


def _prf(found: set[Any], truth: set[Any]) -> tuple[float, float]:
    if not truth and not found:
        return 1.0, 1.0
    tp = len(found & truth)
    precision = tp / len(found) if found else (1.0 if not truth else 0.0)
    recall = tp / len(truth) if truth else 1.0
    return round(precision, 3), round(recall, 3)


def _frac(hits: int, total: int) -> float:
    return round(hits / total, 3) if total else 1.0


@dataclass
class DocScore:
    doc: str
    endpoint_precision: float = 0.0
    endpoint_recall: float = 0.0
    primary_recall: float = 0.0
    function_pairing: float = 0.0
    tables: float = 0.0
    gsis: float = 0.0
    models: float = 0.0
    mermaid_classes: float = 0.0
    openapi_schemas: float = 0.0
    env_vars: tuple[float, float] = (0.0, 0.0)
    other_functions: float = 0.0
    runtime: float = 0.0
    parse_ms: float = 0.0
    misses: list[str] = field(default_factory=list)


def _python_version(runtime: str | None) -> str | None:
    if not runtime:
        return None
    import re

    m = re.search(r"(3\.\d+)", runtime)
    return m.group(1) if m else None


def score(spec: ServiceSpec, gt: dict[str, Any]) -> DocScore:
    s = DocScore(doc=Path(gt["file"]).stem)
    found = {(e.method, e.path) for e in spec.endpoints}
    truth = {(e["method"], e["path"]) for e in gt["endpoints"]}
    s.endpoint_precision, s.endpoint_recall = _prf(found, truth)
    primary = {(e["method"], e["path"]) for e in gt["endpoints"] if e.get("primary")}
    s.primary_recall = _frac(len(found & primary), len(primary))
    s.misses += [f"endpoint missing: {m} {p}" for m, p in sorted(truth - found)]
    s.misses += [f"endpoint extra: {m} {p}" for m, p in sorted(found - truth)]

    by_key = {(e.method, e.path): e for e in spec.endpoints}
    paired = [e for e in gt["endpoints"] if (e["method"], e["path"]) in by_key]
    ok = 0
    for e in paired:
        got = by_key[(e["method"], e["path"])].function
        if got == e.get("function"):
            ok += 1
        else:
            s.misses.append(f"pairing {e['method']} {e['path']}: got {got!r}, want {e.get('function')!r}")
    s.function_pairing = _frac(ok, len(paired))

    gt_tables = gt.get("tables") or []
    t_ok = g_ok = g_total = 0
    for t in gt_tables:
        match = next(
            (x for x in spec.tables if x.name == t["name"] or (x.entity and x.entity == t.get("entity"))), None
        )
        if match and match.pk == t.get("pk") and match.sk == t.get("sk"):
            t_ok += 1
        else:
            s.misses.append(
                f"table {t['name']}: got {(match.name, match.pk, match.sk) if match else None}, "
                f"want {(t['name'], t.get('pk'), t.get('sk'))}"
            )
        for g in t.get("gsis") or []:
            g_total += 1
            gm = [x for x in (match.gsis if match else []) if x.name == g["name"]]
            if any(x.pk == g.get("pk") and x.sk == g.get("sk") for x in gm):
                g_ok += 1
            else:
                s.misses.append(
                    f"gsi {t['name']}.{g['name']}: got {[(x.pk, x.sk) for x in gm]}, want {(g.get('pk'), g.get('sk'))}"
                )
    s.tables = _frac(t_ok, len(gt_tables)) if gt.get("tables") is not None else 1.0
    s.gsis = _frac(g_ok, g_total)

    def names(source: str, kinds: tuple[str, ...] | None = None) -> set[str]:
        return {m.name for m in spec.models if m.source == source and (kinds is None or m.kind in kinds)}

    for attr, source, kinds in (
        ("models", "python", ("model", "enum")),
        ("mermaid_classes", "mermaid", None),
        ("openapi_schemas", "openapi", None),
    ):
        want = set(gt.get(attr) or [])
        got = names(source, kinds)
        setattr(s, attr, _frac(len(want & got), len(want | got)))
        s.misses += [f"{attr} missing: {n}" for n in sorted(want - got)]
        s.misses += [f"{attr} extra: {n}" for n in sorted(got - want)]

    want_env = set(gt.get("env_vars") or [])
    got_env = {e.name for e in spec.env_vars}
    s.env_vars = _prf(got_env, want_env)
    s.misses += [f"env missing: {n}" for n in sorted(want_env - got_env)]
    s.misses += [f"env extra: {n}" for n in sorted(got_env - want_env)]

    others = gt.get("other_functions") or []
    got_other = {f.name for f in spec.functions if f.trigger != "http"}
    o_ok = sum(1 for o in others if o["function"] in got_other)
    s.other_functions = _frac(o_ok, len(others))
    s.misses += [f"function missing: {o['function']}" for o in others if o["function"] not in got_other]

    checks = [
        (spec.runtime.python_version, _python_version(gt.get("runtime")) or "3.12"),
        (spec.runtime.memory_mb, gt.get("memory_mb")),
        (spec.runtime.timeout_s, gt.get("timeout_s")),
        (spec.runtime.architecture, gt.get("architecture")),
        (spec.lld_number, gt.get("lld_number")),
        (spec.title, gt.get("title")),
        (spec.version, gt.get("version")),
        (spec.repo if spec.repo_source != "derived" else None, gt.get("repo")),
        (spec.parent_hld, gt.get("parent_hld")),
    ]
    s.runtime = _frac(sum(1 for a, b in checks if a == b), len(checks))
    s.misses += [f"identity/runtime: got {a!r}, want {b!r}" for a, b in checks if a != b]
    return s


def score_corpus(corpus: Path = DEFAULT_CORPUS) -> list[DocScore]:
    out = []
    for gt_file in sorted((corpus / "ground_truth").glob("*.json")):
        gt = json.loads(gt_file.read_text(encoding="utf-8"))
        lld = corpus / f"{gt_file.stem}.md"
        if not lld.exists():
            continue
        times = []
        for _ in range(5):
            start = time.perf_counter()
            spec = parse_file(lld)
            times.append((time.perf_counter() - start) * 1000)
        result = score(spec, gt)
        result.parse_ms = round(statistics.median(times), 1)
        out.append(result)
    return out


COLUMNS = [
    ("ep P", "endpoint_precision"),
    ("ep R", "endpoint_recall"),
    ("prim R", "primary_recall"),
    ("pairing", "function_pairing"),
    ("tables", "tables"),
    ("gsis", "gsis"),
    ("models", "models"),
    ("mermaid", "mermaid_classes"),
    ("oas", "openapi_schemas"),
    ("env P/R", "env_vars"),
    ("non-http", "other_functions"),
    ("ident", "runtime"),
    ("parse ms", "parse_ms"),
]


def main(argv: list[str]) -> int:
    corpus = Path(next((a for a in argv if not a.startswith("-")), DEFAULT_CORPUS))
    scores = score_corpus(corpus)
    if "--json" in argv:
        print(json.dumps([asdict(s) for s in scores], indent=2))
        return 0
    print(f"{'document':40} " + " ".join(f"{h:>8}" for h, _ in COLUMNS))
    for s in scores:
        cells = []
        for _, attr in COLUMNS:
            v = getattr(s, attr)
            if isinstance(v, tuple):
                cells.append(f"{v[0]:.2f}/{v[1]:.2f}")
            else:
                cells.append(f"{v:8.1f}" if attr == "parse_ms" else f"{v:8.2f}")
        print(f"{s.doc[:40]:40} " + " ".join(f"{c:>8}" for c in cells))
    if "-v" in argv:
        for s in scores:
            for m in s.misses:
                print(f"  {s.doc}: {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
