"""One Lambda client per region for the embedded Step Functions' Task states, instead of one per Task.

moto's interpreter asks ``boto_client_for`` for a new boto3 client on every ``lambda:invoke`` Task (it has no cache),
and making a client costs milliseconds of CPU: in the remediation workflow that is several per execution, a visible
share of a simulated incident or a workflow test. Its clients differ only by region, service and where they send
(moto's in-process interception, the embedded server's port when moto is not intercepting, or ``AWS_ENDPOINT_URL``),
and a botocore client is thread-safe, so one client per such key serves every execution.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from botocore.client import BaseClient
from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

_make = boto_client_for


@functools.lru_cache(maxsize=64)
def _client(region: str, service: str, intercepted: bool, port: str, endpoint: str | None) -> BaseClient:
    return _make(region, service)


def shared_client_for(region: str, service: str, state_credentials: Any = None) -> BaseClient:
    """``boto_client_for``'s client for the region and service (it ignores ``state_credentials``), made once for
    each place it would send to: moto's interception, the server's port, ``AWS_ENDPOINT_URL``."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    return _client(region, service, botocore_stubber.enabled, moto_server_port(), endpoint)


def share_task_clients() -> None:
    """Install the shared clients in the interpreter's Lambda Tasks (idempotent; for the whole process)."""
    lambda_eval_utils.boto_client_for = shared_client_for  # type: ignore[attr-defined]


def shares_task_clients() -> bool:
    return vars(lambda_eval_utils)["boto_client_for"] is shared_client_for
