"""Check Terraform ``resource``/``data`` blocks against the AWS provider schema.

``terraform validate`` needs the provider binary, which cannot be downloaded
here, so this check does the part of it that catches template bugs: every
argument and nested block of every ``aws_*`` resource and data source must
exist in the AWS provider 6.25.0 schema shipped in
``bbws_scaffold/data/aws_provider_schema.json.gz`` (format:
``shared/aws_provider_schema/README.md``), and required arguments/blocks must
be present.

Rules (tool ``tf-schema``):

* ``unknown-type``      ``aws_*`` resource/data type the provider does not have
* ``unknown-argument``  argument not in the schema (with a did-you-mean hint)
* ``unknown-block``     nested block (or ``dynamic "x"`` label) not in the schema
* ``missing-argument``  required argument absent
* ``missing-block``     required nested block absent (``dynamic`` counts)

Allowed without schema entry: meta-arguments ``count``, ``for_each``,
``depends_on``, ``provider``; meta-blocks ``lifecycle`` (its own arguments
checked), ``provisioner``, ``connection``; inside ``dynamic`` blocks
``for_each``, ``iterator``, ``labels`` and the ``content`` block (checked
against the labelled block's schema). Arguments the schema lists as
``opaque`` are not descended into. Non-``aws_`` types are not checked (counted
in the stats).

Lines come from python-hcl2 8.x's parse tree (``hcl2.parses``: every rule node
carries Lark position metadata). Its ``SerializationOptions(with_meta=True)``
is declared but does not emit ``__start_line__`` in 8.1.4, so the dict API is
not used.

Regenerate the shipped copy from a newer extraction with::

    python -m bbws_scaffold.pipeline.schema rebuild path/to/aws-X.Y.Z-schema.json.gz
"""

from __future__ import annotations

import difflib
import functools
import gzip
import json
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

from hcl2.rules.base import BlockRule

from .findings import CheckOutput, Finding, ToolStats
from .terraform import ParsedFile, attr_name, block_labels, body_items, line_of, rel

DATA_FILE = "aws_provider_schema.json.gz"
TOOL = "tf-schema"

META_ARGS = frozenset({"count", "for_each", "depends_on", "provider"})
META_BLOCKS = frozenset({"provisioner", "connection"})
LIFECYCLE = {
    "args": {
        "create_before_destroy": False,
        "prevent_destroy": False,
        "ignore_changes": False,
        "replace_triggered_by": False,
    },
    "blocks": {
        "precondition": {"args": {"condition": True, "error_message": True}, "blocks": {}},
        "postcondition": {"args": {"condition": True, "error_message": True}, "blocks": {}},
    },
}
DYNAMIC_ARGS = frozenset({"for_each", "iterator", "labels"})


