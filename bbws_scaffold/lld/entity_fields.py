"""Entities carry the LLD's fields, not only their keys.

An entity table often lists just ``PK``/``SK`` (or "All ticket fields") while the fields live in a
model class: pydantic, OpenAPI schema, mermaid class or field table. The entity is matched with
the class by name (entity ``Organisation`` <- ``Organisation``/``OrganisationModel``/``OrganisationItem``,
suffixes in ``lld_grammar/contracts.yaml``) and, when its table lists no attributes, gets the class's
fields with their types, required-ness and constraints. When the table does list attributes, the
class only adds what the table leaves out for the same attribute (constraints, the enum, required).
"""

from __future__ import annotations

import re

from bbws_scaffold import naming
from bbws_scaffold.lld.context import Context
from bbws_scaffold.model import Attribute, DataModel, Entity, ModelField, Table

# a model source's preference when several classes of one name exist (python states constraints)
_SOURCE_RANK = {"python": 0, "openapi": 1, "table": 2, "mermaid": 3}
_HEAD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def fill(ctx: Context, tables: list[Table], models: list[DataModel]) -> None:
    """Give every entity the fields of its model class (in place)."""
    data = ctx.grammar["contracts"].data
    suffixes = [str(s) for s in data.get("entity_model_suffixes", [""])]
    by_name: dict[str, DataModel] = {}
    for m in sorted((m for m in models if m.kind == "model" and m.fields), key=lambda m: _SOURCE_RANK[m.source]):
        by_name.setdefault(m.class_name, m)
    enums = {m.class_name: m for m in models if m.kind == "enum"}
    for table in tables:
        for entity in table.entities:
            model = entity_model(entity, by_name, suffixes)
            if model is None:
                continue
            if not entity.attributes:
                keys = {p.ident: p.name for p in entity.params}
                entity.attributes = [_attribute(f, enums, by_name, data, keys) for f in model.fields]
                entity.model = model.name
            else:
                _enrich(entity, model, enums)


def entity_model(entity: Entity, by_name: dict[str, DataModel], suffixes: list[str]) -> DataModel | None:
    """The model class an entity is named after (exact name first, then name + suffix)."""
    for suffix in suffixes:
        hit = by_name.get(entity.class_name + naming.pascal(suffix) if suffix else entity.class_name)
        if hit is not None:
            return hit
    return None


def _attribute(
    f: ModelField,
    enums: dict[str, DataModel],
    models: dict[str, DataModel],
    data: dict[str, object],
    keys: dict[str, str],
) -> Attribute:
    """An attribute from a model field; a key part keeps the key pattern's spelling
    (``template_id`` in the class, ``{templateId}`` in ``TEMPLATE#{templateId}``: one attribute)."""
    name = f.alias or f.name
    if naming.words(name):
        name = keys.get(naming.snake(name), name)
    enum = _enum_of(f.type, enums)
    return Attribute(
        name=name,
        type="string" if enum else annotation_type(f.type, models, data),
        type_raw=f.type,
        description=f.description,
        required=f.required and not f.optional,
        constraints=dict(f.constraints),
        enum=enum,
        line=f.line,
    )


def _enrich(entity: Entity, model: DataModel, enums: dict[str, DataModel]) -> None:
    fields = {naming.snake(f.alias or f.name): f for f in model.fields if naming.words(f.alias or f.name)}
    for attr in entity.attributes:
        f = fields.get(attr.ident)
        if f is None:
            continue
        if not attr.constraints and f.constraints:
            attr.constraints = dict(f.constraints)
        attr.enum = attr.enum or _enum_of(f.type, enums)
        if attr.required is None:
            attr.required = f.required and not f.optional
        attr.description = attr.description or f.description


def _heads(annotation: str) -> list[str]:
    """``Optional[List[OrderItem]]`` -> ``['optional', 'list', 'orderitem']`` (last dotted part, lower case)."""
    return [h.rsplit(".", 1)[-1].lower() for h in _HEAD_RE.findall(annotation)]


def _enum_of(annotation: str, enums: dict[str, DataModel]) -> str | None:
    heads = [h for h in _heads(annotation) if h not in ("optional", "none", "union")]
    if len(heads) == 1:
        for name, m in enums.items():
            if name.lower() == heads[0]:
                return m.name
    return None


def annotation_type(annotation: str, models: dict[str, DataModel], data: dict[str, object]) -> str:
    """A Python (or OpenAPI) annotation -> the canonical attribute type (``string`` when unknown)."""
    vocab = data.get("annotation_types") or {}
    assert isinstance(vocab, dict)
    known = {str(n).lower(): str(canonical) for canonical, names in vocab.items() for n in names or []}
    heads = [h for h in _heads(annotation) if h not in ("optional", "none", "union", "annotated", "field")]
    if not heads:
        return "string"
    if heads[0] in known:
        return known[heads[0]]
    if any(heads[0] == m.lower() for m in models):
        return "map"
    return "string"
