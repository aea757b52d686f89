"""Errors of the runtime operations.

``RuntimeOpError`` carries a message meant for the person running the workflow: the CLI prints
it on one line and exits 2. ``Refused`` is a policy refusal (wrong account, an environment
skipped in the promotion order, destroy in PROD, ...): the operation could have run, but must not.
"""

from __future__ import annotations


class RuntimeOpError(Exception):
    """An operation cannot be carried out; the message says why and what to do."""


class Refused(RuntimeOpError):
    """A policy refusal: the operation is forbidden, not broken."""
