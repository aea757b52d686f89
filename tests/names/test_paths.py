"""Issue 13, "API Gateway-valid paths": every generated API is one API Gateway REST API accepts.

The rules are API Gateway's for a resource path part ("Resource's path part only allow a-zA-Z0-9._-
and curly braces at the beginning and the end and an optional plus sign before the closing
brace") and for siblings (one variable path part per resource). The corpus test builds each
generated API's resource tree in moto's API Gateway (server mode), which enforces the first rule
itself; the second moto does not check, so the test checks it on the tree it built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bbws_scaffold.config.environments import environments_answer
from bbws_scaffold.errors import LLDError
from bbws_scaffold.lld import paths
from bbws_scaffold.lld.parser import parse_file, parse_text
from bbws_scaffold.plan.infra import build_infra
from tests.aws_server import AwsServer
from tests.paths import corpus_llds, example_llds

HEAD = "# Path Lambda - Low-Level Design\n\n**Version**: 1.0\n\n## 1.3 Lambda Functions\n\n"
TABLE = "| Function | Endpoint | Description |\n|---|---|---|\n"


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln)


@pytest.mark.parametrize("seg", ["v1.0", "items", "a_b-c.d", "{id}", "{proxy+}", "{tenant.id}"])
def test_segments_api_gateway_accepts(seg: str) -> None:
    assert paths.segment_problem(seg) is None


@pytest.mark.parametrize(
    ("seg", "why"),
    [
        ('"quoted"', "'\"'"),
        ("café", "'é'"),
        ("a b", "' '"),
        ("50%25", "'%'"),
        ("...", "elides"),
        ("…", "elides"),
        ("", "empty"),
        ("x{id}", "braces"),
    ],
)
def test_segments_api_gateway_refuses(seg: str, why: str) -> None:
    problem = paths.segment_problem(seg)
    assert problem is not None and why in problem


def test_bad_paths_are_refused_at_their_line_never_dropped() -> None:
    rows = [
        '| get_quoted | GET /v1.0/items/"quoted" | Quotes |',
        "| get_cafe | GET /v1.0/café | Non-ASCII |",
        "| list_items | GET /v1.0/tenants/{tenantId}/.../items | Elided |",
    ]
    text = HEAD + TABLE + "| get_item | GET /v1.0/items/{itemId} | Fine |\n" + "\n".join(rows) + "\n"
    with pytest.raises(LLDError) as err:
        parse_text("2.9.8_LLD_Path_Lambda.md", text)
    got = {d.line: d.message for d in err.value.diagnostics}
    assert sorted(got) == [_line(text, "get_quoted"), _line(text, "get_cafe"), _line(text, "list_items")]
    assert "API Gateway allows only" in got[_line(text, "get_cafe")]
    assert "elides" in got[_line(text, "list_items")]


def test_sibling_variables_get_one_name_with_a_warning() -> None:
    rows = [
        "| get_payment | GET /v1.0/payments/{paymentId} | Get |",
        "| delete_payment | DELETE /v1.0/payments/{id} | Delete |",
        "| list_refunds | GET /v1.0/payments/{pid}/refunds/{refundId} | Refunds |",
        "| create_refund | POST /v1.0/payments/{paymentId}/refunds/{rid} | Refund |",
    ]
    text = HEAD + TABLE + "\n".join(rows) + "\n"
    spec = parse_text("2.9.8_LLD_Path_Lambda.md", text)
    assert [e.path for e in spec.endpoints] == [
        "/v1.0/payments/{paymentId}",
        "/v1.0/payments/{paymentId}",
        "/v1.0/payments/{paymentId}/refunds/{refundId}",
        "/v1.0/payments/{paymentId}/refunds/{refundId}",
    ]
    warned = {w.line for w in spec.warnings if "renamed" in w.message}
    assert warned == {_line(text, "delete_payment"), _line(text, "list_refunds"), _line(text, "create_refund")}
    # the handler reads the name API Gateway sends
    assert [p.name for p in spec.endpoints[1].params] == ["paymentId"]
    routes = {(r.method, r.path) for r in build_infra(spec, environments_answer()).routes}
    assert ("delete", "/v1.0/payments/{paymentId}") in routes and len(routes) == 4


def _build_in_api_gateway(client: Any, api_id: str, root: str, route_paths: list[str]) -> dict[str, set[str]]:
    """Create every route's resources (moto checks each path part); returns parent -> variable children."""
    ids = {"/": root}
    variables: dict[str, set[str]] = {}
    for path in route_paths:
        parent = "/"
        for seg in paths.segments(path):
            here = parent.rstrip("/") + "/" + seg
            if here not in ids:
                res = client.create_resource(restApiId=api_id, parentId=ids[parent], pathPart=seg)
                ids[here] = res["id"]
            if paths.VARIABLE_RE.fullmatch(seg):
                variables.setdefault(parent, set()).add(seg)
            parent = here
    return variables


@pytest.mark.parametrize("lld", corpus_llds() + example_llds(), ids=lambda p: Path(p).name)
def test_every_generated_api_builds_in_api_gateway(lld: Path, aws: AwsServer) -> None:
    spec = parse_file(lld)
    routes = build_infra(spec, environments_answer()).routes
    served = {ep.method.lower() + " " + paths.route_path(ep.path) for ep in spec.endpoints}
    assert {f"{r.method} {r.path}" for r in routes} == served  # nothing dropped from api_gateway.tf
    client = boto3.client("apigateway", region_name="eu-west-1")
    api = client.create_rest_api(name=spec.service_slug)
    root = next(r["id"] for r in client.get_resources(restApiId=api["id"])["items"] if r["path"] == "/")
    variables = _build_in_api_gateway(client, api["id"], root, sorted({r.path for r in routes}))
    assert {parent: names for parent, names in variables.items() if len(names) > 1} == {}


@pytest.mark.parametrize("seg", ['"quoted"', "café", "a b", "50%25", "x{id}"])
def test_moto_refuses_what_the_rule_refuses(seg: str, aws: AwsServer) -> None:
    """The rule and API Gateway (as moto emulates it) agree on the characters of a path part."""
    client = boto3.client("apigateway", region_name="eu-west-1")
    api = client.create_rest_api(name="rules")
    root = client.get_resources(restApiId=api["id"])["items"][0]["id"]
    with pytest.raises(ClientError):
        client.create_resource(restApiId=api["id"], parentId=root, pathPart=seg)
    assert paths.segment_problem(seg) is not None
