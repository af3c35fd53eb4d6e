"""boto3 clients with the retry policy every adapter shares (standard mode: throttling and 5xx, backoff
with jitter). ``AWS_ENDPOINT_URL`` points them at the embedded AWS when it is set."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from autopilot.settings.common import get_common_settings

RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=20)


def client(service: str, region: str | None = None) -> Any:
    """A client for ``service`` in the stack's region (or ``region``), with the shared retry policy."""
    return boto3.client(  # type: ignore[call-overload]
        service, region_name=region or get_common_settings().aws_region, config=RETRY_CONFIG
    )
