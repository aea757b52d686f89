"""Is this document a service LLD? Decided by its file name, its title and its structure.

The platform names its documents ``[phase].[sub-phase].[n]_<KIND>_[Name].md`` (``2.1.8_LLD_Order_
Lambda.md``, ``2.1_HLD_Commerce.md``, ``2.1_BRS_Commerce.md``). A *service* LLD, the document
bbws-scaffold generates a repository from, also has an inventory of what to build: a section the
grammar recognises as a function inventory (``lld_grammar/functions.yaml``, "Lambda Functions")
or an endpoint inventory (``lld_grammar/endpoints.yaml``, "API Endpoints", an OpenAPI
specification) holding at least one function or endpoint.

The rule (``assume_lld`` turns it off):

* **refused** (``FILE:LINE: error``) when the file name or the title names another kind of
  document (BRS, HLD, runbook, project plan, ...) and the title does not say LLD, or when no
  function or endpoint inventory is found; the message names what is missing;
* **warned** when the structure is a service LLD's but the file name does not follow the
  convention: an LLD outside the platform's folders may be named anything.
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


def judge(file: str, doc: Document, endpoints: list[Endpoint], functions: list[Function]) -> Verdict:
    name = PurePath(file).name
    conventional = bool(LLD_FILE_RE.match(name))
    other, named_by = None, ""
    m = _KIND_FILE_RE.match(name)
    if not conventional and m and m.group("kind").upper() != "LLD":
        other, named_by = _other_kind(m.group("kind").replace("_", " ")) or m.group("kind"), f"file name {name!r}"
    title = doc.title or ""
    if other is None and not _LLD_TITLE_RE.search(title):
        kind = _other_kind(title)
        if kind:
            other, named_by = kind, f"title {title!r}"
    if other and _LLD_TITLE_RE.search(title):
        other = None  # "Order Lambda - LLD" in a file named oddly: the title decides
    lines = sorted(x.line for x in [*endpoints, *functions] if x.line)
    inventory = None
    for i, sec in enumerate(doc.sections):
        if not set(INVENTORY_CONCEPTS) & set(sec.concepts):
            continue
        end = next((s.line for s in doc.sections[i + 1 :] if s.level <= sec.level), 10**9)
        if any(sec.line <= ln < end for ln in lines):
            inventory = sec.line
            break
    return Verdict(other, named_by, inventory, conventional)


def check(file: str, doc: Document, endpoints: list[Endpoint], functions: list[Function], sink: DiagnosticSink) -> None:
    """Refuse a document that is not a service LLD, warn about an unconventional name (module doc)."""
    v = judge(file, doc, endpoints, functions)
    line = doc.title_line or 1
    hint = "pass --assume-lld to read it as one anyway"
    if v.other_kind:
        sink.error(line, f"not a service LLD: its {v.named_by} says it is a {v.other_kind} ({hint})")
    elif v.inventory_line is None:
        sink.error(
            line,
            "not a service LLD: no function inventory (a 'Lambda Functions' table) and no endpoint inventory "
            f"(an 'API Endpoints' table or an OpenAPI specification) with an entry ({hint})",
        )
    elif not v.conventional_name:
        sink.warn(line, f"file name {PurePath(file).name!r} does not follow the LLD naming convention {CONVENTION}")
