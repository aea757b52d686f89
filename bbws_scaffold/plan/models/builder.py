"""The ``models`` answer: the spec's models and enums as typed classes, ordered, with factories.

:func:`models_answer` chooses which of the spec's models become classes (one per class name,
by source priority), renames fields that would clash, resolves types
(:mod:`~bbws_scaffold.plan.models.types`), filters constraints
(:mod:`~bbws_scaffold.plan.models.constraints`), picks defaults and samples
(:mod:`~bbws_scaffold.plan.models.samples`), orders the classes so each follows the models it
names, and lists the imports ``src/models/schemas.py`` needs.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

from bbws_scaffold import naming
from bbws_scaffold.model import DataModel, ServiceSpec
from bbws_scaffold.plan.models.constraints import constraints
from bbws_scaffold.plan.models.nodes import (
    ClassPlan,
    EnumMember,
    EnumPlan,
    FactoryPlan,
    FactoryValue,
    FieldDefault,
    ModelClass,
    ModelFieldPlan,
    ModelsImports,
    ModelsPlan,
    SrcArg,
    SrcSample,
    StrArg,
)
from bbws_scaffold.plan.models.samples import Samples, has_decimal
from bbws_scaffold.plan.models.types import (
    SPECIAL,
    Resolver,
    Type,
    ann,
    check_src,
    core,
    make_nullable,
    names,
    nullable,
    num_src,
)
from bbws_scaffold.plan.reserved import BUILTIN_NAMES, IMPORTED, RESERVED_FIELDS

SOURCE_PRIORITY = {"python": 0, "openapi": 1, "table": 2, "mermaid": 3}
"""Which description of a model wins when the LLD describes it more than once."""

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLASS_RE = re.compile(r"[A-Z][A-Za-z0-9_]*")


@dataclass
class _FieldDraft:
    """A field before its sample is known (the sample may still make it optional)."""

    ident: str
    t: Type
    alias: str | None
    cons: dict[str, Any]
    default: FieldDefault | None
    comments: list[str]
    dropped: list[str]


class _Models:
    def __init__(self, spec: ServiceSpec):
        self.spec = spec
        chosen: dict[str, DataModel] = {}
        order = sorted(
            (m for m in spec.models if m.kind in ("model", "enum")),
            key=lambda m: SOURCE_PRIORITY.get(m.source, 9),
        )
        for m in order:
            cls = m.class_name
            if (
                cls in chosen
                or not _CLASS_RE.fullmatch(cls)
                or cls in IMPORTED
                or cls in BUILTIN_NAMES
                or keyword.iskeyword(cls)
                or cls in ("Decimal", "Optional", "Union", "List", "Dict", "Set", "Tuple", "Literal")
            ):
                continue
            chosen[cls] = m
        # keep the spec's order of first appearance
        self.models = [m for m in spec.models if chosen.get(m.class_name) is m]
        self.members: dict[str, list[EnumMember]] = {}
        for m in self.models:
            if m.kind == "enum":
                self.members[m.class_name] = self._enum_members(m)
        self.classes: dict[str, tuple[str, str]] = {}
        for m in self.models:
            kind = "enum" if m.kind == "enum" else "model"
            if kind == "enum" and not self.members[m.class_name]:
                continue  # an enum without members cannot be sampled: fields typed by it become Any
            self.classes.setdefault(m.class_name, (kind, m.class_name))
            self.classes.setdefault(m.name, (kind, m.class_name))
        entity_factories = set()
        for t in spec.tables:
            for e in t.entities:
                entity_factories |= {f"{e.ident}_factory", f"{e.ident}_create_factory", f"{e.ident}_update_factory"}
        self.factory_names: dict[str, str] = {}
        for m in self.models:
            if m.kind == "model":
                base = naming.snake(m.class_name)
                name = f"{base}_factory"
                if name in entity_factories or name in self.factory_names.values():
                    name = f"{base}_schema_factory"
                self.factory_names[m.class_name] = name
        self.samples = Samples(self.classes, self.members, self.factory_names)

    @staticmethod
    def _enum_members(m: DataModel) -> list[EnumMember]:
        out: list[EnumMember] = []
        seen: set[str] = set()
        for v in m.values:
            if (
                _IDENT_RE.fullmatch(v.name)
                and not v.name.startswith("_")
                and not keyword.iskeyword(v.name)
                and v.name not in ("mro", "name", "value")
                and v.name not in seen
            ):
                seen.add(v.name)
                out.append(EnumMember(name=v.name, value=v.value))
        return out

    def model_fields(self, m: DataModel) -> list[_FieldDraft]:
        resolver = Resolver(self.classes)
        out: list[_FieldDraft] = []
        seen: set[str] = set()
        used_names = BUILTIN_NAMES | set(self.classes) | IMPORTED
        for f in m.fields:
            t = resolver.resolve(re.sub(r"\s+", " ", f.type or "Any"))
            unknown, email = list(resolver.unknown), resolver.email
            ident = f.ident
            if not _IDENT_RE.fullmatch(ident or ""):
                continue
            if ident.startswith("_"):
                ident = ident.lstrip("_") or "field"
            if (
                ident in RESERVED_FIELDS
                or ident in used_names
                or ident.startswith("model_")
                or keyword.iskeyword(ident)
            ):
                ident += "_"
            if ident in seen:
                continue
            seen.add(ident)
            comments: list[str] = []
            if unknown:
                comments.append("LLD type: " + (f.type or ""))
            cons, dropped = constraints(f, core(t), email)
            default, t, dropped_default = self.samples.default(f, t, cons)
            if dropped_default:
                comments.append("LLD default not kept: " + dropped_default)
            alias = f.alias or (f.name if f.name != ident else None)
            out.append(_FieldDraft(ident, t, alias, cons, default, comments, dropped))
        return out

    def build(self) -> ModelsPlan:
        classes: list[ClassPlan] = []
        used: set[str] = set()
        field_cache = {m.class_name: self.model_fields(m) for m in self.models if m.kind == "model"}
        # dependencies between models (for ordering): a model after the models its fields name
        refs: dict[str, set[str]] = {}
        for cls, fields in field_cache.items():
            refs[cls] = {n for f in fields for n in names(f.t) if n in field_cache and n != cls}
        factories: list[FactoryPlan] = []
        needs_decimal = False
        for m in self.models:
            if m.kind == "enum":
                classes.append(EnumPlan(name=m.class_name, doc=m.description, members=self.members[m.class_name]))
                continue
            fields_out: list[ModelFieldPlan] = []
            values: list[FactoryValue] = []
            for f in field_cache[m.class_name]:
                cons = dict(f.cons)
                t = f.t
                sample = self.samples.sample(t, cons, f.ident, m.class_name)
                comments = list(f.comments)
                if sample is None and "pattern" in cons:
                    comments.append("LLD pattern dropped (no simple sample satisfies it): " + cons.pop("pattern"))
                    sample = self.samples.sample(t, cons, f.ident, m.class_name)
                if sample is None:
                    if nullable(t) or f.default is not None:
                        sample = SrcSample(src="None") if nullable(t) else None
                    else:
                        t = make_nullable(t)
                        f.default = FieldDefault(kind="src", v="None")
                        comments.append("made optional: no finite sample value exists")
                        sample = SrcSample(src="None")
                for d in f.dropped:
                    comments.append("LLD constraint dropped: " + d)
                used |= names(t)
                if f.default and f.default.kind == "decimal":
                    used.add("Decimal")
                args: list[StrArg | SrcArg] = [
                    StrArg(key=key, text=v) if isinstance(v, str) else SrcArg(key=key, src=num_src(v))
                    for key, v in cons.items()
                ]
                fields_out.append(
                    ModelFieldPlan(
                        ident=f.ident,
                        ann=check_src(ann(t)),
                        alias=f.alias,
                        default=f.default,
                        args=args,
                        comments=comments,
                    )
                )
                if sample is not None:
                    values.append(FactoryValue(key=f.ident, sample=sample))
                    needs_decimal = needs_decimal or has_decimal(sample)
            classes.append(ModelClass(name=m.class_name, doc=m.description, fields=fields_out))
            factories.append(FactoryPlan(name=self.factory_names[m.class_name], cls=m.class_name, values=values))
        classes = _order(classes, refs)
        std = [SPECIAL[n] for n in SPECIAL if n in used]
        std += [f"from typing import {n}" for n in ("Any", "Literal") if n in used]
        if any(isinstance(c, EnumPlan) for c in classes):
            std.append("from enum import Enum")
        third: list[str] = []
        model_classes = [c for c in classes if isinstance(c, ModelClass)]
        if model_classes:
            third = ["from pydantic import BaseModel", "from pydantic import ConfigDict"]
            if any(_needs_field(f) for c in model_classes for f in c.fields):
                third.append("from pydantic import Field")
        return ModelsPlan(
            classes=classes,
            imports=ModelsImports(std=std, third=third),
            rebuild=_cyclic(classes, refs),
            factories=factories,
            factory_decimal=needs_decimal,
        )


def _needs_field(f: ModelFieldPlan) -> bool:
    d = f.default
    return bool(f.alias or f.args or (d and d.kind in ("factory", "decimal")))


def _order(classes: list[ClassPlan], refs: dict[str, set[str]]) -> list[ClassPlan]:
    """Enums first, then models after the models they name (stable; cycles keep spec order)."""
    enums: list[ClassPlan] = [c for c in classes if isinstance(c, EnumPlan)]
    models = [c for c in classes if isinstance(c, ModelClass)]
    done: list[ClassPlan] = []
    placed: set[str] = set()
    visiting: set[str] = set()
    by_name = {c.name: c for c in models}

    def visit(c: ModelClass) -> None:
        if c.name in placed or c.name in visiting:
            return
        visiting.add(c.name)
        for dep in sorted(refs.get(c.name, ()), key=lambda n: list(by_name).index(n)):
            visit(by_name[dep])
        visiting.discard(c.name)
        placed.add(c.name)
        done.append(c)

    for c in models:
        visit(c)
    return enums + done


def _cyclic(classes: list[ClassPlan], refs: dict[str, set[str]]) -> list[str]:
    """Models that name a model defined after them: they need ``model_rebuild()``."""
    pos = {c.name: i for i, c in enumerate(classes)}
    return [c.name for c in classes if any(pos.get(d, -1) > pos[c.name] for d in refs.get(c.name, ()))]


def build_models(spec: ServiceSpec) -> ModelsPlan:
    """The typed ``models`` plan of ``spec``."""
    return _Models(spec).build()


def models_answer(spec: ServiceSpec) -> dict[str, Any]:
    """The copier answer ``models``: schema classes, their imports and their factories."""
    return build_models(spec).model_dump(mode="json")
