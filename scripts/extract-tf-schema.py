#!/usr/bin/env python3
"""Extract a typed Terraform schema of the AWS provider from the cdktf prebuilt bindings.

    python scripts/extract-tf-schema.py [--tgz cdktf-provider-aws-21.22.1.tgz] [--out FILE]

Without --tgz it runs `npm pack @cdktf/provider-aws@21.22.1` in a temporary directory (the bindings
of hashicorp/aws 6.25.0). Nothing is extracted to disk: the tarball is read member by member.

Source of truth, per module `lib/<module>/index.js`: its embedded source map carries the generated
TypeScript, in which cdktf's generator writes, for every attribute of every class,
``// <terraform_name> - computed: X, optional: Y, required: Z`` straight from the provider's
schema, followed by the attribute's getter. The block-vs-attribute split, list/set/map kinds and
element types come from the ``...ToHclTerraform`` functions (``isBlock``, ``type``,
``storageClassType``); computed-only attributes' types from their getters
(``getStringAttribute``, ``Fn.tolist(getListAttribute)`` = set, ``new XList(this, "x", wrapsSet)``).
Big resources are split over ``lib/<module>/index-structs/*.js``; all of a module's files are read
together. A block held in an ``XOutputReference`` (not an ``XList``) has max_items 1; a required block has
min_items 1; a ``struct`` block (``timeouts``) is nesting "single".

Output (gzipped JSON, compact):
    {"provider_version": "6.25.0", "provider": BLOCK, "resources": {type: BLOCK}, "data_sources": {...}}
    BLOCK = {"a": {name: [cty_type, flags]}, "b": {name: [nesting, min, max, BLOCK]}}
flags: "r" required, "o" optional, "oc" optional+computed, "c" computed-only.
cty_type is Terraform's JSON type notation ("string", ["list","string"], ["object",{...}], "dynamic").

cdktf could not model five deeply recursive blocks and typed them "any" (the shared untyped schema
lists them as "opaque"): aws_quicksight_{analysis,dashboard,template}.definition and
aws_wafv2_{web_acl,rule_group}.rule.statement. The two WAF ``statement`` blocks get a partial schema
written from the provider's documentation (:data:`WAF_STATEMENT`: the managed rule group,
rate-based, IP set, geo and label match statements, without nested scope-down statements);
the QuickSight ones stay dynamic attributes (``definition = {...}`` would be accepted, the block
syntax would not).

Known approximation (also in the shared untyped schema): nested *attributes* of plugin-framework
resources are presented by cdktf exactly like blocks and are emitted as blocks here.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@cdktf/provider-aws@21.22.1"
PROVIDER_VERSION = "6.25.0"

FLAG_RE = re.compile(
    r"^  // ([a-z0-9_]+) - computed: (true|false), optional: (true|false), required: (true|false)$", re.M
)
CLASS_RE = re.compile(r"^export class (\w+) extends ([\w.]+) \{$", re.M)
FUNC_RE = re.compile(r"^export function (\w+)ToHclTerraform\(", re.M)
ENTRY_RE = re.compile(
    r"""^\s+"?([a-z0-9_]+)"?: \{\s*value: (.*?),\s*isBlock: (true|false),\s*"""
    r"""type: "(\w+)",\s*storageClassType: "(\w+)",\s*\}""",
    re.M | re.S,
)
GETTER_RE = re.compile(r"public get (\w+)\(\)[^{]*\{\s*return (.*?);\s*\}", re.S)
NEW_RE = re.compile(r"new ([\w.]+)\(this, \"([a-z0-9_]+)\"(?:, (true|false))?\)")

PRIMS = {"string": "string", "number": "number", "boolean": "bool", "any": "dynamic"}


def flags_of(computed: bool, optional: bool, required: bool) -> str:
    if required:
        return "r"
    if optional:
        return "oc" if computed else "o"
    return "c"


def storage_type(kind: str, sct: str) -> object:
    """cty type of a non-block argument from cdktf's (type, storageClassType)."""
    if kind == "simple":
        return PRIMS[sct]
    m = re.fullmatch(r"(string|number|boolean)(List|Map)(List|Map)?", sct)
    if not m:
        raise ValueError(f"unknown storage class {kind}/{sct}")
    elem: object = PRIMS[m.group(1)]
    inner, outer = m.group(2), m.group(3)
    if outer:  # e.g. stringListList: list of list(string); stringMapList: list of map(string)
        elem = ["list" if inner == "List" else "map", elem]
    coll = {"list": "list", "set": "set", "map": "map"}[kind]
    return [coll, elem]


