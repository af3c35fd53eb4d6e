"""The client factory: every client it makes has the shared retry policy, the invocation's region and the
endpoint from ``AWS_ENDPOINT_URL``; an instance makes each client once, and a warm container (the same default
session, region and endpoint) gets the same factory again, from any thread, while a new session gets its own.
Threads share the low-level clients and each has a DynamoDB resource of its own."""

from __future__ import annotations

import threading
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


def test_an_instance_makes_each_client_once_and_another_instance_makes_its_own() -> None:
    session = Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    first, second = AwsClients(session, REGION), AwsClients(session, REGION)
    assert first.ecs is first.ecs
    assert first.dynamodb is first.dynamodb
    assert second.ecs is not first.ecs


def test_a_warm_container_gets_the_same_factory_and_so_the_same_clients(fresh_default_session: None) -> None:
    first, second = aws_clients(REGION), aws_clients(REGION)
    assert second is first
    assert second.ecs is first.ecs


def test_another_region_or_endpoint_gets_a_factory_of_its_own(
    fresh_default_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = aws_clients(REGION)
    assert aws_clients("us-east-2") is not plain
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT)
    at_endpoint = aws_clients(REGION)
    assert at_endpoint is not plain
    assert at_endpoint.endpoint_url == ENDPOINT
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert aws_clients(REGION) is plain


def test_a_new_default_session_gets_new_factories(fresh_default_session: None, monkeypatch: pytest.MonkeyPatch) -> None:
    before = aws_clients(REGION)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # what each start of a moto mock does
    after = aws_clients(REGION)
    assert after is not before
    assert after.session is boto3.DEFAULT_SESSION is not before.session


def test_threads_share_the_factory_and_its_clients_but_not_a_dynamodb_resource(fresh_default_session: None) -> None:
    mine = aws_clients(REGION)
    seen: list[Any] = []

    def in_a_thread() -> None:
        theirs = aws_clients(REGION)
        seen.extend([theirs, theirs.ecs, theirs.dynamodb_client, theirs.dynamodb, theirs.dynamodb])

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join(timeout=30)
    factory, ecs, dynamodb_client, resource, resource_again = seen
    assert factory is mine
    assert ecs is mine.ecs and dynamodb_client is mine.dynamodb_client
    assert resource is resource_again, "a thread keeps its resource"
    assert resource is not mine.dynamodb and mine.dynamodb is mine.dynamodb


def test_threads_that_ask_at_once_get_one_factory_and_working_clients(fresh_default_session: None) -> None:
    start = threading.Barrier(8)
    seen: list[Any] = []
    errors: list[BaseException] = []

    def ask() -> None:
        start.wait(timeout=30)
        try:
            clients = aws_clients(REGION)
            seen.append((clients, clients.ecs.meta.region_name, clients.table("state").name))
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=ask) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors, errors
    assert len({id(factory) for factory, _, _ in seen}) == 1
    assert {(region, table) for _, region, table in seen} == {(REGION, "state")}


def test_every_factory_shares_the_default_session_and_so_its_loaded_service_models(
    fresh_default_session: None,
) -> None:
    first, second = aws_clients(REGION), aws_clients("us-east-2")
    assert first.session is second.session is boto3.DEFAULT_SESSION
    loader = first.session._session.get_component("data_loader")
    assert second.session._session.get_component("data_loader") is loader
