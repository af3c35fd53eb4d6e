"""OpsApiFunction: the ops API behind API Gateway (Mangum), and the workflow's approval requests
(``lambda:invoke.waitForTaskToken``: recorded with their token, notified without it)."""

from __future__ import annotations

import asyncio
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from autopilot.adapters.clients import aws_clients
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.ops_approvals import record_workflow_request
from autopilot.ops_api.app import create_app
from autopilot.settings.ops import get_ops_settings

asgi = Mangum(create_app(), lifespan="off")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "approval_request" in event:
        settings = get_ops_settings()
        return record_workflow_request(aws_clients(settings.aws_region), event["approval_request"], settings)
    _ensure_event_loop()
    response: dict[str, Any] = asgi(event, context)  # type: ignore[arg-type]  # Mangum's own context protocol
    return response


def _ensure_event_loop() -> None:
    """Mangum runs the app on the thread's current event loop. Lambda's main thread has one; a host that closed
    or unset it (an embedding process, a test runner) gets a new one instead of an error."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        asyncio.set_event_loop(asyncio.new_event_loop())