def getter_type(expr: str) -> object | None:
    m = re.search(r"this\.get(String|Number|Boolean)Attribute\('", expr)
    if m:
        return PRIMS[m.group(1).lower()]
    m = re.search(r"this\.get(String|Number|Boolean)MapAttribute\('", expr)
    if m:
        return ["map", PRIMS[m.group(1).lower()]]
    m = re.search(r"this\.get(Number)?ListAttribute\('", expr)
    if m:
        elem = "number" if m.group(1) else "string"
        return ["set" if "Fn.tolist(" in expr else "list", elem]
    if "interpolationForAttribute(" in expr:
        return "dynamic"
    return None


class Module:
    def __init__(self, ts: str) -> None:
        self.ts = ts
        self.classes: dict[str, str] = {}
        self.bases: dict[str, str] = {}
        starts = [(m.start(), "class", m.group(1), m.group(2)) for m in CLASS_RE.finditer(ts)]
        starts += [(m.start(), "func", m.group(1), "") for m in FUNC_RE.finditer(ts)]
        starts.sort()
        self.funcs: dict[str, str] = {}
        for i, (pos, kind, name, base) in enumerate(starts):
            end = ts.find("\n}\n", pos)
            body = ts[pos : end if end >= 0 else len(ts)]
            if kind == "class":
                self.classes[name] = body
                self.bases[name] = base
            else:
                self.funcs[name.lower()] = body
        self.chunk_cache: dict[str, dict[str, tuple[str, str]]] = {}

    def chunks(self, cls: str) -> dict[str, tuple[str, str]]:
        """tf name -> (flags, code chunk up to the next flag comment) within class ``cls``."""
        if cls in self.chunk_cache:
            return self.chunk_cache[cls]
        body = self.classes.get(cls, "")
        out: dict[str, tuple[str, str]] = {}
        ms = list(FLAG_RE.finditer(body))
        for i, m in enumerate(ms):
            end = ms[i + 1].start() if i + 1 < len(ms) else len(body)
            out[m.group(1)] = (flags_of(*(x == "true" for x in m.group(2, 3, 4))), body[m.end() : end])
        # class-field initialisers (`private _x = new XList(this, "x", false);`) sit in the chunk already;
        # constructor-made ones (`this._x = new XOutputReference(this, "x")`) are matched by name below
        self.chunk_cache[cls] = out
        return out

    def news(self, cls: str) -> dict[str, tuple[str, str | None]]:
        return {m.group(2): (m.group(1), m.group(3)) for m in NEW_RE.finditer(self.classes.get(cls, ""))}

    def entries(self, body: str) -> dict[str, tuple[bool, str, str, str]]:
        start = body.find("const attrs = {")
        if start < 0:
            return {}
        out = {}
        for m in ENTRY_RE.finditer(body, start):
            camel = re.search(r"(?:struct!?\.|this\._)(\w+)", m.group(2))
            out[m.group(1)] = (m.group(3) == "true", m.group(4), m.group(5), camel.group(1) if camel else "")
        return out

    def struct_entries(self, struct: str) -> dict[str, tuple[bool, str, str, str]]:
        return self.entries(self.funcs.get(struct.lower(), ""))

    def interface_flag(self, struct: str, camel: str) -> str:
        m = re.search(r"^export interface " + re.escape(struct) + r" \{(.*?)^\}", self.ts, re.S | re.M)
        if m and re.search(r"readonly " + re.escape(camel) + r"\?:", m.group(1)):
            return "o"
        return "r" if m and re.search(r"readonly " + re.escape(camel) + r":", m.group(1)) else "o"

    def block(self, cls: str, entries: dict, struct_of: str | None = None) -> dict:
        """Schema block of class ``cls`` (resource class or an element's OutputReference class)."""
        chunks = self.chunks(cls)
        news = self.news(cls)
        attrs: dict[str, list] = {}
        blocks: dict[str, list] = {}
        items = dict(chunks)
        for name, (_b, _k, _s, camel) in entries.items():
            if name not in items:  # no OutputReference class (the provider's own blocks): the struct says
                items[name] = (self.interface_flag(struct_of or "", camel), "")
        for name, (flags, code) in items.items():
            if name in entries:
                is_block, kind, sct, _camel = entries[name]
                if is_block and kind in ("list", "set", "struct"):
                    struct = sct[: -len("List")] if kind != "struct" and sct.endswith("List") else sct
                    inner = self.block(struct + "OutputReference", self.struct_entries(struct), struct)
                    if kind == "struct":
                        nesting, max_items = "single", 0
                    else:
                        made = news.get(name, ("", None))[0]
                        nesting, max_items = kind, (1 if made.endswith("OutputReference") else 0)
                    blocks[name] = [nesting, 1 if flags == "r" else 0, max_items, inner]
                elif is_block:  # a map of objects: an attribute in Terraform's type system
                    struct = sct[: -len("Map")]
                    attrs[name] = [["map", self.object_type(struct, self.struct_entries(struct))], flags]
                else:
                    attrs[name] = [storage_type(kind, sct), flags]
                continue
            # not an argument: computed-only (or an argument cdktf could not express)
            t = self.computed_type(name, code, news)
            if t is not None:
                attrs[name] = [t, flags]
        return {"a": attrs, "b": blocks}

    def computed_type(self, name: str, code: str, news: dict[str, tuple[str, str | None]]) -> object | None:
        g = GETTER_RE.search(code)
        if g:
            t = getter_type(g.group(2))
            if t is not None:
                return t
        made = NEW_RE.search(code)
        cls, wraps_set = (made.group(1), made.group(3)) if made else news.get(name, (None, None))
        if cls is None:
            return None
        simple = {"cdktf.StringMap": "string", "cdktf.NumberMap": "number", "cdktf.BooleanMap": "bool"}
        if cls in simple:
            return ["map", simple[cls]]
        if cls == "cdktf.AnyMap":
            return ["map", "dynamic"]
        for suffix, coll in (("List", None), ("OutputReference", "list"), ("Map", "map")):
            if cls.endswith(suffix):
                struct = cls[: -len(suffix)]
                obj = self.object_type(struct, {})
                if coll is None:
                    coll = "set" if wraps_set == "true" else "list"
                return [coll, obj]
        return None

    def object_type(self, struct: str, entries: dict[str, tuple[bool, str, str, str]]) -> list:
        blk = self.block(struct + "OutputReference", entries, struct)
        fields: dict[str, object] = {n: t for n, (t, _f) in blk["a"].items()}
        for n, (nesting, _mn, _mx, inner) in blk["b"].items():
            obj = ["object", {k: t for k, (t, _f) in inner["a"].items()}]
            fields[n] = obj if nesting == "single" else ["set" if nesting == "set" else "list", obj]
        return ["object", fields]


