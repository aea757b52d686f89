"""Lambda function rows: function tables with or without an endpoint column, triggers and sizes.

Two table families declare functions (dialect survey §3.1 A/B and §3.3):

* tables that pair a function with an endpoint (``Function | Endpoint | Description``,
  ``Method | Endpoint | Lambda | Description``);
* inventories without paths (``# | Function Name | Trigger | Memory | Timeout | Description``,
  ``Function | Handler | Memory | Timeout | Trigger``, ``Function | Trigger | Target | Description``).

Both become ``FunctionRow`` records; ``merge`` folds them by name and pairs them with
endpoints. Trigger vocabulary, column synonyms and name shapes live in ``functions.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.inventory.endpoint_sources import cell_endpoints, clean_path, ignored
from bbws_scaffold.lld.readers.document import Row, Table
from bbws_scaffold.lld.readers.grammar import Concept, normalise_header
from bbws_scaffold.lld.readers.values import parse_quantities
from bbws_scaffold.model import Trigger

_STRONG_COLUMNS = ("trigger", "source", "memory", "timeout", "handler", "deployed_name")
_TRIGGER_SOURCE_RE = re.compile(r"^\s*(?P<kind>[^:()]+?)\s*(?::\s*(?P<a>.+?)|\((?P<b>.+)\))\s*$")


@dataclass
class FunctionRow:
    """One function as a table row declares it."""

    name: str
    line: int
    table_line: int
    trigger: Trigger | None = None
    trigger_raw: str | None = None
    source_name: str | None = None
    description: str | None = None
    memory_mb: int | None = None
    timeout_s: int | None = None
    handler_path: str | None = None
    deployed_name: str | None = None
    endpoints: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CountClaim:
    """A count the document claims (heading "(5 Total)" or a summary table), to check against rows."""

    count: int
    line: int
    what: str
    section_line: int | None = None  # heading line of the section whose tables it counts


def _concept(ctx: Context) -> Concept:
    return ctx.grammar["functions"]


def _empty(ctx: Context, cell: str) -> bool:
    return cell.strip().strip("`*").lower() in {str(e) for e in _concept(ctx).data.get("empty_cells", [""])}


def classify_trigger(ctx: Context, raw: str | None) -> Trigger | None:
    """``SQS: `queue``` -> sqs, ``API Gateway`` -> http, ``Step Functions`` -> other; None when empty."""
    if raw is None or _empty(ctx, raw):
        return None
    text = raw.lower()
    for kind, patterns in (_concept(ctx).data.get("triggers") or {}).items():
        if any(re.search(p, text) for p in patterns or []):
            return kind  # type: ignore[no-any-return]
    return "other"


def trigger_source(raw: str | None) -> str | None:
    """The queue / schedule / bus in a trigger cell: ``SQS: bbws-x-{env}`` -> ``bbws-x-{env}``."""
    if not raw:
        return None
    m = _TRIGGER_SOURCE_RE.match(raw.replace("`", ""))
    if not m:
        return None
    value = (m.group("a") or m.group("b") or "").strip()
    return value or None


def _size(ctx: Context, cell: str, unit: str) -> int | None:
    if _empty(ctx, cell):
        return None
    q = parse_quantities(cell, ctx.grammar, unit)
    return q.default(tuple(ctx.grammar["common"].data.get("default_labels", []))) if q else None


def is_function_table(ctx: Context, table: Table, cols: dict[str, int]) -> bool:
    """A table lists functions when it has a function column plus function-only columns.

    ``Lambda Function`` columns also appear in user-story tables, so a function column alone is
    not enough: the table needs an endpoint column, or must lead with the function column and have a
    trigger, memory, timeout or handler column, or sit in a functions section with a description column.
    """
    if "function" not in cols:
        return False
    if "path" in cols and not generic_name(table, cols):
        return True
    if cols["function"] != (1 if cols.get("number") == 0 else 0):
        return False  # an inventory leads with its function column ("Variable | Function | ..." is not one)
    generic = generic_name(table, cols)
    if any(c in cols for c in _STRONG_COLUMNS):
        return True
    if generic:
        return False
    return bool(table.section.within("functions")) and "description" in cols


def generic_name(table: Table, cols: dict[str, int]) -> bool:
    """The function column is only headed "Name" (weak evidence on its own)."""
    return normalise_header(table.header[cols["function"]]) == "name"


def read_function_rows(ctx: Context) -> list[FunctionRow]:
    """Every function row of every function table outside ignored sections."""
    out: list[FunctionRow] = []
    concept = _concept(ctx)
    name_re = re.compile(str(concept.data.get("function_name", r"^\S+$")))
    deployed_re = re.compile(str(concept.data.get("deployed_name", r"\{env\}")), re.IGNORECASE)
    for table in ctx.doc.tables():
        if ignored(ctx, table.section):
            continue
        cols = concept.match_columns(table.header)
        if not is_function_table(ctx, table, cols):
            continue
        rows = [_read_row(ctx, table, row, cols, name_re, deployed_re) for row in table.rows]
        good = [r for r in rows if r is not None]
        if good and len(good) * 2 >= len([r for r in table.rows if any(c.strip() for c in r.cells)]):
            out.extend(good)
    return out


def _read_row(
    ctx: Context, table: Table, row: Row, cols: dict[str, int], name_re: re.Pattern[str], deployed_re: re.Pattern[str]
) -> FunctionRow | None:
    name = table.column(row, cols["function"]).strip().strip("`*").strip()
    if not name or not name_re.match(name) or not naming.words(name):
        return None
    fr = FunctionRow(name=name, line=row.line, table_line=table.line)
    if "path" in cols:
        fr.endpoints = _row_endpoints(ctx, table, row, cols)
    source_col = cols.get("source")
    trigger_cell = table.column(row, cols["trigger"]).strip() if "trigger" in cols else ""
    if _empty(ctx, trigger_cell) and not fr.endpoints and "path" in cols:
        trigger_cell = table.column(row, cols["path"]).strip()  # "Endpoint" cell holding "SQS: queue"
    if not _empty(ctx, trigger_cell):
        fr.trigger_raw = trigger_cell
        fr.trigger = classify_trigger(ctx, trigger_cell)
        fr.source_name = trigger_source(trigger_cell) if fr.trigger not in (None, "http") else None
    if source_col is not None and not _empty(ctx, table.column(row, source_col)):
        fr.source_name = table.column(row, source_col).strip()
        if fr.trigger is None:
            implied = (_concept(ctx).data.get("source_triggers") or {}).get(normalise_header(table.header[source_col]))
            fr.trigger = implied
    if fr.endpoints:
        fr.trigger = "http" if fr.trigger in (None, "other") else fr.trigger
    fr.description = _text(ctx, table, row, cols.get("description"))
    fr.memory_mb = _size(ctx, table.column(row, cols["memory"]), "size") if "memory" in cols else None
    fr.timeout_s = _size(ctx, table.column(row, cols["timeout"]), "duration") if "timeout" in cols else None
    fr.handler_path = _text(ctx, table, row, cols.get("handler"))
    fr.deployed_name = _text(ctx, table, row, cols.get("deployed_name"))
    if fr.deployed_name is None and deployed_re.search(name):
        fr.deployed_name = name
    return fr


def _row_endpoints(ctx: Context, table: Table, row: Row, cols: dict[str, int]) -> list[tuple[str, str]]:
    cell = table.column(row, cols["path"])
    method_col = ctx.grammar["endpoints"].match_columns(table.header).get("method")
    if method_col is not None:
        methods = [m for m in re.split(r"[\s,/|]+", table.column(row, method_col).upper()) if m]
        path = clean_path(ctx, cell)
        if path and methods and all(m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS") for m in methods):
            return [(m, path) for m in methods]
        return []
    return cell_endpoints(ctx, cell)


def _text(ctx: Context, table: Table, row: Row, index: int | None) -> str | None:
    if index is None:
        return None
    value = table.column(row, index).strip()
    return None if _empty(ctx, value) else value


def count_claims(ctx: Context) -> list[CountClaim]:
    """Counts claimed by headings ("Lambda Functions (5 Total)") and summary tables (Functions = 11)."""
    concept = _concept(ctx)
    out: list[CountClaim] = []
    for heading in ctx.doc.headings():
        for pat in concept.data.get("count_patterns", []):
            m = re.search(pat, heading.text, re.IGNORECASE)
            if m:
                out.append(CountClaim(int(m.group("n")), heading.line, f"heading {heading.text!r}", heading.line))
                break
    for table in ctx.doc.tables("functions"):
        cols = concept.match_columns(table.header)
        if "count" not in cols or "function" in cols:
            continue
        cells = [table.column(r, cols["count"]).strip() for r in table.rows]
        if cells and all(re.fullmatch(r"\d+", c) for c in cells):
            out.append(CountClaim(sum(int(c) for c in cells), table.line, "function summary table"))
    return out
