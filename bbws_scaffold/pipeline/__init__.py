"""Security/quality gate for generated service repos (``bbws-scaffold pipeline validate``).

See ``README.md`` in this folder for the rules a generated repo must satisfy.
Public API: :func:`bbws_scaffold.pipeline.gate.run_gate` and
:func:`bbws_scaffold.pipeline.cli.add_parser`.
"""
