"""EmergencyScaleFunction: lease a higher floor (or propose a higher maximum), once per alarm episode."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.handlers._inputs import prepare
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.scale_out_once import run_once
from autopilot.settings.scaling import get_scaling_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_scaling_settings()
    parsed, now, dry_run = prepare(event, settings)
    applies_at = parsed.raw.entered_at
    if parsed.raw.approval is not None and applies_at is not None and applies_at > now:
        now = applies_at  # an approved proposal is re-validated at the moment it applies
    return run_once(parsed, now, settings, dry_run, context)
