"""The base of every plan node (infrastructure, models, entities)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PlanNode(BaseModel):
    """Base of every plan node: strict, so a template reading a misspelt field fails in tests."""

    model_config = ConfigDict(extra="forbid")
