"""What every extractor receives: the document, the grammar, the diagnostics and OpenAPI sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.lld.readers.document import Document
from bbws_scaffold.lld.readers.grammar import Grammar
from bbws_scaffold.lld.readers.openapi import OpenApiSource


@dataclass
class Context:
    doc: Document
    grammar: Grammar
    sink: DiagnosticSink
    openapi: list[OpenApiSource] = field(default_factory=list)

    @property
    def embedded_openapi(self) -> list[OpenApiSource]:
        return [s for s in self.openapi if not s.external]

    @property
    def external_openapi(self) -> list[OpenApiSource]:
        return [s for s in self.openapi if s.external]
