"""AWS service dependencies: dependency tables, else declarative evidence (IAM policies, tables, env vars).

The dependency list drives least-privilege IAM, so a wrong AWS key grants a permission nobody
asked for. Names map to a canonical AWS key only through the vocabulary in
``lld_grammar/dependencies.yaml`` (exact alias after dropping vendor words and neutral
qualifiers); anything else (internal services, third parties) keeps ``service=None``.

When a document has no dependency table, dependencies are derived from machine-readable
declarations only: IAM policy ``Action`` prefixes in code blocks, the DynamoDB tables the doc
declares, SQS-triggered functions and AWS-flavoured environment variables. Sequence-diagram
participants and prose are never read. Derived entries say where they came from in ``purpose``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bbws_scaffold.lld.context import Context
from bbws_scaffold.lld.readers.document import Fence, Table
from bbws_scaffold.lld.readers.grammar import Concept
from bbws_scaffold.lld.readers.values import strip_markup
from bbws_scaffold.model import Dependency, EnvVar, Function
from bbws_scaffold.model import Table as SpecTable

_PAREN_RE = re.compile(r"\([^()]*\)")
_QUOTED_RE = re.compile(r"""["']([^"']+)["']""")


@dataclass
class Vocabulary:
    """Alias -> canonical key, built once per call from the grammar."""

    aliases: dict[str, str]
    names: dict[str, str]
    vendors: tuple[str, ...]
    qualifiers: frozenset[str]

    @classmethod
    def from_concept(cls, concept: Concept) -> Vocabulary:
        aliases: dict[str, str] = {}
        names: dict[str, str] = {}
        for key, entry in (concept.data.get("services") or {}).items():
            names[key] = entry.get("name") or key
            for alias in [key, *(entry.get("aliases") or [])]:
                aliases.setdefault(_norm(str(alias)), key)
        vendors = tuple(_norm(v) for v in concept.data.get("vendor_prefixes") or [])
        qualifiers = frozenset(_norm(q) for q in concept.data.get("qualifiers") or [])
        return cls(aliases, names, vendors, qualifiers)

    def service_for(self, name: str) -> str | None:
        """Canonical key of an AWS service name as written, or None for anything else."""
        words = _norm(_PAREN_RE.sub(" ", strip_markup(name))).split()
        while words and words[0] in self.vendors:
            words = words[1:]
        key = self.aliases.get(" ".join(words))
        if key:
            return key
        while words and words[0] in self.qualifiers:
            words = words[1:]
        while words and words[-1] in self.qualifiers:
            words = words[:-1]
        return self.aliases.get(" ".join(words)) if words else None

    def display(self, key: str) -> str:
        return self.names.get(key, key)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip().lower()


def extract(
    ctx: Context,
    tables: Sequence[SpecTable] = (),
    functions: Sequence[Function] = (),
    env_vars: Sequence[EnvVar] = (),
) -> list[Dependency]:
    """Declared dependency tables; without one, services derived from declarative evidence.

    ``tables``, ``functions`` and ``env_vars`` are what the other extractors already found (the
    parser passes them in), so nothing is extracted twice.
    """
    concept = ctx.grammar["dependencies"]
    vocab = Vocabulary.from_concept(concept)
    declared = _declared(ctx, concept, vocab)
    if declared:
        return declared
    return _derived(ctx, concept, vocab, tables, functions, env_vars)


# --- declared: dependency tables ----------------------------------------------------------------


def _declared(ctx: Context, concept: Concept, vocab: Vocabulary) -> list[Dependency]:
    out: list[Dependency] = []
    seen: set[tuple[str, str | None]] = set()
    for table in ctx.doc.tables("dependencies"):
        cols = concept.match_columns(table.header)
        if "name" not in cols or ("purpose" not in cols and "type" not in cols and "model" not in cols):
            continue
        for dep in _table_rows(table, cols, concept, vocab):
            key = (dep.name.lower(), (dep.purpose or "").lower())
            if key not in seen:
                seen.add(key)
                out.append(dep)
    return out


def _table_rows(table: Table, cols: dict[str, int], concept: Concept, vocab: Vocabulary) -> Iterable[Dependency]:
    non_aws = re.compile(concept.data.get("non_aws_type") or r"(?!x)x", re.IGNORECASE)
    for row in table.rows:
        name = strip_markup(table.column(row, cols["name"]))
        if not name or name in ("-", "—") or not re.search(r"[A-Za-z]", name):
            continue
        kind = strip_markup(table.column(row, cols.get("type")))
        service = None if (kind and non_aws.search(kind)) else vocab.service_for(name)
        purpose = strip_markup(table.column(row, cols.get("purpose"))) or None
        model = strip_markup(table.column(row, cols.get("model")))
        if model and model not in ("-", "—"):
            purpose = f"{purpose} (model: {model})" if purpose else f"model: {model}"
        yield Dependency(line=row.line, name=name, service=service, purpose=purpose)


# --- derived: declarative evidence elsewhere in the doc -----------------------------------------


@dataclass
class _Evidence:
    line: int
    notes: list[str] = field(default_factory=list)


def _derived(
    ctx: Context,
    concept: Concept,
    vocab: Vocabulary,
    tables: Sequence[SpecTable],
    functions: Sequence[Function],
    env_vars: Sequence[EnvVar],
) -> list[Dependency]:
    found: dict[str, _Evidence] = {}

    def add(service: str, line: int, note: str) -> None:
        if service not in vocab.names:
            return
        ev = found.setdefault(service, _Evidence(line))
        ev.line = min(ev.line, line)
        if note not in ev.notes:
            ev.notes.append(note)

    for fence in ctx.doc.fences():
        for service, line, actions in _policy_actions(fence, concept):
            add(service, line, f"derived from IAM policy (line {line}): {', '.join(actions)}")
    _from_tables(tables, add)
    _from_triggers(functions, concept, add)
    _from_env_vars(env_vars, concept, add)
    deps = [
        Dependency(line=ev.line, name=vocab.display(svc), service=svc, purpose="; ".join(ev.notes))
        for svc, ev in found.items()
    ]
    return sorted(deps, key=lambda d: (d.line or 0, d.service or ""))


def _policy_actions(fence: Fence, concept: Concept) -> list[tuple[str, int, list[str]]]:
    """Actions of IAM policy statements in one code block, grouped by service prefix.

    Read line by line (not with a JSON parser) so truncated JSON, HCL ``jsonencode`` and YAML
    policies all work, and each action keeps its line. ``NotAction`` is ignored.
    """
    if not re.search(concept.data["iam_policy_marker"], fence.content):
        return []
    key_re = re.compile(concept.data["iam_action_key"])
    action_re = re.compile(concept.data["iam_action"])
    by_service: dict[str, tuple[int, list[str]]] = {}
    lines = list(fence.lines())
    i = 0
    while i < len(lines):
        line_no, text = lines[i]
        m = key_re.match(text)
        i += 1
        if not m:
            continue
        items, i = _action_values(m.group("rest"), lines, i)
        for item_line, value in items:
            am = action_re.match(value)
            if not am:
                continue
            svc = am.group("svc")
            first, acts = by_service.setdefault(svc, (item_line or line_no, []))
            if value not in acts:
                acts.append(value)
    return [(svc, line, acts) for svc, (line, acts) in by_service.items()]


def _action_values(rest: str, lines: list[tuple[int, str]], i: int) -> tuple[list[tuple[int, str]], int]:
    """Values of one Action key: a string, a ``[...]`` list (maybe multi-line) or a YAML list."""
    line_no = lines[i - 1][0]
    rest = rest.strip()
    items: list[tuple[int, str]] = []
    if rest.startswith("["):
        text = rest[1:]
        while True:
            body, closed = text.split("]", 1)[0], "]" in text
            items.extend((line_no, v) for v in _QUOTED_RE.findall(body))
            if closed or i >= len(lines):
                return items, i
            line_no, text = lines[i]
            i += 1
    if rest:
        quoted = _QUOTED_RE.findall(rest)
        return [(line_no, quoted[0] if quoted else rest.rstrip(",").strip())], i
    while i < len(lines):
        m = re.match(r"^\s*-\s+[\"']?([^\"'\s#]+)[\"']?\s*(?:#.*)?$", lines[i][1])
        if not m:
            break
        items.append((lines[i][0], m.group(1)))
        i += 1
    return items, i


def _from_tables(tables: Sequence[SpecTable], add: Callable[[str, int, str], None]) -> None:
    for table in tables:
        if table.line:
            add(
                "dynamodb",
                table.line,
                f"derived from DynamoDB table {table.table_name or table.name!r} (line {table.line})",
            )


def _from_triggers(functions: Sequence[Function], concept: Concept, add: Callable[[str, int, str], None]) -> None:
    mapping = concept.data.get("trigger_services") or {}
    for fn in functions:
        service = mapping.get(fn.trigger)
        if service and fn.line:
            source = fn.source_name or fn.trigger_raw or fn.trigger
            add(service, fn.line, f"derived from {fn.trigger} trigger of {fn.name} ({source}, line {fn.line})")


def _from_env_vars(env_vars: Sequence[EnvVar], concept: Concept, add: Callable[[str, int, str], None]) -> None:
    rules = [(re.compile(r["pattern"]), r["service"]) for r in concept.data.get("env_var_services") or []]
    arn_re = re.compile(concept.data["arn"])
    for var in env_vars:
        if not var.line:
            continue
        for pattern, service in rules:
            if pattern.search(var.name):
                add(service, var.line, f"derived from env var {var.name} (line {var.line})")
        arn = arn_re.search(var.example or "")
        if arn:
            add(arn.group("svc"), var.line, f"derived from env var {var.name} ARN (line {var.line})")
