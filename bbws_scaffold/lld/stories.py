"""User stories with their test scenarios, from the epic/story tables of every house style.

Each story becomes an acceptance test named after its id, so ids must be stable: ids are kept
as written, id ranges (``US-2.7-001 to US-2.7-005``) are expanded, and a row without an id
(``-``) gets one synthesised from its epic (or section) and its row number. Scenario cells that
hold several scenarios (``<br/>``, ``;``, ``1. ... 2. ...``) are split; the raw markdown line is
read for that because the plain cell text has already lost its ``<br/>`` breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.nfrs import display_title
from bbws_scaffold.lld.readers.document import Row, Section, Table, split_row
from bbws_scaffold.lld.readers.grammar import Concept, normalise_header
from bbws_scaffold.lld.readers.values import strip_markup
from bbws_scaffold.model import UserStory

_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
_BACKTICK_RE = re.compile(r"`([^`]+)`")
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass
class _Columns:
    id: int | None
    story: int | None
    story_ids: int | None
    epic: int | None
    scenarios: int | None
    functions: int | None


def extract(ctx: Context) -> list[UserStory]:
    concept = ctx.grammar["stories"]
    lines = ctx.doc.source.splitlines()
    out: list[UserStory] = []
    seen: dict[str, int] = {}
    for table in ctx.doc.tables():
        cols = _columns(table, concept, in_section=table.section.within("stories") is not None)
        if cols is None:
            continue
        for story in _rows(table, cols, concept, lines):
            if story.id in seen:
                ctx.sink.warn(story.line or 0, f"user story {story.id} repeats line {seen[story.id]}; kept the first")
                continue
            seen[story.id] = story.line or 0
            out.append(story)
    return out


def _columns(table: Table, concept: Concept, in_section: bool) -> _Columns | None:
    """Which columns hold what, or None when the table is not a story table."""
    m = concept.match_columns(table.header)
    keys = [normalise_header(h) for h in table.header]
    strong = {normalise_header(s) for s in concept.data.get("strong_id_columns") or []}
    if not in_section and not (strong & set(keys) and "story" in m):
        return None
    cols = _Columns(m.get("id"), m.get("story"), m.get("story_ids"), m.get("epic"), m.get("scenarios"), None)
    cols.functions = m.get("functions")
    if cols.id is None and cols.story is not None and _holds_ids(table, cols.story, concept):
        # `User Story | Description`: the "User Story" column holds the ids
        cols.id = cols.story
        cols.story = next((i for i, k in enumerate(keys) if i != cols.id and k in concept.columns["story"]), None)
    if cols.story_ids is not None and not _holds_ids(table, cols.story_ids, concept, ranges=True):
        cols.story_ids = None
    if cols.story is None and cols.story_ids is None:
        return None
    if cols.id is None and cols.story_ids is None and cols.scenarios is None:
        return None  # an epic list or a glossary, not stories
    return cols


def _holds_ids(table: Table, col: int, concept: Concept, ranges: bool = False) -> bool:
    """Most non-empty cells of the column are ids (or id ranges / lists)."""
    cells = [strip_markup(table.column(r, col)) for r in table.rows]
    cells = [c for c in cells if c and c not in ("-", "—")]
    if not cells:
        return False
    hits = sum(1 for c in cells if (_expand_ids(c, concept) if ranges else _is_id(c, concept)))
    return hits * 2 > len(cells)


def _is_id(text: str, concept: Concept) -> bool:
    return len(text) <= 32 and any(ch.isdigit() for ch in text) and bool(concept.value("id").match(text))


def _expand_ids(cell: str, concept: Concept) -> list[str]:
    """``US-2.7-001 to US-2.7-005`` -> five ids; ``US-1, US-2`` -> two; anything else -> []."""
    out: list[str] = []
    for part in re.split(r"\s*(?:,|;|\band\b)\s*", cell):
        part = part.strip()
        if not part:
            continue
        rng = concept.value("range").match(part) if len(part) <= 80 else None
        if rng and (rng.group("b") is None or rng.group("b").strip() == rng.group("a").strip()):
            lo, hi = int(rng.group("an")), int(rng.group("bn"))
            if lo <= hi and hi - lo < int(concept.data.get("max_range", 100)):
                width = len(rng.group("an"))
                out.extend(f"{rng.group('a')}{n:0{width}d}" for n in range(lo, hi + 1))
                continue
        if _is_id(part, concept):
            out.append(part)
        else:
            return []
    return out


def _rows(table: Table, cols: _Columns, concept: Concept, lines: list[str]) -> Iterable[UserStory]:
    heading_epic = _heading_epic(table.section, concept)
    for index, row in enumerate(table.rows, start=1):
        raw = _raw_cells(row, lines, len(table.header))
        epic = _cell(table, row, cols.epic) or heading_epic
        story = _cell(table, row, cols.story)
        scenarios = _scenarios(_raw(raw, cols.scenarios) or _cell(table, row, cols.scenarios), concept)
        functions = _functions(_raw(raw, cols.functions) or _cell(table, row, cols.functions))
        if cols.story_ids is not None:
            ids = _expand_ids(_cell(table, row, cols.story_ids), concept)
            label = f"{epic}: {story}" if epic and story else epic or story or None
            for sid in ids:
                yield UserStory(line=row.line, id=sid, epic=label, story="", scenarios=scenarios, functions=functions)
            continue
        if not (story or scenarios):
            continue
        sid = _cell(table, row, cols.id)
        if not _is_id(sid, concept):
            sid = _synthesised_id(epic or display_title(table.section.title), index)
        yield UserStory(line=row.line, id=sid, epic=epic or None, story=story, scenarios=scenarios, functions=functions)


def _cell(table: Table, row: Row, col: int | None) -> str:
    return strip_markup(table.column(row, col)).strip()


def _raw_cells(row: Row, lines: list[str], width: int) -> list[str] | None:
    """The row's cells as markdown (``<br/>`` and backticks intact), when they align with the header."""
    if not 0 < row.line <= len(lines):
        return None
    cells = split_row(lines[row.line - 1])
    return cells if len(cells) == width else None


