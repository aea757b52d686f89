"""LLD file -> ``ServiceSpec``. The only public entry points of the parser.

Stages: bytes are checked and decoded, markdown-it tokens become a ``Document`` of sections
and blocks, OpenAPI sources are collected, then one extractor per concept reads what it
recognises. Extractors never raise on odd input: they skip it or warn. Only input that
makes generation impossible (not an LLD, unreadable, structurally broken) is an error.
"""

from __future__ import annotations

from pathlib import Path

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.errors import LLDError
from bbws_scaffold.lld import (
    access,
    contracts,
    dependencies,
    entity_fields,
    envvars,
    identity,
    kind,
    models,
    nfrs,
    paths,
    stories,
    tags,
)
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.dynamodb import tables
from bbws_scaffold.lld.inventory import merge
from bbws_scaffold.lld.readers import document, openapi
from bbws_scaffold.lld.readers.grammar import load_grammar
from bbws_scaffold.model import ServiceSpec
from bbws_scaffold.plan.code import model_misfits


def parse_file(
    path: str | Path, openapi_files: list[str | Path] | None = None, *, assume_lld: bool = False
) -> ServiceSpec:
    """Parse an LLD file; raises ``LLDError`` (with ``file:line`` diagnostics) when it cannot.

    A document that is not a service LLD (:mod:`bbws_scaffold.lld.kind`) is refused unless
    ``assume_lld``."""
    path = Path(path)
    sink = DiagnosticSink()
    try:
        size = path.stat().st_size
        if size > document.MAX_BYTES:
            sink.error(1, f"file is {size / 1e6:.1f} MB; an LLD is at most {document.MAX_BYTES // 1e6:.0f} MB")
            raise LLDError(str(path), sink.errors)
        data = path.read_bytes()
    except OSError as exc:
        sink.error(1, f"cannot read file: {exc.strerror or exc}")
        raise LLDError(str(path), sink.errors) from None
    return parse_bytes(str(path), data, [str(p) for p in openapi_files or []], sink, check_kind=not assume_lld)


def parse_bytes(
    file: str,
    data: bytes,
    openapi_files: list[str] | None = None,
    sink: DiagnosticSink | None = None,
    *,
    check_kind: bool = False,
) -> ServiceSpec:
    sink = sink or DiagnosticSink()
    text = document.decode(file, data, sink)
    if text is None:
        raise LLDError(file, sink.errors)
    return parse_text(file, text, openapi_files, sink, check_kind=check_kind)


def parse_text(
    file: str,
    text: str,
    openapi_files: list[str] | None = None,
    sink: DiagnosticSink | None = None,
    *,
    check_kind: bool = False,
) -> ServiceSpec:
    """Parse LLD text. ``check_kind``: refuse a document that is not a service LLD
    (:mod:`bbws_scaffold.lld.kind`); :func:`parse_file`, the entry point of every command, checks
    unless told ``assume_lld``; text alone may be a fragment (tests, tools)."""
    sink = sink or DiagnosticSink()
    grammar = load_grammar()
    doc = document.build(file, text, grammar, sink)
    if check_kind:
        kind.check_name(file, doc, sink)
    if not sink.errors:
        _require_lld(doc, sink)
    if sink.errors:
        raise LLDError(file, sink.errors)
    sources = openapi.from_document(doc, sink)
    for extra in openapi_files or []:
        src = openapi.from_file(extra, sink)
        if src is not None:
            sources.append(src)
    ctx = Context(doc, grammar, sink, sources)

    ident = identity.extract(ctx)
    endpoints, functions = merge.extract(ctx)
    if check_kind:
        kind.check_structure(file, doc, endpoints, functions, sink)
        if sink.errors:
            raise LLDError(file, sink.errors)
    paths.check(endpoints, sink)
    env = envvars.extract(ctx)
    spec_tables = tables.extract(ctx, env)
    spec_models = models.extract(ctx)
    entity_fields.fill(ctx, spec_tables, spec_models)
    contracts.extract(ctx, endpoints, spec_models)
    access.extract(ctx, endpoints)
    deps = dependencies.extract(ctx, spec_tables, functions, env)
    spec_nfrs = nfrs.extract(ctx)
    spec_tags = tags.extract(ctx)
    spec_stories = stories.extract(ctx)
    if not (endpoints or functions or spec_tables or spec_models or env) and not (ident.lld_number or ident.version):
        _no_service(doc, sink)
    if sink.errors:
        raise LLDError(file, sink.errors)
    servers: list[str] = []
    for src in sources:
        servers.extend(u for u in src.servers if u not in servers)
    try:
        spec = ServiceSpec(
            source_file=Path(file).name,
            lld_number=ident.lld_number,
            title=ident.title,
            service_name=ident.service_name,
            version=ident.version,
            status=ident.status,
            created=ident.created,
            parent_hld=ident.parent_hld,
            component=ident.component,
            repo=ident.repo or "",
            repo_source=ident.repo_source if ident.repo else "derived",
            runtime=ident.runtime,
            api_base_urls=servers,
            endpoints=endpoints,
            functions=functions,
            tables=spec_tables,
            models=spec_models,
            env_vars=env,
            dependencies=deps,
            nfrs=spec_nfrs,
            tags=spec_tags,
            user_stories=spec_stories,
            warnings=sink.warnings,
        )
    except ValueError as exc:  # a name the model cannot normalise: report, never a traceback
        sink.error(ident.title_line, f"cannot build the service model: {exc}")
        raise LLDError(file, sink.errors) from None
    spec = _stub_model_misfits(spec)
    _warn_stubs(spec, sink)
    return spec


def _stub_model_misfits(spec: ServiceSpec) -> ServiceSpec:
    """A CRUD binding the LLD's own request/response models contradict (a required field the entity
    does not store) is a stub too, decided here so ``lld parse``, the warning and the generated
    code agree: the reason goes into the contract, where the binding reads it."""
    found = model_misfits(spec)
    if not found:
        return spec
    for ep, why in found:
        ep.contract.custom_reason, ep.contract.custom_line = why, ep.line
    return ServiceSpec.model_validate(spec.model_dump(mode="json"))


def _warn_stubs(spec: ServiceSpec, sink: DiagnosticSink) -> None:
    """Every endpoint generated as a 501 stub is a warning at the line that decided it."""
    for ep in spec.endpoints:
        if ep.binding.kind == "stub":
            why = ep.binding.reason.removeprefix("stub: ")
            sink.warn(ep.binding.line or ep.line or 1, f"{ep.method} {ep.path}: not generated: {why}")
    # added to the spec's own (the model's rename warnings among them), in line order
    new = [w for w in sink.warnings if w not in spec.warnings]  # (the sink sorts: no slicing)
    spec.warnings = sorted(spec.warnings + new, key=lambda d: (d.line or 0, d.message))


def _require_lld(doc: document.Document, sink: DiagnosticSink) -> None:
    """An LLD has a title and at least one section the grammar recognises."""
    recognised = [s for s in doc.sections if s.concepts]
    if doc.title is None and not recognised:
        sink.error(1, "not an LLD: no '# Title' heading and no recognised section (see lld_grammar/README.md)")
    elif not recognised:
        sink.error(doc.title_line, "not an LLD: no recognised section (functions, endpoints, data models, ...)")


def _no_service(doc: document.Document, sink: DiagnosticSink) -> None:
    """Nothing to generate and no LLD number or version: a guide or instructions file that talks about LLDs."""
    sink.error(
        doc.title_line or 1,
        "not a service LLD: no endpoints, Lambda functions, DynamoDB tables or models found "
        "(see lld_grammar/README.md)",
    )
