"""Who is asking and when: from the API Gateway event Mangum hands over (``scope["aws.event"]``).

REST APIs put the IAM caller in ``requestContext.identity.userArn`` and the time in ``requestTimeEpoch``;
HTTP APIs (payload 2.0) in ``requestContext.authorizer.iam.userArn`` and ``timeEpoch`` (milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException, Request

from autopilot.adapters.clients import AwsClients, aws_clients
from autopilot.models.ops import Caller
from autopilot.settings.ops import OpsSettings, get_ops_settings


@dataclass(frozen=True)
class OpsContext:
    caller: Caller
    now: datetime
    settings: OpsSettings
    clients: AwsClients  # this request's (one invocation's) boto3 clients
    lambda_context: Any = None  # Lambda's context (Mangum's ``aws.context``): idempotency reads the time left


def caller_arn(event: dict[str, Any]) -> str | None:
    context = event.get("requestContext") or {}
    rest = (context.get("identity") or {}).get("userArn")
    http = ((context.get("authorizer") or {}).get("iam") or {}).get("userArn")
    found = rest or http
    return str(found) if found else None


def request_time(event: dict[str, Any]) -> datetime | None:
    context = event.get("requestContext") or {}
    epoch_ms = context.get("requestTimeEpoch") or context.get("timeEpoch")
    return datetime.fromtimestamp(int(epoch_ms) / 1000, tz=UTC) if epoch_ms else None


def ops_context(request: Request) -> OpsContext:
    """The dependency every route takes. No IAM caller means the request did not come through IAM auth."""
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    arn = caller_arn(event)
    if arn is None:
        raise HTTPException(
            status_code=403,
            detail="no IAM caller in the request context: call the API through API Gateway with SigV4 (AWS_IAM)",
        )
    now = request_time(event)
    if now is None:
        raise HTTPException(status_code=400, detail="no request time in the request context (requestTimeEpoch)")
    settings = get_ops_settings()
    return OpsContext(
        caller=Caller(arn=arn),
        now=now,
        settings=settings,
        clients=aws_clients(settings.aws_region),
        lambda_context=request.scope.get("aws.context"),
    )
