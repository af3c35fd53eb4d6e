"""SweeperFunction (every 5 minutes): restore every floor lease past its expiry or whose own alarm has been OK for
the scale-in cooldown, so nothing stays raised (even when the workflow's OK event was lost)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.clients import aws_clients
from autopilot.errors import InvalidEventError
from autopilot.invocation import prepare
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.restore import sweep
from autopilot.settings.scaling import get_scaling_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_scaling_settings()
    parsed, now, dry_run = prepare(event, settings)
    if parsed.trigger.kind != "schedule":
        raise InvalidEventError(
            f"SweeperFunction runs on its EventBridge schedule; got a {parsed.trigger.kind} event. Nothing was changed."
        )
    return sweep(aws_clients(settings.aws_region), now, settings, dry_run)
