"""EmergencyScaleFunction: lease a higher floor (or propose a higher maximum), once per alarm episode."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.clients import aws_clients
from autopilot.invocation import applies_now, prepare
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.scale_out_once import run_once
from autopilot.settings.scaling import get_scaling_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``ScalingDecision.model_dump(mode="json")``: the workflow's ``$.decision.output``."""
    settings = get_scaling_settings()
    parsed, now, dry_run = prepare(event, settings)
    return run_once(aws_clients(settings.aws_region), parsed, applies_now(parsed, now), settings, dry_run, context)
