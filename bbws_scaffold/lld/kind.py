"""Is this document a service LLD? Decided by its file name, its title and its structure.

The platform names its documents ``[phase].[sub-phase].[n]_<KIND>_[Name].md`` (``2.1.8_LLD_Order_
Lambda.md``, ``2.1_HLD_Commerce.md``, ``2.1_BRS_Commerce.md``). A *service* LLD, the document
bbws-scaffold generates a repository from, also has an inventory of what to build: a function
table or an endpoint table (tables the grammar classifies by their columns, ``lld_grammar/
functions.yaml`` and ``endpoints.yaml``, under any heading), an OpenAPI specification, or a
function or endpoint under a section titled as an inventory ("Lambda Functions", "API Endpoints").

The rule, applied by :func:`bbws_scaffold.lld.parser.parse_file` unless ``assume_lld``
(``--assume-lld`` on every command that reads an LLD):

* **refused** (``FILE:1: error: not a service LLD: ...``) when the file name or the title names
  another kind of document (BRS, HLD, SRS, runbook, project plan, ADR) and the title does not
  say LLD, or when no inventory is found; the message names what is missing;
* **warned** when the structure is a service LLD's but the file name does not follow the
  convention: a real LLD outside the platform's folders may be named anything, and a title
  saying "Low-Level Design" outweighs a file name saying HLD.

A document with no section the grammar recognises at all is refused earlier, as "not an LLD".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.lld.numbering import LLD_FILE_RE
from bbws_scaffold.lld.readers.document import Document
from bbws_scaffold.model import Endpoint, Function

INVENTORY_CONCEPTS = ("functions", "endpoints")
"""Grammar concepts whose sections are an inventory of what a service LLD builds."""

CONVENTION = "[phase].[sub-phase].[n]_LLD_[Name].md"

_KIND_FILE_RE = re.compile(r"^\d+(?:\.\d+)*_(?P<kind>[A-Za-z]+)_.+\.md$")
_LLD_TITLE_RE = re.compile(r"\b(?:LLD|low[- ]level design|detailed design)\b", re.IGNORECASE)
_OTHER_KINDS = (
    ("BRS", re.compile(r"\b(?:BRS|business requirements?(?: specification| document)?)\b", re.IGNORECASE)),
    ("HLD", re.compile(r"\b(?:HLD|high[- ]level design)\b", re.IGNORECASE)),
    ("SRS", re.compile(r"\b(?:SRS|software requirements? specification)\b", re.IGNORECASE)),
    ("runbook", re.compile(r"\b(?:run ?book|operations? manual|playbook)\b", re.IGNORECASE)),
    ("project plan", re.compile(r"\b(?:project plan|delivery plan|implementation plan|roadmap)\b", re.IGNORECASE)),
    ("ADR", re.compile(r"\b(?:ADR|architecture decision record)\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Verdict:
    """What the document looks like: the kind its name or title gives (None: no other kind named),
    and the line of its first inventory section (None: it has none)."""

    other_kind: str | None
    named_by: str
    inventory_line: int | None
    conventional_name: bool


def _other_kind(text: str) -> str | None:
    return next((kind for kind, rx in _OTHER_KINDS if rx.search(text)), None)


def named_kind(file: str, doc: Document) -> tuple[str | None, str]:
    """The other kind of document the file name or the title names (None: none), and which said so."""
    name = PurePath(file).name
    title = doc.title or ""
    if _LLD_TITLE_RE.search(title):
        return None, ""  # "Order Lambda - LLD" in a file named oddly: the title decides
    m = _KIND_FILE_RE.match(name)
    if not LLD_FILE_RE.match(name) and m and m.group("kind").upper() != "LLD":
        return _other_kind(m.group("kind")) or m.group("kind"), f"file name {name!r}"
    kind = _other_kind(title)
    return (kind, f"title {title!r}") if kind else (None, "")


def inventory_line(doc: Document, endpoints: list[Endpoint], functions: list[Function]) -> int | None:
    """The line of the first inventory entry (None: none): a function or endpoint read from a table
    (the grammar classifies tables by their columns, wherever they stand) or from an OpenAPI
    specification, or any function or endpoint under a section titled as an inventory."""
    table_lines = {row.line for table in doc.tables() for row in table.rows}
    entries = [x.line for x in [*endpoints, *functions] if x.line and x.line in table_lines]
    entries += [e.line or 1 for e in endpoints if e.source.startswith("openapi")]
    for i, sec in enumerate(doc.sections):
        if set(INVENTORY_CONCEPTS) & set(sec.concepts):
            end = next((s.line for s in doc.sections[i + 1 :] if s.level <= sec.level), 10**9)
            entries += [x.line for x in [*endpoints, *functions] if x.line and sec.line <= x.line < end]
    return min(entries, default=None)


def judge(file: str, doc: Document, endpoints: list[Endpoint], functions: list[Function]) -> Verdict:
    other, named_by = named_kind(file, doc)
    conventional = bool(LLD_FILE_RE.match(PurePath(file).name))
    return Verdict(other, named_by, inventory_line(doc, endpoints, functions), conventional)


_HINT = "pass --assume-lld to read it as one anyway"


def check_name(file: str, doc: Document, sink: DiagnosticSink) -> None:
    """Refuse a document whose file name or title names another kind (before anything is extracted)."""
    other, named_by = named_kind(file, doc)
    if other:
        sink.error(doc.title_line or 1, f"not a service LLD: its {named_by} says it is a {other} ({_HINT})")


def check_structure(
    file: str, doc: Document, endpoints: list[Endpoint], functions: list[Function], sink: DiagnosticSink
) -> None:
    """Refuse a document with no function or endpoint inventory; warn about an unconventional name."""
    line = doc.title_line or 1
    if inventory_line(doc, endpoints, functions) is None:
        sink.error(
            line,
            "not a service LLD: no function inventory (a 'Lambda Functions' table) and no endpoint inventory "
            f"(an 'API Endpoints' table or an OpenAPI specification) with an entry ({_HINT})",
        )
    elif not LLD_FILE_RE.match(PurePath(file).name):
        sink.warn(line, f"file name {PurePath(file).name!r} does not follow the LLD naming convention {CONVENTION}")
