"""The typed AWS schema the offline provider serves: consistent with the shared untyped schema
(both from the same cdktf bindings, read differently) and with the provider's documentation."""

from __future__ import annotations

import gzip
import json

import pytest

from bbws_scaffold.pipeline.offline_provider import schema
from tests.paths import AWS_PROVIDER_SCHEMA

#: where the two readings differ, on purpose: a map of objects cannot be a block in Terraform, so
#: the typed schema makes ``locale_specification`` an attribute of type map(object); cdktf typed
#: the recursive WAF rule ``statement`` "any" and the typed schema writes it from the documentation
KNOWN_DIFFERENCES = (
    "aws_lexv2models_bot_version: ",
    "aws_wafv2_web_acl.rule: ",
    "aws_wafv2_rule_group.rule: ",
)


def _differences(path: str, typed: dict, untyped: dict) -> list[str]:
    out = []
    args = {k for k, (_t, flags) in typed["a"].items() if flags != "c"}
    if args != set(untyped["args"]):
        out.append(f"{path}: arguments {sorted(args ^ set(untyped['args']))}")
    for k, required in untyped["args"].items():
        if k in typed["a"] and (typed["a"][k][1] == "r") != required:
            out.append(f"{path}.{k}: required differs")
    if set(typed["b"]) != set(untyped["blocks"]):
        out.append(f"{path}: blocks {sorted(set(typed['b']) ^ set(untyped['blocks']))}")
    for k in set(typed["b"]) & set(untyped["blocks"]):
        if (typed["b"][k][1] > 0) != untyped["blocks"][k]["required"]:
            out.append(f"{path}.{k}: required block differs")
        out += _differences(f"{path}.{k}", typed["b"][k][3], untyped["blocks"][k])
    return out


@pytest.mark.parametrize("section", ["resources", "data_sources"])
def test_same_arguments_and_blocks_as_the_shared_schema(section: str) -> None:
    untyped = json.loads(gzip.decompress(AWS_PROVIDER_SCHEMA.read_bytes()))[section]
    typed = schema.load()[section]
    assert set(typed) == set(untyped)
    diffs = [d for name in untyped for d in _differences(name, typed[name], untyped[name])]
    assert [d for d in diffs if not d.startswith(KNOWN_DIFFERENCES)] == []


def test_types_and_flags_follow_the_provider_documentation() -> None:
    # registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/lambda_function
    fn = schema.resource("aws_lambda_function")
    assert fn["a"]["function_name"] == ["string", "r"]
    assert fn["a"]["role"] == ["string", "r"]
    assert fn["a"]["invoke_arn"] == ["string", "c"]  # attribute reference, not an argument
    assert fn["a"]["arn"] == ["string", "c"]
    assert fn["a"]["layers"] == [["list", "string"], "o"]
    assert fn["a"]["memory_size"][0] == "number"
    assert fn["a"]["publish"][0] == "bool"
    assert fn["a"]["tags"][0] == ["map", "string"]
    mode, min_items, max_items, vpc = fn["b"]["vpc_config"]
    assert (mode, min_items, max_items) == ("list", 0, 1)
    assert vpc["a"]["subnet_ids"] == [["set", "string"], "r"]
    assert vpc["a"]["vpc_id"] == ["string", "c"]
    assert fn["b"]["timeouts"][0] == "single"
    # dynamodb_table: attribute is a set of blocks; hash_key optional in 6.x
    table = schema.resource("aws_dynamodb_table")
    assert table["b"]["attribute"][0] == "set"
    assert table["a"]["stream_arn"] == ["string", "c"]
    # data sources: what only AWS knows is computed
    assert schema.data_source("aws_caller_identity")["a"]["account_id"] == ["string", "c"]
    assert schema.data_source("aws_iam_policy_document")["a"]["json"] == ["string", "c"]
    assert schema.data_source("aws_iam_policy_document")["b"]["statement"][0] == "list"
    # provider block
    provider = schema.provider()
    assert provider["a"]["allowed_account_ids"] == [["set", "string"], "o"]
    assert provider["b"]["default_tags"][3]["a"]["tags"] == [["map", "string"], "o"]
