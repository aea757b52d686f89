"""The `live` alias of each function: publish a version, move or split traffic, read where it points."""

from __future__ import annotations

from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError

from bbws_scaffold.runtime.errors import RuntimeOpError
from bbws_scaffold.runtime.log import log

ALIAS = "live"


@dataclass(frozen=True)
class AliasState:
    function: str
    version: str  # the alias' primary version
    weights: dict[str, float]  # AdditionalVersionWeights: canary version -> share of traffic


class LiveAlias:
    """Operations on the ``live`` alias of the functions of one environment."""

    def __init__(self, session: boto3.session.Session) -> None:
        self.client = session.client("lambda")

    def state(self, function: str) -> AliasState:
        try:
            alias = self.client.get_alias(FunctionName=function, Name=ALIAS)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceNotFoundException":
                raise RuntimeOpError(
                    f"{function} has no {ALIAS!r} alias: has Terraform created the function in this account?"
                ) from exc
            raise
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        return AliasState(function, str(alias["FunctionVersion"]), {str(k): float(v) for k, v in weights.items()})

    def publish(self, function: str, code_sha256: str | None = None) -> str:
        """Publish the function's current code and configuration as a version; return its number.

        With ``code_sha256`` (Lambda's base64 digest) Lambda refuses to publish other code than
        the package this run built. Publishing unchanged code returns the existing version."""
        kwargs = {"FunctionName": function, "Description": "published by bbws-runtime"}
        if code_sha256:
            # checked here as well as by Lambda (CodeSha256 makes publishing atomic with the check)
            latest = self.client.get_function_configuration(FunctionName=function)["CodeSha256"]
            if latest != code_sha256:
                raise RuntimeOpError(
                    f"cannot publish a version of {function}: its code ({latest}) is not this run's package "
                    f"({code_sha256}); did Terraform deploy dist/lambda.zip?"
                )
            kwargs["CodeSha256"] = code_sha256
        try:
            version = str(self.client.publish_version(**kwargs)["Version"])
        except ClientError as exc:
            raise RuntimeOpError(f"cannot publish a version of {function}: {exc}") from exc
        log("lambda.published", function=function, version=version)
        return version

    def point(self, function: str, version: str) -> bool:
        """Send all traffic to ``version``; ``False`` (and no call) when it already does."""
        current = self.state(function)
        if current.version == version and not current.weights:
            log("lambda.alias_unchanged", function=function, version=version, note="already live: nothing to do")
            return False
        self.client.update_alias(
            FunctionName=function,
            Name=ALIAS,
            FunctionVersion=version,
            RoutingConfig={"AdditionalVersionWeights": {}},
        )
        log("lambda.alias_moved", function=function, previous=current.version, version=version)
        return True

    def split(self, function: str, stable: str, canary: str, percent: int) -> None:
        """Keep ``stable`` as the primary version and send ``percent``% of traffic to ``canary``."""
        if not 0 < percent < 100:
            raise ValueError("a split sends 1-99% to the canary")
        self.client.update_alias(
            FunctionName=function,
            Name=ALIAS,
            FunctionVersion=stable,
            RoutingConfig={"AdditionalVersionWeights": {canary: round(percent / 100, 4)}},
        )
        log("lambda.alias_split", function=function, stable=stable, canary=canary, percent=percent)
