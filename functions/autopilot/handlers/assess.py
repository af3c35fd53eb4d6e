"""AssessFunction: classify the trigger and snapshot the service (also the workflow's Verify step)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.clients import aws_clients
from autopilot.invocation import prepare
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.assess import assess_trigger
from autopilot.settings.scaling import get_scaling_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``Assessment.model_dump(mode="json")``: ``$.assessment.output`` (as Verify, ``$.verification.output``)."""
    settings = get_scaling_settings()
    parsed, _now, _dry_run = prepare(event, settings)
    return assess_trigger(aws_clients(settings.aws_region), parsed, settings)
