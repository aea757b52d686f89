"""Which auth cells mean "no authentication": the API then puts no authorizer on the route.

The cells are the ones the platform's LLDs write (2.1.11 Domain: ``None (public)`` for the
availability search; ``Cognito JWT`` and ``HMAC Signature`` beside them). Anything that names a
mechanism or a role stays behind the authorizer (fail closed).
"""

from __future__ import annotations

import pytest

from bbws_scaffold.nodes import is_public


@pytest.mark.parametrize(
    "cell", ["None", "none", "Public", "Anonymous", "No auth", "No authentication required", "None (public)", "N/A"]
)
def test_cells_that_say_no_authentication_are_public(cell: str) -> None:
    assert is_public(cell)


@pytest.mark.parametrize(
    "cell",
    [None, "", "Cognito JWT", "bearerAuth", "HMAC Signature", "Admin, Owner", "All authenticated", "Public API key"],
)
def test_anything_else_sits_behind_the_authorizer(cell: str | None) -> None:
    assert not is_public(cell)
