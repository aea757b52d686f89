"""Service identity and Lambda runtime: H1, ``**Key**: value`` header, Component Overview table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers.document import Table
from bbws_scaffold.lld.readers.grammar import normalise_header
from bbws_scaffold.lld.readers.values import link_target, parse_quantities, strip_markup
from bbws_scaffold.model import Runtime

_HEADER_LINE_RE = re.compile(r"^\s*[-*]?\s*\*\*(?P<key>[^*]+?)\*\*\s*:?\s*(?::\s*)?(?P<value>.*)$")


@dataclass
class Identity:
    title: str
    title_line: int
    service_name: str
    lld_number: str | None = None
    version: str | None = None
    status: str | None = None
    created: str | None = None
    parent_hld: str | None = None
    component: str | None = None
    repo: str | None = None
    repo_source: Literal["component", "overview", "derived"] = "derived"
    runtime: Runtime = field(default_factory=Runtime)


def _header_fields(ctx: Context) -> dict[str, tuple[str, int]]:
    """``**Key**: value`` lines before the first H2 (the document header block)."""
    keys = {syn: fld for fld, syns in ctx.grammar["identity"].data["header_keys"].items() for syn in syns}
    out: dict[str, tuple[str, int]] = {}
    for para in ctx.doc.paragraphs():
        if para.section.level >= 2:
            break
        for line, raw in para.raw:
            m = _HEADER_LINE_RE.match(raw)
            if not m:
                continue
            fld = keys.get(m.group("key").strip().rstrip(":").lower())
            if fld and fld not in out:
                out[fld] = (m.group("value").strip(), line)
    return out


def _overview_table(ctx: Context) -> Table | None:
    concept = ctx.grammar["identity"]
    rows = {syn for syns in concept.data["overview_rows"].values() for syn in syns}
    for table in ctx.doc.tables("identity"):
        cols = concept.match_columns(table.header)
        if "attribute" in cols and "value" in cols:
            keys = {normalise_header(table.column(r, cols["attribute"])) for r in table.rows}
            if keys & rows:
                return table
    return None


def _overview_values(ctx: Context, table: Table | None) -> dict[str, tuple[str, int]]:
    if table is None:
        return {}
    concept = ctx.grammar["identity"]
    cols = concept.match_columns(table.header)
    syn = {s: fld for fld, syns in concept.data["overview_rows"].items() for s in syns}
    out: dict[str, tuple[str, int]] = {}
    for row in table.rows:
        fld = syn.get(normalise_header(table.column(row, cols["attribute"])))
        if fld and fld not in out:
            out[fld] = (table.column(row, cols["value"]), row.line)
    return out


def service_name_from(title: str, component: str | None, ctx: Context) -> str:
    concept = ctx.grammar["identity"]
    if component:
        name = re.sub(r"\s*\(.*$", "", strip_markup(component)).strip()
    else:
        name = title
        for pat in concept.data["title_strip"]:
            name = re.sub(pat, "", name, flags=re.IGNORECASE).strip()
    suffixes = {s.lower() for s in concept.data["service_suffixes"]}
    parts = name.split()
    while len(parts) > 1 and parts[-1].lower() in suffixes:
        parts.pop()
    return " ".join(parts) or name


def extract(ctx: Context) -> Identity:
    concept = ctx.grammar["identity"]
    common = ctx.grammar["common"]
    doc = ctx.doc
    title = doc.title or PurePath(doc.file).stem
    header = _header_fields(ctx)
    overview = _overview_values(ctx, _overview_table(ctx))

    component = strip_markup(header["component"][0]) if "component" in header else None
    ident = Identity(title=title, title_line=doc.title_line, service_name="")
    m = re.match(concept.data["lld_number"], PurePath(doc.file).name)
    ident.lld_number = m.group("n") if m else None
    if ident.lld_number is None:
        m = re.match(r"^\s*(\d+(?:\.\d+)+)\b", title)
        ident.lld_number = m.group(1) if m else None
    for fld in ("version", "status", "created"):
        if fld in header:
            setattr(ident, fld, strip_markup(header[fld][0]) or None)
    if "parent_hld" in header:
        raw = header["parent_hld"][0]
        ident.parent_hld = link_target(raw) or strip_markup(raw) or None
    ident.component = component
    if ident.version and "version" in header:
        _check_version_lag(ctx, ident.version, header["version"][1])

    repo_re = common.value("repo_name")
    if component:
        inner = re.search(r"\(([^()]*)\)", component)
        if inner and repo_re.match(inner.group(1).strip("` ")):
            ident.repo, ident.repo_source = inner.group(1).strip("` "), "component"
    if ident.repo is None and "repository" in overview:
        value = strip_markup(overview["repository"][0]).split()[0] if overview["repository"][0].strip() else ""
        if repo_re.match(value):
            ident.repo, ident.repo_source = value, "overview"
    if ident.repo is not None:
        try:
            naming.safe_repo_name(ident.repo)
        except ValueError as exc:
            ctx.sink.error(header.get("component", overview.get("repository", ("", 1)))[1], str(exc))
            ident.repo = None

    service_label = overview.get("service_name", (None, 0))[0]
    ident.service_name = service_name_from(title, component or service_label, ctx)
    if not naming.words(ident.service_name):
        ctx.sink.error(doc.title_line, f"cannot derive a service name from the title {title!r}")
        ident.service_name = "service"
    ident.runtime = _runtime(ctx, overview)
    return ident


def _version_key(text: str) -> tuple[int, ...] | None:
    m = re.fullmatch(r"v?(\d+(?:\.\d+)*)", text.strip())
    return tuple(int(p) for p in m.group(1).split(".")) if m else None


def _check_version_lag(ctx: Context, version: str, line: int) -> None:
    """Warn when the Document Control table already has a newer version than the header."""
    spec = ctx.grammar["identity"].data["document_control"]
    sections = {s.lower() for s in spec["sections"]}
    columns = {c.lower() for c in spec["version_columns"]}
    header_key = _version_key(version)
    if header_key is None:
        return
    for table in ctx.doc.tables():
        if not any(sec.key in sections for sec in table.section.ancestors()):
            continue
        col = next((i for i, h in enumerate(table.header) if normalise_header(h) in columns), None)
        if col is None:
            continue
        newest = max(
            ((k, r.line) for r in table.rows if (k := _version_key(table.column(r, col))) is not None),
            default=None,
        )
        if newest and newest[0] > header_key:
            shown = ".".join(str(p) for p in newest[0])
            ctx.sink.warn(
                line,
                f"header says Version {version} (line {line}) but Document Control has {shown} (line {newest[1]})",
            )
        return


def _runtime(ctx: Context, overview: dict[str, tuple[str, int]]) -> Runtime:
    concept = ctx.grammar["identity"]
    defaults = tuple(ctx.grammar["common"].data["default_labels"])
    rt = Runtime(line=min((v[1] for v in overview.values()), default=None))
    if "runtime" in overview:
        m = re.search(concept.data["python_version"], overview["runtime"][0], re.IGNORECASE)
        if m:
            rt.python_version = m.group("v")
    if "architecture" in overview:
        m = re.search(concept.data["architecture"], overview["architecture"][0], re.IGNORECASE)
        if m:
            arch = m.group("a").lower()
            rt.architecture = "x86_64" if arch in ("x86_64", "x86-64", "amd64") else "arm64"
    for fld, unit in (("memory", "size"), ("timeout", "duration")):
        if fld not in overview:
            continue
        raw, line = overview[fld]
        q = parse_quantities(raw, ctx.grammar, unit)
        setattr(rt, f"{fld}_raw", raw or None)
        if q is None:
            ctx.sink.warn(line, f"cannot read {fld} value {raw!r}")
            continue
        setattr(rt, f"{fld}_mb" if fld == "memory" else "timeout_s", q.default(defaults))
        setattr(rt, f"{fld}_by_label", q.by_label())
    return rt