@functools.lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The shipped AWS provider schema (cached)."""
    ref = resources.files("bbws_scaffold").joinpath("data", DATA_FILE)
    with ref.open("rb") as fh:
        data: dict[str, Any] = json.loads(gzip.decompress(fh.read()))
    return data


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return f" (did you mean `{close[0]}`?)" if close else ""


class _Checker:
    def __init__(self, repo: Path, path: Path) -> None:
        self.repo = repo
        self.file = rel(repo, path)
        self.findings: list[Finding] = []

    def add(self, line: int, rule: str, message: str) -> None:
        self.findings.append(Finding(TOOL, self.file, line, rule, message))

    def check_body(
        self,
        block: BlockRule,
        schema: dict[str, Any],
        where: str,
        *,
        top_level: bool,
    ) -> None:
        args: dict[str, bool] = schema.get("args", {})
        blocks: dict[str, dict[str, Any]] = schema.get("blocks", {})
        opaque = set(schema.get("opaque", ()))
        attrs, children = body_items(block.body)
        present: set[str] = set()
        for a in attrs:
            name = attr_name(a)
            present.add(name)
            if top_level and name in META_ARGS:
                continue
            if name in args or name in blocks or name in opaque:
                continue
            self.add(
                line_of(a),
                "unknown-argument",
                f"`{name}` is not an argument of {where}" + _suggest(name, [*args, *blocks]),
            )
        for child in children:
            labels = block_labels(child)
            kind = labels[0]
            if top_level and kind == "lifecycle":
                present.add(kind)
                self.check_body(child, LIFECYCLE, f"{where} lifecycle", top_level=False)
                continue
            if top_level and kind in META_BLOCKS:
                continue
            if kind == "dynamic":
                target = labels[1] if len(labels) > 1 else ""
                present.add(target)
                self.check_dynamic(child, target, blocks, where)
                continue
            present.add(kind)
            if kind in opaque:
                continue
            if kind in blocks:
                self.check_body(child, blocks[kind], f"{where}.{kind}", top_level=False)
            elif kind in args:
                continue  # attribute written in block syntax: name is right, leave it
            else:
                self.add(
                    line_of(child),
                    "unknown-block",
                    f"`{kind}` is not a block of {where}" + _suggest(kind, [*blocks, *args]),
                )
        for name, required in sorted(args.items()):
            if required and name not in present:
                self.add(line_of(block), "missing-argument", f"{where} requires argument `{name}`")
        for name, sub in sorted(blocks.items()):
            if sub.get("required") and name not in present:
                self.add(line_of(block), "missing-block", f"{where} requires a `{name}` block")

    def check_dynamic(self, node: BlockRule, target: str, blocks: dict[str, dict[str, Any]], where: str) -> None:
        if target not in blocks:
            self.add(
                line_of(node),
                "unknown-block",
                f'dynamic "{target}": `{target}` is not a block of {where}' + _suggest(target, list(blocks)),
            )
            return
        attrs, children = body_items(node.body)
        for a in attrs:
            name = attr_name(a)
            if name not in DYNAMIC_ARGS:
                self.add(
                    line_of(a),
                    "unknown-argument",
                    f'`{name}` is not allowed in dynamic "{target}" '
                    "(only for_each, iterator, labels and a content block)",
                )
        for child in children:
            kind = block_labels(child)[0]
            if kind == "content":
                self.check_body(child, blocks[target], f"{where}.{target}", top_level=False)
            else:
                self.add(
                    line_of(child),
                    "unknown-block",
                    f'`{kind}` is not allowed in dynamic "{target}" (expected `content`)',
                )


def check_schema(repo: Path, parsed: list[ParsedFile]) -> CheckOutput:
    """Check every ``aws_*`` resource and data block of the parsed ``.tf`` files."""
    start = time.monotonic()
    schema = load_schema()
    kinds = {"resource": schema["resources"], "data": schema["data_sources"]}
    findings: list[Finding] = []
    checked = 0
    for pf in parsed:
        if pf.tree is None or pf.path.suffix != ".tf":
            continue
        checker = _Checker(repo, pf.path)
        _, blocks = body_items(pf.tree.body)
        for block in blocks:
            labels = block_labels(block)
            if labels[0] not in kinds or len(labels) < 2:
                continue
            rtype = labels[1]
            if not rtype.startswith("aws_"):
                continue
            checked += 1
            table = kinds[labels[0]]
            noun = "resource" if labels[0] == "resource" else "data source"
            if rtype not in table:
                checker.add(
                    line_of(block),
                    "unknown-type",
                    f"`{rtype}` is not an AWS provider {schema['provider_version']} {noun}"
                    + _suggest(rtype, list(table)),
                )
                continue
            where = rtype if labels[0] == "resource" else f"data.{rtype}"
            checker.check_body(block, table[rtype], where, top_level=True)
        findings += checker.findings
    return CheckOutput(
        tuple(findings),
        ToolStats(
            TOOL,
            len(findings),
            time.monotonic() - start,
            checked=checked,
            unit="blocks",
            version=f"aws {schema['provider_version']}",
        ),
    )


# --------------------------------------------------------------------------- rebuild


def rebuild(src: Path, dst: Path) -> int:
    """Write the shipped copy: resources and data sources only, minified, sorted,
    gzip with a fixed mtime so rebuilding the same input gives the same bytes."""
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    out = {
        "provider_version": data["provider_version"],
        "resources": data["resources"],
        "data_sources": data["data_sources"],
    }
    raw = json.dumps(out, separators=(",", ":"), sort_keys=True).encode("utf-8")
    dst.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return len(raw)


def _main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[0] != "rebuild":
        print(
            "usage: python -m bbws_scaffold.pipeline.schema rebuild SRC.json.gz [DST]",
            file=sys.stderr,
        )
        return 2
    src = Path(argv[1])
    dst = Path(argv[2]) if len(argv) == 3 else Path(__file__).resolve().parents[1] / "data" / DATA_FILE
    size = rebuild(src, dst)
    print(f"wrote {dst} ({dst.stat().st_size} bytes gz, {size} bytes JSON)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
