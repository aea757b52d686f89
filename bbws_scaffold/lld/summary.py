"""The readable summary ``bbws-scaffold lld parse`` prints by default."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bbws_scaffold.model import ServiceSpec


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], width: int = 60) -> str:
    """A plain aligned text table; long cells are cut with an ellipsis."""

    def cut(v: object) -> str:
        s = "" if v is None else str(v)
        s = " ".join(s.split())
        return s if len(s) <= width else s[: width - 1] + "…"

    body = [[cut(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in body]
    return "\n".join(lines)


def render_summary(spec: ServiceSpec) -> str:
    rt = spec.runtime
    out = [
        f"{spec.title}",
        f"  LLD {spec.lld_number or '-'}  version {spec.version or '-'}  status {spec.status or '-'}",
        f"  repo {spec.repo} ({spec.repo_source})  service {spec.service}",
        f"  runtime python{rt.python_version}  memory {rt.memory_mb or rt.memory_raw or '-'} MB  "
        f"timeout {rt.timeout_s or rt.timeout_raw or '-'} s  arch {rt.architecture or '-'}",
        "",
    ]
    if spec.endpoints:
        out += [f"Endpoints ({len(spec.endpoints)})"]
        out += [
            table(
                ["METHOD", "PATH", "FUNCTION", "LINE"],
                [(e.method, e.path, e.function or f"({e.handler})", e.line) for e in spec.endpoints],
            ),
            "",
        ]
    others = [f for f in spec.functions if f.trigger != "http"]
    if others:
        out += [f"Event-driven functions ({len(others)})"]
        out += [
            table(
                ["FUNCTION", "TRIGGER", "SOURCE", "LINE"],
                [(f.name, f.trigger, f.source_name or f.trigger_raw, f.line) for f in others],
            ),
            "",
        ]
    if spec.tables:
        out += [f"DynamoDB tables ({len(spec.tables)})"]
        out += [
            table(
                ["TABLE", "ENTITIES", "PK", "SK", "GSIS"],
                [
                    (
                        t.name,
                        ", ".join(e.name for e in t.entities) or t.entity,
                        t.pk,
                        t.sk,
                        ", ".join(g.name for g in t.gsis),
                    )
                    for t in spec.tables
                ],
            ),
            "",
        ]
    kinds: dict[str, list[str]] = {}
    for m in spec.models:
        kinds.setdefault(f"{m.source}/{m.kind}", []).append(m.name)
    for k, names in sorted(kinds.items()):
        out.append(f"Models {k} ({len(names)}): {', '.join(names)}")
    out.append(f"Env vars ({len(spec.env_vars)}): {', '.join(e.name for e in spec.env_vars) or '-'}")
    out.append(
        f"Dependencies ({len(spec.dependencies)}): "
        f"{', '.join(d.service or d.name for d in spec.dependencies) or '-'}"
    )
    out.append(
        f"NFRs {len(spec.nfrs)}  tags {len(spec.tags)}  user stories {len(spec.user_stories)}  "
        f"warnings {len(spec.warnings)}"
    )
    return "\n".join(out)
