"""The LLD's own models (``ServiceSpec.models`` of kind model/enum) as the blueprint renders them.

``src/models/schemas.py`` and the schema factories in ``tests/factories.py`` read the copier
answer ``models`` (:func:`bbws_scaffold.plan.models.builder.models_answer`, typed by
:mod:`~bbws_scaffold.plan.models.nodes`); the derivations happen here, once, in Python:

* **types** (:mod:`~bbws_scaffold.plan.models.types`): every annotation is parsed and rebuilt
  from known names only (builtins, ``Decimal``, ``datetime``/``date``/``time``, ``UUID``, ``Any``,
  ``Literal``, containers, unions and the spec's own models and enums). ``EmailStr`` becomes
  ``str`` with an email pattern (the generated requirements carry no ``email-validator``). A
  name the spec does not define becomes ``Any`` and the field carries a ``# LLD type: ...``
  comment.
* **constraints** (:mod:`~bbws_scaffold.plan.models.constraints`): kept when their value has the
  right kind for the field's type; anything else is dropped with a comment.
* **defaults and samples** (:mod:`~bbws_scaffold.plan.models.samples`, patterns through
  :mod:`~bbws_scaffold.plan.models.regex`): simple literal defaults only, and one valid value per
  field for the factories; a pattern no sample satisfies is dropped with a comment, so every
  factory builds.
* **classes** (:mod:`~bbws_scaffold.plan.models.builder`): which models become classes, field
  renames (:data:`bbws_scaffold.plan.reserved.RESERVED_FIELDS`), order and imports.

What reaches the templates, and how they must treat it:

* ``ann``, ``src`` values, class/field/factory names and import lines are Python source built
  here from validated tokens only (identifiers, digits, fixed keywords); templates emit them
  as they are. :func:`~bbws_scaffold.plan.models.types.check_src` refuses anything else.
* Every other string (``str`` values, aliases, patterns, docs, comments, enum values) is raw
  LLD text: templates emit it only through ``_macros/python.jinja`` (``pystr``, ``comment``,
  ``doctext``).
"""
