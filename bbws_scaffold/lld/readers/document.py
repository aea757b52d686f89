"""Markdown -> a flat list of blocks (headings, tables, fences, paragraphs) with line numbers.

Built on markdown-it-py tokens (GFM tables enabled). Every block knows the section it sits in;
a section knows its heading, its parent and the grammar concepts its title names, so an
extractor asks "tables under a *functions* section" rather than matching headings itself.

Input hygiene lives here too: size, encoding, binary content, unclosed fences and table rows
whose cell count exceeds the header (e.g. an unescaped ``|`` inside a code span) are reported
as ``file:line`` errors through the sink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bbws_scaffold.diagnostics import DiagnosticSink
from bbws_scaffold.lld.readers.grammar import Grammar, normalise_title

MAX_BYTES = 8 * 1024 * 1024  # the largest real LLD is ~0.5 MB; 8 MB is not a design document

_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
_FENCE_OPEN_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass
class Section:
    title: str  # heading text as written (inline markup stripped)
    key: str  # normalised title
    level: int  # 0 for the document root
    line: int
    parent: Section | None = None
    concepts: dict[str, re.Match[str] | bool] = field(default_factory=dict)

    def ancestors(self) -> Iterator[Section]:
        node: Section | None = self
        while node is not None:
            yield node
            node = node.parent

    def within(self, concept: str) -> Section | None:
        """The nearest section (this one or an ancestor) that names ``concept``."""
        for sec in self.ancestors():
            if concept in sec.concepts:
                return sec
        return None

    def path(self) -> str:
        return " > ".join(s.title for s in reversed(list(self.ancestors())) if s.level)


@dataclass
class Block:
    line: int
    section: Section


@dataclass
class Heading(Block):
    level: int
    text: str


@dataclass
class Row:
    cells: list[str]  # plain text, inline markup stripped
    code: list[bool]  # whether each cell is entirely a code span
    line: int


@dataclass
class Table(Block):
    header: list[str]
    rows: list[Row]
    label: str | None = None  # the bold/plain paragraph right before the table, if any

    def column(self, row: Row, index: int | None) -> str:
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index]


@dataclass
class Fence(Block):
    lang: str
    content: str
    label: str | None = None

    def lines(self) -> Iterator[tuple[int, str]]:
        for i, text in enumerate(self.content.splitlines()):
            yield self.line + 1 + i, text


@dataclass
class Paragraph(Block):
    text: str  # plain text of the whole paragraph
    raw: list[tuple[int, str]]  # (line, markdown source line)
    in_list: bool = False


@dataclass
class Document:
    file: str
    source: str
    blocks: list[Block]
    sections: list[Section]
    title: str | None
    title_line: int

    def tables(self, concept: str | None = None) -> Iterator[Table]:
        for b in self.blocks:
            if isinstance(b, Table) and (concept is None or b.section.within(concept)):
                yield b

    def fences(self, concept: str | None = None) -> Iterator[Fence]:
        for b in self.blocks:
            if isinstance(b, Fence) and (concept is None or b.section.within(concept)):
                yield b

    def paragraphs(self, concept: str | None = None) -> Iterator[Paragraph]:
        for b in self.blocks:
            if isinstance(b, Paragraph) and (concept is None or b.section.within(concept)):
                yield b

    def headings(self) -> Iterator[Heading]:
        for b in self.blocks:
            if isinstance(b, Heading):
                yield b


def inline_text(token: Token) -> tuple[str, bool]:
    """Plain text of an inline token; second value: the text is one code span."""
    parts: list[str] = []
    kinds: set[str] = set()
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
            kinds.add(child.type)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline":
            if _BR_RE.fullmatch(child.content.strip()):
                parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    text = _TAG_RE.sub(" ", "".join(parts)) if "<" in "".join(parts) else "".join(parts)
    text = re.sub(r"\s+", " ", text).strip()
    only_code = kinds == {"code_inline"} or (kinds >= {"code_inline"} and not text.strip("` "))
    return text, only_code


def split_row(line: str, keep_code: bool = False) -> list[str]:
    """GFM cell split of one raw table line.

    ``\\|`` escapes are honoured; code spans are kept whole only with ``keep_code``.
    """
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, i = [], [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s) and s[i + 1] == "|":
            cur.append("\\|" if keep_code else "|")
            i += 2
            continue
        if keep_code and ch == "`":
            end = _code_span_end(s, i)
            if end > i:
                cur.append(s[i:end])
                i = end
                continue
        if ch == "|":
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    cells.append("".join(cur))
    return cells


def _code_span_end(s: str, i: int) -> int:
    """End (exclusive) of the code span opened by the backtick run at ``i``, or ``i`` when it never closes."""
    j = i
    while j < len(s) and s[j] == "`":
        j += 1
    run = s[i:j]
    k = j
    while True:
        k = s.find(run, k)
        if k < 0:
            return i
        end = k + len(run)
        if (end >= len(s) or s[end] != "`") and (k == 0 or s[k - 1] != "`"):
            return end
        while k < len(s) and s[k] == "`":
            k += 1


def decode(file: str, data: bytes, sink: DiagnosticSink) -> str | None:
    """Bytes -> text, or None with an error for empty, huge, binary or non-UTF-8 input."""
    if len(data) > MAX_BYTES:
        sink.error(1, f"file is {len(data) / 1e6:.1f} MB; an LLD is at most {MAX_BYTES // 1e6:.0f} MB")
        return None
    if b"\x00" in data[:65536] or b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        sink.error(line, "binary content (NUL byte): not a markdown document")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        sink.error(line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None
    if not text.strip():
        sink.error(1, "empty document")
        return None
    return text


_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def build(file: str, text: str, grammar: Grammar, sink: DiagnosticSink) -> Document:
    """Tokenise and fold the token stream into sections and blocks."""
    lines = text.splitlines()
    tokens = _MD.parse(text)
    root = Section("", "", 0, 1)
    sections = [root]
    current = root
    blocks: list[Block] = []
    title: str | None = None
    title_line = 1
    pending_label: str | None = None
    list_depth = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        line = (tok.map[0] + 1) if tok.map else 0
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            text_, _ = inline_text(tokens[i + 1])
            while current.level >= level and current.parent is not None:
                current = current.parent
            key = normalise_title(text_)
            sec = Section(text_, key, level, line, current, grammar.concepts_for(key))
            sections.append(sec)
            current = sec
            blocks.append(Heading(line, sec, level, text_))
            if level == 1 and title is None:
                title, title_line = text_, line
            pending_label = None
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            ptext, _ = inline_text(inline)
            start, end = tok.map or (0, 0)
            raw = [(n + 1, lines[n]) for n in range(start, min(end, len(lines)))]
            blocks.append(Paragraph(line, current, ptext, raw, list_depth > 0))
            _check_pseudo_table(raw, sink)
            pending_label = ptext if list_depth == 0 and len(ptext) < 200 else None
            i += 3
            continue
        elif tok.type == "table_open":
            table, i = _read_table(tokens, i, current, lines, sink)
            table.label = pending_label
            blocks.append(table)
            pending_label = None
            continue
        elif tok.type in ("fence", "code_block"):
            lang = (tok.info or "").strip().split(" ")[0].lower() if tok.type == "fence" else ""
            blocks.append(Fence(line, current, lang, tok.content, pending_label))
            if tok.type == "fence":
                _check_fence_closed(tok, lines, sink)
            pending_label = None
        i += 1
    return Document(file, text, blocks, sections, title, title_line)


def _read_table(
    tokens: list[Token], i: int, section: Section, lines: list[str], sink: DiagnosticSink
) -> tuple[Table, int]:
    table_map = tokens[i].map
    start_line = table_map[0] + 1 if table_map else 0
    header: list[str] = []
    rows: list[Row] = []
    cur: list[str] = []
    code: list[bool] = []
    row_line = start_line
    in_head = False
    while i < len(tokens) and tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "thead_open":
            in_head = True
        elif t.type == "thead_close":
            in_head = False
        elif t.type == "tr_open":
            cur, code = [], []
            row_line = (t.map[0] + 1) if t.map else row_line
        elif t.type == "inline":
            txt, is_code = inline_text(t)
            cur.append(txt)
            code.append(is_code)
        elif t.type == "tr_close":
            if in_head:
                header = cur
            else:
                raw = lines[row_line - 1] if 0 < row_line <= len(lines) else ""
                rows.append(_checked_row(Row(cur, code, row_line), raw, header, start_line, section, sink))
        i += 1
    return Table(start_line, section, header, rows), i + 1


# Sections whose rows shape the generated code (routes, handlers, keys): a row that overflows its
# header there is an error, even when it could be repaired, because a shifted cell changes what is built.
_STRICT_ROW_CONCEPTS = ("endpoints", "functions", "tables")


def _checked_row(row: Row, raw: str, header: list[str], start: int, section: Section, sink: DiagnosticSink) -> Row:
    """A row with more cells than its header: an error where it shapes code, repaired elsewhere.

    GFM splits on every unescaped ``|``, even inside a code span, so ``| `a | b` |`` overflows.
    Inside an endpoint, function or DynamoDB table this is a FILE:LINE error (exit 2) that says how
    to fix it. In descriptive tables (tags, NFRs, stories, ...) real LLDs do this too; there the row is
    re-read with code spans kept whole, or its empty extra cells dropped, with a warning, so that
    one typo in a tagging table does not block generating the service.
    """
    n = len(split_row(raw))
    if n <= len(header):
        return row
    where = f"table row has {n} cells but its header (line {start}) has {len(header)}"
    hint = " (an unescaped '|' inside `code`? write it as \\|)" if "`" in raw else ""
    if any(section.within(c) for c in _STRICT_ROW_CONCEPTS):
        sink.error(row.line, f"{where}{hint}")
        return row
    spans = split_row(raw, keep_code=True)
    if "`" in raw and len(spans) == len(header):
        sink.warn(row.line, f"{where}: read each `code` span whole{hint}")
        return _row_from_cells(spans, row.line)
    if not any(c.strip() for c in split_row(raw)[len(header) :]):
        sink.warn(row.line, f"{where}: the extra cells are empty and are ignored")
        return row
    sink.warn(row.line, f"{where}{hint}; the cells past column {len(header)} are ignored")
    return row


def _row_from_cells(cells: list[str], line: int) -> Row:
    """Row from raw cell markdown, each cell rendered like a table cell token."""
    texts: list[str] = []
    code: list[bool] = []
    for cell in cells:
        toks = _MD.parseInline(cell.strip())
        text, is_code = inline_text(toks[0]) if toks else ("", False)
        texts.append(text)
        code.append(is_code)
    return Row(texts, code, line)


def _check_fence_closed(tok: Token, lines: list[str], sink: DiagnosticSink) -> None:
    start, end = tok.map or (0, 0)
    marker = (tok.markup or "```")[0]
    last = lines[end - 1].strip() if 0 < end <= len(lines) else ""
    closed = end - start >= 2 and last.startswith(marker * 3) and not last.strip(marker)
    if not closed:
        sink.error(start + 1, f"code fence {tok.markup}{tok.info} opened here is never closed")


def _check_pseudo_table(raw: list[tuple[int, str]], sink: DiagnosticSink) -> None:
    """A paragraph of ``| a | b |`` lines is a table markdown did not recognise."""
    pipe_lines = [ln for ln in raw if ln[1].lstrip().startswith("|") and ln[1].rstrip().endswith("|")]
    if len(pipe_lines) >= 2 and len(pipe_lines) == len(raw):
        sink.error(
            pipe_lines[0][0],
            "broken table: rows start with '|' but the second line is not a '|---|---|' delimiter "
            "row with one cell per header column",
        )