def _b(attrs: dict, blocks: dict | None = None) -> dict:
    return {"a": {k: list(v) for k, v in attrs.items()}, "b": blocks or {}}


_EMPTY = _b({})
_ACTION = _b({}, {name: ["list", 0, 1, _EMPTY] for name in ("allow", "block", "captcha", "challenge", "count")})
#: registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/wafv2_web_acl#statement (subset)
WAF_STATEMENT = _b(
    {},
    {
        "managed_rule_group_statement": [
            "list",
            0,
            1,
            _b(
                {"name": ("string", "r"), "vendor_name": ("string", "r"), "version": ("string", "o")},
                {
                    "rule_action_override": [
                        "list",
                        0,
                        100,
                        _b({"name": ("string", "r")}, {"action_to_use": ["list", 1, 1, _ACTION]}),
                    ]
                },
            ),
        ],
        "rate_based_statement": [
            "list",
            0,
            1,
            _b(
                {
                    "limit": ("number", "r"),
                    "aggregate_key_type": ("string", "o"),
                    "evaluation_window_sec": ("number", "o"),
                },
                {
                    "forwarded_ip_config": [
                        "list",
                        0,
                        1,
                        _b({"fallback_behavior": ("string", "r"), "header_name": ("string", "r")}),
                    ]
                },
            ),
        ],
        "ip_set_reference_statement": ["list", 0, 1, _b({"arn": ("string", "r")})],
        "geo_match_statement": ["list", 0, 1, _b({"country_codes": (["list", "string"], "r")})],
        "label_match_statement": ["list", 0, 1, _b({"key": ("string", "r"), "scope": ("string", "r")})],
    },
)


