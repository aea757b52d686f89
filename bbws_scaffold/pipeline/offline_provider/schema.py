"""The typed AWS provider schema (``aws-6.25.0-typed.json.gz``) and its tfplugin6 form.

The file is produced by ``scripts/extract-tf-schema.py`` (see its docstring for the format and the
provenance). :func:`load` returns the JSON; :func:`provider_schema_response` builds (once per
process) the serialized ``GetProviderSchema.Response`` Terraform asks for.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("aws-6.25.0-typed.json.gz")
PROVIDER_VERSION = "6.25.0"

Block = dict[str, Any]  # {"a": {name: [type, flags]}, "b": {name: [nesting, min, max, Block]}}


@functools.lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def resource(type_name: str) -> Block:
    return load()["resources"][type_name]


def data_source(type_name: str) -> Block:
    return load()["data_sources"][type_name]


def provider() -> Block:
    return load()["provider"]


def _pb_block(pb: Any, block: Block, in_set: bool = False) -> Any:
    """tfplugin6 form of ``block``. Terraform refuses a dynamic-typed attribute inside a set-nested
    block (cdktf's "any" there is a JSON string in the real provider): those become strings."""
    nesting = pb.Schema.NestedBlock
    modes = {"single": nesting.SINGLE, "list": nesting.LIST, "set": nesting.SET}
    attrs = [
        pb.Schema.Attribute(
            name=name,
            type=json.dumps("string" if in_set and ty == "dynamic" else ty, separators=(",", ":")).encode(),
            required=flags == "r",
            optional=flags in ("o", "oc"),
            computed=flags in ("c", "oc"),
        )
        for name, (ty, flags) in sorted(block["a"].items())
    ]
    blocks = [
        nesting(
            type_name=name,
            block=_pb_block(pb, inner, in_set or mode == "set"),
            nesting=modes[mode],
            min_items=mn,
            max_items=mx,
        )
        for name, (mode, mn, mx, inner) in sorted(block["b"].items())
    ]
    return pb.Schema.Block(attributes=attrs, block_types=blocks)


@functools.lru_cache(maxsize=1)
def provider_schema_response() -> bytes:
    """``GetProviderSchema.Response`` for every resource and data source, serialized."""
    from tf.gen import tfplugin_pb2 as pb

    data = load()
    resp = pb.GetProviderSchema.Response(
        provider=pb.Schema(block=_pb_block(pb, data["provider"])),
        server_capabilities=pb.ServerCapabilities(plan_destroy=True),
    )
    for name, block in data["resources"].items():
        resp.resource_schemas[name].CopyFrom(pb.Schema(block=_pb_block(pb, block)))
    for name, block in data["data_sources"].items():
        resp.data_source_schemas[name].CopyFrom(pb.Schema(block=_pb_block(pb, block)))
    out: bytes = resp.SerializeToString()
    return out
