"""DynamoDB tables, entities, keys and GSIs: the readers of every notation and their merger.

``markdown`` (headings, bold lines, GFM tables) and ``code`` (HCL, CreateTable JSON/YAML,
plain-text boxes, env vars) turn what they recognise into the positional facts of ``facts``;
``tables`` groups those facts into the ``Table`` nodes of the ``ServiceSpec``. One folder, so the
DynamoDB dialect (DIALECT_SURVEY §4) is read and merged in one place.
"""
