"""The embedded AWS's own boto3 clients: made once per boto3 default session, region and endpoint, then reused.

Making a botocore client costs milliseconds of CPU (endpoint rules, a copy of the session's event hooks, an SSL
context), and the harness calls AWS to seed the stack and around every function it runs: the actuator before each
task, the alarm mirror on each event, the polling of each execution. So it keeps its clients, for as long as the
default session they were made on lives. A client is bound to the endpoint it was made at (``AWS_ENDPOINT_URL``
then: the embedded server's address, or none for moto in-process), so the endpoint is part of the key. Only
low-level clients are kept (they are thread-safe; a boto3 resource is not).

The product's functions keep theirs the same way (``autopilot.adapters.clients``).
"""

from __future__ import annotations

import os
import threading
from functools import cached_property
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import boto3
from boto3.session import Session

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_stepfunctions import SFNClient

_by_session: WeakKeyDictionary[Session, dict[tuple[str, str | None], HarnessClients]] = WeakKeyDictionary()
_lock = threading.Lock()


class HarnessClients:
    """One client per service the harness calls, in one region, made on first use."""

    def __init__(self, session: Session, region: str) -> None:
        self.session = session
        self.region = region

    @cached_property
    def autoscaling(self) -> ApplicationAutoScalingClient:
        return self.session.client("application-autoscaling", region_name=self.region)

    @cached_property
    def cloudwatch(self) -> CloudWatchClient:
        return self.session.client("cloudwatch", region_name=self.region)

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return self.session.client("dynamodb", region_name=self.region)

    @cached_property
    def ec2(self) -> EC2Client:
        return self.session.client("ec2", region_name=self.region)

    @cached_property
    def ecs(self) -> ECSClient:
        return self.session.client("ecs", region_name=self.region)

    @cached_property
    def elbv2(self) -> ElasticLoadBalancingv2Client:
        return self.session.client("elbv2", region_name=self.region)

    @cached_property
    def iam(self) -> IAMClient:
        return self.session.client("iam", region_name=self.region)

    @cached_property
    def lambda_(self) -> LambdaClient:
        return self.session.client("lambda", region_name=self.region)

    @cached_property
    def rds(self) -> RDSClient:
        return self.session.client("rds", region_name=self.region)

    @cached_property
    def s3(self) -> S3Client:
        return self.session.client("s3", region_name=self.region)

    @cached_property
    def sns(self) -> SNSClient:
        return self.session.client("sns", region_name=self.region)

    @cached_property
    def ssm(self) -> SSMClient:
        return self.session.client("ssm", region_name=self.region)

    @cached_property
    def stepfunctions(self) -> SFNClient:
        return self.session.client("stepfunctions", region_name=self.region)


def harness_clients(region: str) -> HarnessClients:
    """The harness's clients for ``region`` on boto3's current default session, at ``AWS_ENDPOINT_URL`` when it is
    set (made on the first call with these three)."""
    key = (region, os.environ.get("AWS_ENDPOINT_URL") or None)
    with _lock:
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
        assert session is not None  # set just above
        kept = _by_session.setdefault(session, {})
        if key not in kept:
            kept[key] = HarnessClients(session, region)
        return kept[key]
