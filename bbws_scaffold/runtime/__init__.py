"""bbws-scaffold's runtime library: what a generated repository's workflows run against AWS.

Import-light by contract: nothing heavier than boto3 (no copier, jinja2, markdown-it, pydantic),
so a CI job installs it with ``pip install --no-deps bbws-scaffold==<version> boto3==<pin>``.
Entry points: ``bbws-runtime`` / ``python -m bbws_scaffold.runtime`` (:mod:`.cli`).
"""

from bbws_scaffold.runtime.errors import Refused, RuntimeOpError

__all__ = ["Refused", "RuntimeOpError"]
