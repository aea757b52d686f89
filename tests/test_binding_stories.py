"""binding links user stories to functions, so generated xfail stubs name the story they stand for."""

from __future__ import annotations

from bbws_scaffold.model import Endpoint, Function, ServiceSpec, UserStory


def spec(*stories: UserStory) -> ServiceSpec:
    return ServiceSpec(
        title="t",
        service_name="Catalogue",
        endpoints=[Endpoint(method="POST", path="/v1.0/products/{productId}/publish", function="publish_product")],
        functions=[
            Function(name="publish_product", method="POST", path="/v1.0/products/{productId}/publish"),
            Function(name="create_product"),
        ],
        user_stories=list(stories),
    )


def test_a_story_naming_the_function_wins():
    s = spec(
        UserStory(id="US-1", story="As an admin, I want to publish products", functions=["create_product"]),
        UserStory(id="US-2", story="Anything", functions=["`publish_product`"]),
    )
    fns = {f.ident: f.stories for f in s.functions}
    assert fns == {"publish_product": ["US-2"], "create_product": ["US-1"]}


def test_prose_holding_every_word_of_the_name_links_when_no_story_names_functions():
    s = spec(
        UserStory(id="US-CAT-001", story="As an admin, I want to create a product"),
        UserStory(
            id="US-CAT-009",
            story="As an admin, I want to publish a finished product",
            scenarios=["Given a DRAFT product, when I publish it, then it is PUBLISHED"],
        ),
        UserStory(id="US-CAT-010", story="As a visitor, I want to see published products"),
    )
    fns = {f.ident: f.stories for f in s.functions}
    assert fns == {"publish_product": ["US-CAT-009"], "create_product": ["US-CAT-001"]}


def test_scenarios_do_not_link():
    s = spec(
        UserStory(
            id="US-3",
            story="As a visitor, I want to list products",
            scenarios=["Given a product, when an admin would create product X, then ..."],
        )
    )
    assert {f.ident: f.stories for f in s.functions} == {"publish_product": [], "create_product": []}


def test_linking_is_stable_across_a_json_round_trip():
    s = spec(UserStory(id="US-9", story="publish the product"))
    assert ServiceSpec.model_validate_json(s.model_dump_json()) == s
