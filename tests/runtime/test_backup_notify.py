"""backup creates (and on a re-run reuses) table backups; notify's message is read back through SQS."""

from __future__ import annotations

import json

import pytest

from bbws_scaffold.runtime.backup import backup
from bbws_scaffold.runtime.errors import Refused
from bbws_scaffold.runtime.notify import notify


def test_backup_backs_up_every_table_once(cfg, manifest, accounts):
    prod = accounts("prod")
    ddb = prod.session.client("dynamodb")
    ddb.create_table(
        TableName="bbws-catalogue-products-prod",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    first = backup(cfg, manifest, "prod", label="rel-2", session=prod.session)
    assert [(b.table, b.name, b.created) for b in first] == [
        ("bbws-catalogue-products-prod", "bbws-catalogue-products-prod-rel-2", True)
    ]
    summaries = ddb.list_backups(TableName="bbws-catalogue-products-prod")["BackupSummaries"]
    assert [s["BackupArn"] for s in summaries] == [first[0].arn]

    again = backup(cfg, manifest, "prod", label="rel-2", session=prod.session)
    assert [(b.arn, b.created) for b in again] == [(first[0].arn, False)]
    assert len(ddb.list_backups(TableName="bbws-catalogue-products-prod")["BackupSummaries"]) == 1


def test_backup_refuses_the_wrong_account(cfg, manifest, accounts):
    with pytest.raises(Refused):
        backup(cfg, manifest, "prod", label="rel-2", session=accounts("sit").session)


def test_notify_message_arrives_through_an_sqs_subscription(cfg, accounts, run):
    prod = accounts("prod")
    env = cfg.env("prod")
    assert env.sns_topic_arn == "arn:aws:sns:af-south-1:093646564004:bbws-deployments-prod"
    sns, sqs = prod.session.client("sns"), prod.session.client("sqs")
    topic = sns.create_topic(Name="bbws-deployments-prod")["TopicArn"]
    assert topic == env.sns_topic_arn
    queue = sqs.create_queue(QueueName="deployments")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)

    message_id = notify(cfg, "prod", version="rel-2", outcome="succeeded", run=run, session=prod.session)

    (msg,) = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(msg["Body"])
    assert envelope["MessageId"] == message_id
    assert envelope["Subject"] == "[PROD] catalogue rel-2: succeeded"
    body = envelope["Message"]
    for line in (
        "service: catalogue",
        "environment: prod",
        "version: rel-2",
        "outcome: succeeded",
        f"run: {run.run_url}",
    ):
        assert line in body.splitlines()
    attrs = {k: v["Value"] for k, v in envelope["MessageAttributes"].items()}
    assert attrs == {"service": "catalogue", "environment": "prod", "version": "rel-2", "outcome": "succeeded"}
