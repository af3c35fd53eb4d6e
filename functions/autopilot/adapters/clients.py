"""The boto3 clients of a Lambda container (or one CLI command): :class:`AwsClients`, the only place a client is made.

Every client has the retry policy the adapters share (standard mode: throttling and 5xx, backoff with jitter) and
points at ``AWS_ENDPOINT_URL`` when it is set (the embedded AWS). A handler asks :func:`aws_clients` for the factory
and passes it down; a factory makes each client once, when first asked. :func:`aws_clients` gives the same factory
again for the same boto3 default session, region and endpoint: a warm Lambda makes no client twice (AWS's advice:
clients outlive the invocation; making one costs milliseconds of CPU), and a new default session gets factories of
its own. Low-level clients are thread-safe, so every thread shares them; a boto3 resource (the DynamoDB one) must not
be shared between threads, so the factory keeps one per thread. Nothing needs resetting: a factory goes with its
session.

A new AWS call goes here (an accessor, when the service is new), then into an adapter that takes the client, then
into the function's IAM policy in template.yaml.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar
from weakref import WeakKeyDictionary

import boto3
from boto3.session import Session
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient
    from mypy_boto3_ce import CostExplorerClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient, DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_pricing import PricingClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_stepfunctions import SFNClient

RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20)
# The Pricing API is an optional refresh: fewer attempts and a shorter wait than a call the flow depends on.
PRICING_CONFIG = RETRY_CONFIG.merge(Config(retries={"mode": "standard", "max_attempts": 2}, read_timeout=10))
# Cost Explorer and the Pricing API answer from us-east-1 whatever the stack's region.
GLOBAL_BILLING_REGION = "us-east-1"
_making = threading.Lock()
Made = TypeVar("Made")


def _one_at_a_time(make: Callable[[AwsClients], Made]) -> Callable[[AwsClients], Made]:
    """Make a client holding the process's lock: a botocore session is not safe to make clients from in several
    threads at once (it happens once per client in a container's life, so nothing waits on it after)."""

    @functools.wraps(make)
    def made(clients: AwsClients) -> Made:
        with _making:
            return make(clients)

    return made


class AwsClients:
    """One typed client per service the product calls, made on first use and kept for this instance's life."""

    def __init__(self, session: Session, region: str, endpoint_url: str | None = None) -> None:
        self.session = session
        self.region = region
        self.endpoint_url = endpoint_url
        self._per_thread = threading.local()  # the DynamoDB resource: one per thread

    @cached_property
    @_one_at_a_time
    def autoscaling(self) -> ApplicationAutoScalingClient:
        return self.session.client(
            "application-autoscaling", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )

    @cached_property
    @_one_at_a_time
    def cloudwatch(self) -> CloudWatchClient:
        return self.session.client(
            "cloudwatch", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )

    @cached_property
    @_one_at_a_time
    def cost_explorer(self) -> CostExplorerClient:
        return self.session.client(
            "ce", region_name=GLOBAL_BILLING_REGION, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )

    @property
    def dynamodb(self) -> DynamoDBServiceResource:
        """This thread's DynamoDB resource (made on its first use in the thread: a resource is not thread-safe)."""
        resource: DynamoDBServiceResource | None = getattr(self._per_thread, "dynamodb", None)
        if resource is None:
            with _making:
                resource = self._per_thread.dynamodb = self.session.resource(
                    "dynamodb", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
                )
        return resource

    @cached_property
    @_one_at_a_time
    def dynamodb_client(self) -> DynamoDBClient:
        """A plain DynamoDB client (the resource's own client translates items; Powertools wants raw ones)."""
        return self.session.client(
            "dynamodb", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )

    def table(self, name: str) -> Table:
        return self.dynamodb.Table(name)

    @cached_property
    @_one_at_a_time
    def ecs(self) -> ECSClient:
        return self.session.client("ecs", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG)

    @cached_property
    @_one_at_a_time
    def elbv2(self) -> ElasticLoadBalancingv2Client:
        return self.session.client(
            "elbv2", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )

    @cached_property
    @_one_at_a_time
    def lambda_(self) -> LambdaClient:
        return self.session.client(
            "lambda", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )

    @cached_property
    @_one_at_a_time
    def pricing(self) -> PricingClient:
        return self.session.client(
            "pricing", region_name=GLOBAL_BILLING_REGION, endpoint_url=self.endpoint_url, config=PRICING_CONFIG
        )

    @cached_property
    @_one_at_a_time
    def rds(self) -> RDSClient:
        return self.session.client("rds", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG)

    @cached_property
    @_one_at_a_time
    def s3(self) -> S3Client:
        return self.session.client("s3", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG)

    @cached_property
    @_one_at_a_time
    def sns(self) -> SNSClient:
        return self.session.client("sns", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG)

    @cached_property
    @_one_at_a_time
    def ssm(self) -> SSMClient:
        return self.session.client("ssm", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG)

    @cached_property
    @_one_at_a_time
    def stepfunctions(self) -> SFNClient:
        return self.session.client(
            "stepfunctions", region_name=self.region, endpoint_url=self.endpoint_url, config=RETRY_CONFIG
        )


def default_session() -> Session:
    """boto3's default session (made on first use): the process's credentials and service-model loader."""
    session = boto3.DEFAULT_SESSION
    if session is None:
        session = boto3.DEFAULT_SESSION = Session()
    return session


# For each default session (weakly: a factory goes with its session), the factories by region and endpoint.
_kept: WeakKeyDictionary[Session, dict[tuple[str, str | None], AwsClients]] = WeakKeyDictionary()
_kept_lock = threading.Lock()


def aws_clients(region: str) -> AwsClients:
    """The factory on boto3's default session, in ``region``, at ``AWS_ENDPOINT_URL`` when it is set: made on the
    first call, the same one on every later call with the same three (from any thread)."""
    key = (region, os.environ.get("AWS_ENDPOINT_URL") or None)
    with _kept_lock:
        session = default_session()
        factories = _kept.setdefault(session, {})
        if key not in factories:
            factories[key] = AwsClients(session, *key)
        return factories[key]
