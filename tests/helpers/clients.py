"""The functions' boto3 clients, as a test reads the stack through the product's own adapters."""

from __future__ import annotations

from autopilot.adapters.clients import AwsClients, aws_clients, default_session
from autopilot.adapters.digest_store import DigestStore
from autopilot.adapters.state_table import StateTable

REGION = "us-east-2"


def clients(region: str = REGION) -> AwsClients:
    """A client factory as a handler builds one (boto3's default session: moto's, inside a mock)."""
    return aws_clients(region)


def private_clients(region: str = REGION) -> AwsClients:
    """A factory of this test's own, for a test that replaces one of its clients or hooks into one: the factory
    :func:`clients` returns is the process's, kept across tests (as a warm Lambda container keeps it)."""
    return AwsClients(default_session(), region, None)


def state_table(name: str, region: str = REGION) -> StateTable:
    return StateTable(clients(region).table(name))


def digest_store(name: str, region: str = REGION) -> DigestStore:
    return DigestStore(clients(region).table(name))
