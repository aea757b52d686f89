"""The service's CloudWatch alarms: every alarm whose name starts with ``<function name>-``.

terraform/alarms.tf names each alarm after the function it watches (errors, throttles, duration,
NFR targets), so a prefix query finds exactly the alarms a canary must watch.
"""

from __future__ import annotations

from collections.abc import Iterable

import boto3


def firing(session: boto3.session.Session, functions: Iterable[str], ignore: Iterable[str] = ()) -> list[str]:
    """Names of the functions' alarms in state ALARM (sorted), leaving out ``ignore``."""
    skip = set(ignore)
    client = session.client("cloudwatch")
    names: set[str] = set()
    paginator = client.get_paginator("describe_alarms")
    for function in functions:
        for page in paginator.paginate(
            AlarmNamePrefix=f"{function}-", StateValue="ALARM", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        ):
            for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                # StateValue is filtered server-side by AWS; checked again so no emulator or
                # API change can make a healthy alarm look firing or the other way round
                if alarm.get("StateValue") == "ALARM":
                    names.add(str(alarm["AlarmName"]))
    return sorted(names - skip)
