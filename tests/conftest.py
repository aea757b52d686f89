"""Shared fixtures: moto server mode on 127.0.0.1 for every test that takes the ``aws`` fixture.

Paths to the project, its examples and the LLD corpus live in ``tests/paths.py``.
"""

from __future__ import annotations

pytest_plugins = ["tests.aws_server"]
