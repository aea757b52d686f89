"""``ServiceSpec``: the typed intermediate model between the LLD parser and the blueprints.

Contract (see DESIGN.md §1, §3):

* JSON round-trips exactly: ``ServiceSpec.model_validate_json(s.model_dump_json()) == s``.
* Its parts are the node classes of :mod:`bbws_scaffold.nodes`, re-exported here: this module is
  the contract other tools import (``from bbws_scaffold.model import ServiceSpec, Endpoint``).
* Validation ends with :func:`bbws_scaffold.binding.bind`, which derives how endpoints map onto
  the tables; running it again changes nothing.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bbws_scaffold import binding, naming
from bbws_scaffold.nodes import (
    ENV_PLACEHOLDER_RE,
    GSI,
    Access,
    Attribute,
    Binding,
    ContentType,
    Contract,
    DataModel,
    Dependency,
    Diagnostic,
    Endpoint,
    Entity,
    EnumValue,
    EnvVar,
    Function,
    HttpMethod,
    ModelField,
    ModelKind,
    ModelSource,
    Named,
    Nfr,
    Node,
    Operation,
    Param,
    Runtime,
    StatusCode,
    Table,
    TableAccess,
    Tag,
    Trigger,
    UserStory,
    disambiguate,
    endpoint_handler_name,
    path_params,
    split_params,
)

SPEC_VERSION = 1

__all__ = [
    "Access",
    "Attribute",
    "Binding",
    "ContentType",
    "Contract",
    "DataModel",
    "Dependency",
    "Diagnostic",
    "ENV_PLACEHOLDER_RE",
    "Endpoint",
    "Entity",
    "EnumValue",
    "EnvVar",
    "Function",
    "GSI",
    "HttpMethod",
    "ModelField",
    "ModelKind",
    "ModelSource",
    "Named",
    "Nfr",
    "Node",
    "Operation",
    "Param",
    "Runtime",
    "SPEC_VERSION",
    "StatusCode",
    "ServiceSpec",
    "Table",
    "TableAccess",
    "Tag",
    "Trigger",
    "UserStory",
    "endpoint_handler_name",
    "path_params",
    "split_params",
]


class ServiceSpec(BaseModel):
    """Everything bbws-scaffold knows about one Lambda service."""

    model_config = ConfigDict(extra="forbid", revalidate_instances="always")

    spec_version: int = SPEC_VERSION
    source_file: str | None = Field(default=None, description="LLD file name (no directory)")
    lld_number: str | None = None
    title: str
    service_name: str = Field(description="human name of the service, e.g. 'Auth'")
    service: str = Field(default="", description="snake_case service identifier (derived)")
    service_slug: str = Field(default="", description="kebab-case service identifier (derived)")
    version: str | None = None
    status: str | None = None
    created: str | None = None
    parent_hld: str | None = None
    component: str | None = None
    repo: str = Field(default="", description="repository name as the LLD names it, else 2_bbws_<service>_lambda")
    repo_source: Literal["component", "overview", "derived"] = "derived"
    runtime: Runtime = Field(default_factory=Runtime)
    api_base_urls: list[str] = Field(default_factory=list)
    endpoints: list[Endpoint] = Field(default_factory=list)
    functions: list[Function] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    models: list[DataModel] = Field(default_factory=list)
    env_vars: list[EnvVar] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    nfrs: list[Nfr] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    user_stories: list[UserStory] = Field(default_factory=list)
    warnings: list[Diagnostic] = Field(default_factory=list)

    @model_validator(mode="after")
    def _derive_identity(self) -> ServiceSpec:
        self.service = naming.snake(self.service_name)
        self.service_slug = naming.kebab(self.service_name)
        if not self.repo:
            self.repo = naming.service_repo(self.service_name)
            self.repo_source = "derived"
        naming.safe_repo_name(self.repo)
        binding.bind(self)
        renames = [d for d in disambiguate(self.endpoints, self.tables) if d not in self.warnings]
        if renames:  # idempotent: a rebuilt spec warns once; in line order, as the parser's warnings
            self.warnings = sorted(self.warnings + renames, key=lambda d: (d.line or 0, d.message))
        return self