def supplement(out: dict) -> None:
    for name in ("aws_wafv2_web_acl", "aws_wafv2_rule_group"):
        rule = out["resources"][name]["b"]["rule"][3]
        rule["a"].pop("statement", None)
        rule["b"]["statement"] = ["list", 1, 1, WAF_STATEMENT]


def typescript_of(js: str) -> str:
    m = re.search(r"sourceMappingURL=data:application/json;base64,(\S+)", js)
    if not m:
        raise ValueError("no inline source map")
    return json.loads(base64.b64decode(m.group(1)))["sourcesContent"][0]


def extract(tgz: Path) -> dict:
    out: dict = {"provider_version": PROVIDER_VERSION, "provider": None, "resources": {}, "data_sources": {}}
    sources: dict[str, list[str]] = {}
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar:
            # big resources are split: lib/<module>/index.js plus lib/<module>/index-structs/*.js
            m = re.fullmatch(r"package/lib/([^/]+)/(?:index-structs/[^/]+|index)\.js", member.name)
            if not m:
                continue
            f = tar.extractfile(member)
            assert f is not None
            text = f.read().decode("utf-8")
            if "sourceMappingURL=data:" in text:
                sources.setdefault(m.group(1), []).append(typescript_of(text))
    for _module, texts in sorted(sources.items()):
        mod = Module("\n".join(texts))
        for cls, base in mod.bases.items():
            body = mod.classes[cls]
            if base == "cdktf.TerraformProvider":
                out["provider"] = mod.block(cls, mod.entries(body))
                continue
            if base not in ("cdktf.TerraformResource", "cdktf.TerraformDataSource"):
                continue
            m = re.search(r'tfResourceType = "([a-z0-9_]+)"', body)
            if not m:
                continue
            section = "resources" if base == "cdktf.TerraformResource" else "data_sources"
            out[section][m.group(1)] = mod.block(cls, mod.entries(body))
    supplement(out)
    out["resources"] = dict(sorted(out["resources"].items()))
    out["data_sources"] = dict(sorted(out["data_sources"].items()))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tgz", type=Path, help=f"the npm tarball of {PACKAGE} (default: npm pack it)")
    ap.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent
        / "bbws_scaffold/pipeline/offline_provider"
        / f"aws-{PROVIDER_VERSION}-typed.json.gz",
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tgz = args.tgz
        if tgz is None:
            subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
            tgz = next(Path(tmp).glob("*.tgz"))
        schema = extract(tgz)
    data = json.dumps(schema, separators=(",", ":"), sort_keys=False).encode()
    args.out.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(
        f"{args.out}: {len(schema['resources'])} resources, {len(schema['data_sources'])} data sources, "
        f"{len(data)} bytes JSON, {args.out.stat().st_size} bytes gzipped",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
