"""Planned and fake values of the offline provider (no Terraform needed)."""

from __future__ import annotations

import json

from tf.types import Unknown

from bbws_scaffold.pipeline.offline_provider import schema
from bbws_scaffold.pipeline.offline_provider.values import Faker, fill_object, plan_object, policy_document_json


def test_plan_marks_what_config_leaves_to_aws_unknown_and_keeps_the_rest() -> None:
    block = schema.resource("aws_lambda_function")
    config = {"function_name": "f", "role": "arn:aws:iam::111122223333:role/r", "vpc_config": [{"subnet_ids": ["s"]}]}
    proposed = {**config, "arn": None, "description": None, "vpc_config": [{"subnet_ids": ["s"], "vpc_id": None}]}
    planned = plan_object(block, config, proposed)
    assert planned["arn"] is Unknown  # computed-only
    assert planned["description"] is None  # optional, not computed: stays what config says (null)
    assert planned["function_name"] == "f"
    assert planned["vpc_config"][0]["vpc_id"] is Unknown  # computed inside a nested block
    assert planned["vpc_config"][0]["subnet_ids"] == ["s"]


def test_data_source_fakes_are_deterministic_and_follow_the_provider_config() -> None:
    faker = Faker(account_id="111122223333", region="eu-west-1")
    ident = fill_object(schema.data_source("aws_caller_identity"), {}, "aws_caller_identity", faker)
    assert ident["account_id"] == "111122223333"
    part = fill_object(schema.data_source("aws_partition"), {}, "aws_partition", faker)
    assert part["partition"] == "aws"
    assert part == fill_object(schema.data_source("aws_partition"), {}, "aws_partition", faker)


def test_policy_document_renders_like_iam_json() -> None:
    doc = json.loads(
        policy_document_json(
            {
                "statement": [
                    {
                        "sid": "Assume",
                        "effect": None,
                        "actions": ["sts:AssumeRole"],
                        "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                        "condition": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["1"]}],
                    },
                    {"effect": "Deny", "actions": ["s3:PutObject", "s3:GetObject"], "resources": ["*"]},
                ]
            }
        )
    )
    # IAM policy grammar: Version 2012-10-17, Effect defaults to Allow, a single value may be a string
    assert doc["Version"] == "2012-10-17"
    first, second = doc["Statement"]
    assert first == {
        "Sid": "Assume",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": "1"}},
    }
    assert second == {"Effect": "Deny", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}
