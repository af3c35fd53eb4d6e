"""boto3 clients with the retry policy every adapter shares (standard mode: throttling and 5xx, backoff
with jitter). ``AWS_ENDPOINT_URL`` points them at the embedded AWS when it is set.

Clients are created once per (service, region, endpoint) and reused across invocations of a warm Lambda.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

from autopilot.settings.common import get_common_settings

RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20)


@lru_cache(maxsize=32)
def _cached_client(service: str, region: str, endpoint: str | None) -> Any:
    return boto3.client(service, region_name=region, config=RETRY_CONFIG)  # type: ignore[call-overload]


@lru_cache(maxsize=4)
def _cached_resource(service: str, region: str, endpoint: str | None) -> Any:
    return boto3.resource(service, region_name=region, config=RETRY_CONFIG)  # type: ignore[call-overload]


def client(service: str, region: str | None = None) -> Any:
    """A client for ``service`` in the stack's region (or ``region``), with the shared retry policy."""
    return _cached_client(service, region or get_common_settings().aws_region, os.environ.get("AWS_ENDPOINT_URL"))


def resource(service: str, region: str | None = None) -> Any:
    return _cached_resource(service, region or get_common_settings().aws_region, os.environ.get("AWS_ENDPOINT_URL"))


def reset_clients() -> None:
    """Forget cached clients (when credentials or the endpoint change: tests, the CLI)."""
    _cached_client.cache_clear()
    _cached_resource.cache_clear()
