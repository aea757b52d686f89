"""boto3 sessions for an environment.

The region comes from the environment's configuration; endpoints come from ``AWS_ENDPOINT_URL``
(and the per-service ``AWS_ENDPOINT_URL_<SERVICE>``), which botocore honours natively, so tests
point every call at a local moto server without the runtime knowing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from bbws_scaffold.runtime.errors import RuntimeOpError

if TYPE_CHECKING:
    from bbws_scaffold.runtime.config import Environment


def session_for(env: Environment) -> boto3.session.Session:
    """A session whose default region is ``env.region`` (credentials from the usual chain)."""
    return boto3.session.Session(region_name=env.region)


def assume_role_session(
    role_arn: str, region: str, via: boto3.session.Session, purpose: str = "bbws-runtime"
) -> boto3.session.Session:
    """A session for ``role_arn`` (in ``region``), assumed with ``via``'s credentials."""
    try:
        creds = via.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=purpose[:64], DurationSeconds=900)
    except Exception as exc:  # botocore ClientError / NoCredentialsError: say which role
        raise RuntimeOpError(f"cannot assume {role_arn}: {exc}") from exc
    c = creds["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"],
        region_name=region,
    )
