"""Issue 13, "Names cannot collide": every LLD name becomes an identifier the generated code does
not already use, within a bounded length; two names that normalise alike are told apart.

Expected values come from the blueprint's own code (``def query_partition(self, ..., limit,
token)``, ``def handler(event, context)``, ``src/models/schemas.py``), Python's keyword list and
Windows' reserved device names, not from the implementation.
"""

from __future__ import annotations

import keyword

import pytest

from bbws_scaffold import naming
from bbws_scaffold.model import Endpoint, Entity, Param, ServiceSpec, Table

# parameters and locals of blueprints/lambda_service (repositories, services, handlers, logic stubs)
BLUEPRINT_PARAMS = ["self", "token", "limit", "data", "item", "key", "event", "context", "body", "path", "changes"]


@pytest.mark.parametrize("name", BLUEPRINT_PARAMS + ["Self", "TOKEN", "str", "list", "dict", "model_config"])
def test_a_variable_never_takes_a_name_the_generated_code_uses(name: str) -> None:
    ident = naming.var_ident(name)
    assert ident.isidentifier() and ident != name.lower() and ident == name.lower() + "_"


@pytest.mark.parametrize("name", ["class", "Import", "async", "match", "case"])
def test_keywords_and_soft_keywords_get_a_trailing_underscore(name: str) -> None:
    assert naming.snake(name) == name.lower() + "_"
    assert not keyword.iskeyword(naming.snake(name))


def test_type_keeps_its_name_whatever_python_renders() -> None:
    # a soft keyword only in `type X = ...` (3.12); a field called type is valid Python everywhere
    assert naming.snake("type") == "type" and naming.var_ident("type") == "type"


def test_pydantic_model_namespace_is_avoided() -> None:
    assert naming.var_ident("modelName") == "model_name_"


@pytest.mark.parametrize("name", ["CON", "prn", "Aux", "NUL", "com1", "Lpt9", "Schemas", "base", "conftest"])
def test_module_names_avoid_windows_devices_and_the_blueprints_own_modules(name: str) -> None:
    assert naming.module_ident(name) == name.lower() + "_"


@pytest.mark.parametrize("name", ["handler", "logger", "json_response", "parse_path", "processor"])
def test_function_modules_avoid_the_handler_modules_own_names(name: str) -> None:
    # src/handlers/<fn>.py defines `def <fn>(event)` beside `def handler(...)` and these imports
    assert naming.function_ident(name) == name + "_"
    assert naming.module_ident(name) == name  # an entity module may be called so


@pytest.mark.parametrize("name", ["None", "True", "Base", "BaseModel", "Field", "Page"])
def test_class_names_avoid_keywords_and_the_generated_modules_imports(name: str) -> None:
    # Base: <Entity>Repository would be the imported BaseRepository
    assert naming.class_ident(name) == name + "_"


def test_long_names_are_bounded_stable_and_distinct() -> None:
    stem = "an_extremely_long_function_name_that_goes_on" + "_and_on" * 30
    a, b = naming.snake(stem + "_x"), naming.snake(stem + "_y")
    assert len(stem) > 250 and len(a) == naming.MAX_IDENT and len(b) == naming.MAX_IDENT
    assert a != b and a == naming.snake(stem + "_x")  # a hash of the whole name, the same every run
    assert naming.snake(a) == a and naming.function_ident(a) == a  # a bounded name normalises to itself
    assert len(naming.pascal(stem)) <= naming.MAX_IDENT and naming.pascal(stem).isidentifier()
    assert len(naming.snake("short_name")) == len("short_name")


def test_two_placeholders_of_one_path_that_normalise_alike_are_numbered() -> None:
    # invite_id is written as its identifier and keeps it: no field is named like another's alias
    ep = Endpoint(method="POST", path="/orgs/{inviteId}/invites/{invite_id}/{self}")
    assert [p.ident for p in ep.params] == ["invite_id_2", "invite_id", "self_"]
    again = Endpoint.model_validate_json(ep.model_dump_json())
    assert [p.ident for p in again.params] == ["invite_id_2", "invite_id", "self_"]
    other = Endpoint(method="POST", path="/orgs/{orgId}/members/{OrgID}")
    assert [p.ident for p in other.params] == ["org_id", "org_id_2"]  # neither written so: document order
    # the number is kept when a node is revalidated on its own, never invented
    assert Param(name="invite_id", ident="invite_id_2").ident == "invite_id_2"
    assert Param(name="invite_id", ident="bogus").ident == "invite_id"


def _spec() -> ServiceSpec:
    return ServiceSpec(
        title="t",
        service_name="Clash",
        endpoints=[Endpoint(method="POST", path="/orgs/{inviteId}/invites/{invite_id}", line=7)],
        tables=[
            Table(name="a", line=10, entities=[Entity(name="None", pk="A#{aId}", line=11)]),
            Table(name="b", line=20, entities=[Entity(name="none", pk="B#{bId}", line=21)]),
        ],
    )


def test_entities_that_normalise_alike_get_distinct_modules_and_classes_and_a_warning() -> None:
    spec = _spec()
    ents = [e for t in spec.tables for e in t.entities]
    assert [e.ident for e in ents] == ["none", "none_2"]
    assert [e.class_name for e in ents] == ["None_", "None2"]
    lines = {w.line: w.message for w in spec.warnings}
    assert "'None' and 'none'" in lines[21] and "none_2" in lines[21]
    assert "'invite_id' and 'inviteId'" in lines[7] and "'inviteId' is named 'invite_id_2'" in lines[7]


def test_the_disambiguation_is_stable_and_warns_once() -> None:
    spec = _spec()
    again = ServiceSpec.model_validate_json(spec.model_dump_json())
    assert again == spec and len(again.warnings) == 2


def test_attributes_and_key_placeholders_that_normalise_alike_are_numbered_with_a_warning() -> None:
    entity = Entity(name="Member", pk="ORG#{orgId}", sk="MEMBER#{org_id}", line=30)
    spec = ServiceSpec(title="t", service_name="Clash", tables=[Table(name="m", entities=[entity])])
    (member,) = spec.tables[0].entities
    assert {a.name: a.ident for a in member.attributes} == {"orgId": "org_id_2", "org_id": "org_id"}
    assert [(p.name, p.ident) for p in member.params] == [("orgId", "org_id_2"), ("org_id", "org_id")]
    assert [w.line for w in spec.warnings if "'org_id' and 'orgId'" in w.message] == [30]
    assert ServiceSpec.model_validate_json(spec.model_dump_json()) == spec
