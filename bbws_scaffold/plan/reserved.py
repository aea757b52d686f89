"""Names a generated model field must not take (it gets a trailing ``_`` instead).

There are two lists, for two kinds of generated module, built from shared parts:

* :data:`RESERVED_FIELDS`, for the LLD's schema classes (``src/models/schemas.py``): every
  attribute of the installed pydantic ``BaseModel``, the builtins and every name the module may
  import (a field called ``date`` would shadow the ``date`` type its neighbours use).
* :data:`ENTITY_RESERVED`, for the entity modules (``src/models/<entity>.py``) and the
  repositories, services and handlers that pass their fields around as keyword arguments:
  a fixed list of ``BaseModel`` methods, the names an entity module imports, and the parameter
  and local names of that generated code (``key``, ``item``, ``limit``, ...).

They are not unified on purpose: an entity attribute called ``type`` or ``date`` is a field of
the stored item and keeps its name, while an entity field called ``limit`` would clash with the
repository's own parameter; the schema list also follows the installed pydantic. Merging them
would rename fields in generated repositories (a different file, and a different API).
"""

from __future__ import annotations

from pydantic import BaseModel

from bbws_scaffold.plan.models.types import SPECIAL

BUILTIN_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "None", "type", "object"}
)
"""Builtins an annotation may use."""

MODEL_IMPORTS = frozenset({"BaseModel", "ConfigDict", "Field", "Any", "Decimal"})
"""Names every generated model module may import (an entity module imports only these)."""

IMPORTED = MODEL_IMPORTS | {"Enum", "Literal", "annotations", *SPECIAL}
"""Names ``src/models/schemas.py`` may import (its annotation types included)."""

MODEL_LOCALS = frozenset({"self", "data", "values", "model_config"})
"""Reserved in every generated model: ``model_config`` is the class's own, the rest name the
instance and the validated data in pydantic's validators."""

PYDANTIC_API = frozenset(
    {"model_fields", "copy", "dict", "json", "schema", "validate", "construct", "fields", "parse_obj",
     "parse_raw", "from_orm", "schema_json", "update_forward_refs"}
)  # fmt: skip
"""``BaseModel`` attributes (of pydantic 1 and 2) an entity field must not shadow, written out so
the entity modules' field names do not depend on the pydantic version installed."""

ENTITY_LOCALS = frozenset(
    {"key", "item", "changes", "limit", "start", "token", "expected_version", "descending", "order_by"}
)
"""Parameter and local names of the generated repositories, services and handlers."""

RESERVED_FIELDS = frozenset(set(dir(BaseModel)) | BUILTIN_NAMES | IMPORTED | MODEL_LOCALS)
"""Field names the schema classes rename (also any ``model_*`` name and keyword)."""

ENTITY_RESERVED = frozenset(MODEL_LOCALS | PYDANTIC_API | MODEL_IMPORTS | ENTITY_LOCALS)
"""Attribute names the entity classes rename (also any ``model_*`` name)."""