def _raw(cells: list[str] | None, col: int | None) -> str:
    return cells[col] if cells is not None and col is not None and col < len(cells) else ""


def _heading_epic(section: Section, concept: Concept) -> str | None:
    """The epic a heading names: ``2.1 Epic 5: Billing (US 5.1-5.4)`` -> ``Billing``."""
    patterns = [re.compile(p, re.IGNORECASE) for p in concept.data.get("epic_headings") or []]
    for sec in section.ancestors():
        title = display_title(sec.title)
        for pat in patterns:
            m = pat.match(title)
            if m and m.group("name").strip():
                return m.group("name").strip()
    return None


def _synthesised_id(scope: str, index: int) -> str:
    """A stable id for a row written without one: ``US-<EPIC>-<row>``."""
    words = naming.words(scope)[:4]
    prefix = "-".join(w.upper() for w in words) if words else "STORY"
    return f"US-{prefix}-{index:03d}"


def _scenarios(raw: str, concept: Concept) -> list[str]:
    """A scenario cell as a list: split on ``<br/>``, ``;`` and ``1. ... 2. ...`` numbering."""
    empty = {e.lower() for e in concept.data.get("empty_cells") or []}
    parts: list[str] = []
    for chunk in _BR_RE.split(raw):
        for piece in chunk.split(";"):
            parts.extend(_numbered(piece, concept))
    out = []
    for part in parts:
        text = re.sub(r"\s+", " ", strip_markup(_TAG_RE.sub(" ", part))).strip(" -•*")
        if text and text.lower() not in empty:
            out.append(text)
    return out


def _numbered(text: str, concept: Concept) -> list[str]:
    """``1. a 2. b`` -> ``[a, b]`` when the numbers run 1, 2, ... (else the text unchanged)."""
    marks = list(concept.value("numbered").finditer(text))
    if len(marks) < 2 or [int(m.group("n")) for m in marks] != list(range(1, len(marks) + 1)):
        return [text]
    bounds = [m.start() for m in marks] + [len(text)]
    return [text[marks[i].end() : bounds[i + 1]] for i in range(len(marks))]


def _functions(raw: str) -> list[str]:
    """Function names in a cell: the backticked names, else comma / ``<br/>`` separated words."""
    names = _BACKTICK_RE.findall(raw)
    if not names:
        names = re.split(r"\s*(?:,|;|<br\s*/?>|\band\b)\s*", strip_markup(raw), flags=re.IGNORECASE)
    out: list[str] = []
    for name in (n.strip() for n in names):
        if name and _IDENT_RE.match(name) and name not in out:
            out.append(name)
    return out
