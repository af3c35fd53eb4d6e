"""The client factory: every client it makes has the shared retry policy, the invocation's region and the
endpoint from ``AWS_ENDPOINT_URL``; an instance makes each client once, and nothing outlives the instance but
boto3's default session (its service models)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from autopilot.adapters.clients import GLOBAL_BILLING_REGION, AwsClients, aws_clients
from boto3.session import Session

REGION = "eu-west-1"
ENDPOINT = "http://127.0.0.1:4599"
# RETRY_CONFIG's 5 retries, as botocore counts them: with the first attempt.
ATTEMPTS = 6
# Each accessor, and the low-level client behind it (the DynamoDB resource's own client for the resource).
ACCESSORS = (
    "autoscaling", "cloudwatch", "cost_explorer", "dynamodb_client", "ecs", "elbv2", "lambda_", "rds", "s3", "sns",
    "ssm", "stepfunctions",
)  # fmt: skip


def low_level(clients: AwsClients, accessor: str) -> Any:
    made = getattr(clients, accessor)
    return made.meta.client if accessor == "dynamodb" else made


@pytest.fixture
def fresh_default_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """No default session yet (boto3's is restored after the test), and fake credentials."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.mark.parametrize("accessor", [*ACCESSORS, "dynamodb"])
def test_every_client_has_the_retry_policy_and_the_endpoint(accessor: str) -> None:
    made = low_level(AwsClients(Session(region_name="us-west-2"), REGION, ENDPOINT), accessor)
    assert made.meta.endpoint_url == ENDPOINT
    assert made.meta.config.retries == {"mode": "standard", "total_max_attempts": ATTEMPTS}
    assert (made.meta.config.connect_timeout, made.meta.config.read_timeout) == (5, 20)


def test_the_pricing_client_gives_up_sooner_than_the_others() -> None:
    pricing = AwsClients(Session(), REGION, ENDPOINT).pricing
    assert pricing.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}  # 2 retries
    assert pricing.meta.config.read_timeout == 10


def test_clients_are_in_the_invocations_region_and_billing_apis_in_us_east_1() -> None:
    clients = AwsClients(Session(region_name="us-west-2"), REGION)
    regions = {accessor: low_level(clients, accessor).meta.region_name for accessor in ACCESSORS}
    del regions["cost_explorer"]  # botocore names Cost Explorer's us-east-1 endpoint "aws-global"
    assert set(regions.values()) == {REGION}
    assert clients.cost_explorer.meta.endpoint_url == f"https://ce.{GLOBAL_BILLING_REGION}.amazonaws.com"
    assert clients.pricing.meta.endpoint_url == f"https://api.pricing.{GLOBAL_BILLING_REGION}.amazonaws.com"


def test_without_an_endpoint_the_clients_call_aws() -> None:
    assert AwsClients(Session(), REGION).ecs.meta.endpoint_url == f"https://ecs.{REGION}.amazonaws.com"


def test_aws_clients_takes_the_endpoint_from_aws_endpoint_url(
    fresh_default_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT)
    clients = aws_clients(REGION)
    assert clients.endpoint_url == ENDPOINT
    assert clients.ssm.meta.endpoint_url == ENDPOINT
    assert clients.table("state").meta.client.meta.endpoint_url == ENDPOINT


def test_an_instance_makes_each_client_once_and_a_new_instance_makes_new_ones(fresh_default_session: None) -> None:
    first, second = aws_clients(REGION), aws_clients(REGION)
    assert first.ecs is first.ecs
    assert first.dynamodb is first.dynamodb
    assert second.ecs is not first.ecs


def test_every_factory_shares_the_default_session_and_so_its_loaded_service_models(
    fresh_default_session: None,
) -> None:
    first, second = aws_clients(REGION), aws_clients("us-east-2")
    assert first.session is second.session is boto3.DEFAULT_SESSION
    loader = first.session._session.get_component("data_loader")
    assert second.session._session.get_component("data_loader") is loader
