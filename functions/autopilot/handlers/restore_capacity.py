"""RestoreCapacityFunction: bring a leased floor back once its own alarm has been OK for the scale-in cooldown."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.clients import aws_clients
from autopilot.clock import resolve_now
from autopilot.invocation import prepare
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.restore import restore_after_recovery
from autopilot.settings.scaling import get_scaling_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``RestoreDecision.model_dump(mode="json")``: the workflow's ``$.restore.output``."""
    settings = get_scaling_settings()
    parsed, now, dry_run = prepare(event, settings)
    clients = aws_clients(settings.aws_region)
    earlier = parsed.raw.restore
    if earlier is not None and earlier.recheck_at is not None:
        # The look after the cooldown (the workflow waited until then): decide at that time, and it is the last one
        return restore_after_recovery(
            clients, parsed, resolve_now(earlier.recheck_at), settings, dry_run, final_check=True
        )
    return restore_after_recovery(clients, parsed, now, settings, dry_run)
