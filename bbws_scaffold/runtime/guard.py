"""Account guard: every operation first proves the credentials belong to the environment's account."""

from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from bbws_scaffold.runtime.aws import session_for
from bbws_scaffold.runtime.config import Environment
from bbws_scaffold.runtime.errors import Refused, RuntimeOpError
from bbws_scaffold.runtime.log import log


def caller_account(session: boto3.session.Session) -> str:
    """The account id STS reports for ``session``'s credentials."""
    try:
        return str(session.client("sts").get_caller_identity()["Account"])
    except (BotoCoreError, ClientError) as exc:
        raise RuntimeOpError(f"cannot ask STS who the credentials belong to: {exc}") from exc


def require_account(env: Environment, session: boto3.session.Session | None = None) -> str:
    """Return the caller's account id if it is ``env``'s, else raise :class:`Refused` naming both."""
    actual = caller_account(session or session_for(env))
    if actual != env.account_id:
        log("guard.refused", env=env.name, expected_account=env.account_id, actual_account=actual)
        raise Refused(
            f"credentials are for AWS account {actual}, but environment {env.name} is account "
            f"{env.account_id}: refusing to act on the wrong account"
        )
    log("guard.ok", env=env.name, account=actual)
    return actual
