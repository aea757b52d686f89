"""notify: one SNS message per deployment outcome (service, environment, version, outcome, run link).

The topic is the environment's ``sns_topic_arn`` (by convention ``bbws-deployments-<env>`` in the
environment's account, created with the account, like the Terraform state bucket). Subscribers get
readable text; the same facts travel as message attributes for filtering (e.g. only PROD failures).
"""

from __future__ import annotations

import boto3
from botocore.exceptions import ClientError

from bbws_scaffold.runtime.aws import session_for
from bbws_scaffold.runtime.config import RuntimeConfig
from bbws_scaffold.runtime.context import RunContext
from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.guard import require_account
from bbws_scaffold.runtime.log import log, redact_text


def compose(service: str, env: str, version: str, outcome: str, run: RunContext, note: str = "") -> tuple[str, str]:
    """(subject, body) of the message."""
    subject = f"[{env.upper()}] {service} {version}: {outcome}"
    lines = [
        f"Deployment of {service} to {env.upper()}: {outcome}",
        "",
        f"service: {service}",
        f"environment: {env}",
        f"version: {version}",
        f"outcome: {outcome}",
        f"commit: {run.git_sha or 'unknown'}",
        f"actor: {run.actor}",
        f"run: {run.run_url or 'n/a'}",
    ]
    if note:
        lines += ["", " ".join(note.split())]
    clean = "".join(ch if ch.isprintable() else " " for ch in redact_text(subject))
    return clean.encode("ascii", "replace").decode()[:100], redact_text("\n".join(lines) + "\n")


def notify(
    cfg: RuntimeConfig,
    env_name: str,
    *,
    version: str,
    outcome: str,
    run: RunContext,
    note: str = "",
    topic_arn: str | None = None,
    session: boto3.session.Session | None = None,
) -> str:
    """Publish the message; return SNS's message id."""
    env = cfg.env(env_name)
    topic = topic_arn or env.sns_topic_arn
    if not topic:
        raise RuntimeOpError(f"{env.name} has no sns_topic_arn configured")
    session = session or session_for(env)
    require_account(env, session)
    subject, body = compose(cfg.service, env.name, version, outcome, run, note)
    attributes = {
        key: {"DataType": "String", "StringValue": value}
        for key, value in (
            ("service", cfg.service),
            ("environment", env.name),
            ("version", version),
            ("outcome", outcome),
        )
    }
    try:
        message_id = session.client("sns").publish(
            TopicArn=topic, Subject=subject, Message=body, MessageAttributes=attributes
        )["MessageId"]
    except ClientError as exc:
        raise RuntimeOpError(f"cannot publish to {topic}: {exc}") from exc
    log("notify.sent", env=env.name, topic=topic, message_id=message_id, outcome=outcome)
    return str(message_id)
