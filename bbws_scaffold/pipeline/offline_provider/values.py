"""Planned and fake values for the offline provider, walking the typed schema.

``plan_object`` marks every computed attribute the configuration leaves null as unknown (what
the real provider does for values only AWS knows: ``arn``, ``invoke_arn``, ``id``, ...).
``fill_object`` replaces nulls/unknowns of computed attributes with deterministic fakes
(data sources, apply). Values are the msgpack-decoded cty values: dicts, lists, scalars,
``None`` for null and ``tf.types.Unknown``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tf.types import Unknown

from .schema import Block

COMPUTED = ("c", "oc")


def plan_object(block: Block, config: Any, proposed: Any) -> Any:
    if not isinstance(proposed, dict):
        return proposed
    config = config if isinstance(config, dict) else {}
    out = dict(proposed)
    for name, (_ty, flags) in block["a"].items():
        if flags in COMPUTED and config.get(name) is None and proposed.get(name) is None:
            out[name] = Unknown
    for name, (mode, _mn, _mx, inner) in block["b"].items():
        value, cfg = proposed.get(name), config.get(name)
        if mode == "single":
            out[name] = plan_object(inner, cfg, value)
        elif isinstance(value, list):
            cfgs = cfg if isinstance(cfg, list) else []
            out[name] = [plan_object(inner, cfgs[i] if i < len(cfgs) else None, v) for i, v in enumerate(value)]
    return out


class Faker:
    """Deterministic stand-ins for what AWS would return."""

    def __init__(self, account_id: str = "123456789012", region: str = "us-east-1") -> None:
        self.account_id = account_id
        self.region = region

    def string(self, type_name: str, attr: str) -> str:
        service = type_name.removeprefix("aws_").split("_")[0]
        digest = hashlib.sha256(f"{type_name}.{attr}".encode()).hexdigest()[:12]
        if attr == "account_id":
            return self.account_id
        if attr == "partition":
            return "aws"
        if attr in ("region", "name") and type_name == "aws_region":
            return self.region
        if attr == "dns_suffix":
            return "amazonaws.com"
        if attr == "arn" or attr.endswith("_arn"):
            return f"arn:aws:{service}:{self.region}:{self.account_id}:{type_name}/{digest}"
        return f"{type_name}-{attr}-{digest}"

    def value(self, type_name: str, attr: str, ty: Any) -> Any:
        if ty == "string":
            return self.string(type_name, attr)
        if ty == "number":
            return 0
        if ty == "bool":
            return False
        if isinstance(ty, list) and ty[0] in ("list", "set"):
            return []
        if isinstance(ty, list) and ty[0] == "map":
            return {}
        if isinstance(ty, list) and ty[0] == "object":
            return {k: self.value(type_name, k, t) for k, t in ty[1].items()}
        return None  # dynamic: null


def fill_object(block: Block, value: Any, type_name: str, faker: Faker, *, optional_too: bool = True) -> Any:
    """``value`` with every computed null/unknown attribute replaced by a fake (recursively)."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for name, (ty, flags) in block["a"].items():
        v = value.get(name)
        if flags in COMPUTED and (v is None or v is Unknown) and (optional_too or flags == "c"):
            out[name] = faker.value(type_name, name, ty)
        elif v is Unknown:
            out[name] = faker.value(type_name, name, ty)
    for name, (mode, _mn, _mx, inner) in block["b"].items():
        v = value.get(name)
        if mode == "single":
            out[name] = fill_object(inner, v, type_name, faker, optional_too=optional_too)
        elif isinstance(v, list):
            out[name] = [fill_object(inner, e, type_name, faker, optional_too=optional_too) for e in v]
    return out


def policy_document_json(config: dict[str, Any]) -> str:
    """A JSON rendering of an ``aws_iam_policy_document``'s statements (like the provider's)."""
    statements = []
    for st in config.get("statement") or []:
        out: dict[str, Any] = {}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        out["Effect"] = st.get("effect") or "Allow"
        for key, name in (("actions", "Action"), ("not_actions", "NotAction")):
            if st.get(key):
                out[name] = _one_or_many(st[key])
        for key, name in (("resources", "Resource"), ("not_resources", "NotResource")):
            if st.get(key):
                out[name] = _one_or_many(st[key])
        for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if st.get(key):
                principals: dict[str, Any] = {}
                for p in st[key]:
                    principals.setdefault(p.get("type") or "AWS", []).extend(p.get("identifiers") or [])
                out[name] = {k: _one_or_many(v) for k, v in principals.items()}
        if st.get("condition"):
            cond: dict[str, dict[str, Any]] = {}
            for c in st["condition"]:
                cond.setdefault(c.get("test") or "", {})[c.get("variable") or ""] = _one_or_many(c.get("values") or [])
            out["Condition"] = cond
        statements.append(out)
    doc: dict[str, Any] = {"Version": config.get("version") or "2012-10-17"}
    if config.get("policy_id"):
        doc["Id"] = config["policy_id"]
    doc["Statement"] = statements
    return json.dumps(doc, indent=2)


def _one_or_many(values: list[Any]) -> Any:
    values = sorted(str(v) for v in values)
    return values[0] if len(values) == 1 else values
