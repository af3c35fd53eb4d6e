"""ReplicaCheckFunction: the promotion checklist over the primary/replica pair.

Returns the verdict (healthy | lagging | promotion_recommended | promotion_unsafe), its reasons and the
workflow's ``next_step`` (none | notify | recommend | request_approval | promote). It changes nothing in AWS;
it writes one audit record (see :mod:`autopilot.operations.replica_check`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.clients import aws_clients
from autopilot.adapters.state_table import StateTable
from autopilot.invocation import prepare
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.replica_check import check_replica
from autopilot.settings.replica import get_replica_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``ReplicaVerdict.model_dump(mode="json")``: the workflow's ``$.verdict.output``."""
    settings = get_replica_settings()
    parsed, now, dry_run = prepare(event, settings)
    clients = aws_clients(settings.aws_region)
    table = StateTable(clients.table(settings.state_table_name))
    verdict = check_replica(clients, parsed.trigger, settings, now, dry_run, table)
    metrics.add_metric(
        name="PromotionRecommended", unit=MetricUnit.Count, value=int(verdict.verdict == "promotion_recommended")
    )
    if verdict.lag_seconds is not None:
        metrics.add_metric(name="ObservedReplicaLag", unit=MetricUnit.Seconds, value=verdict.lag_seconds)
    logger.info("replica verdict", extra={"verdict": verdict.verdict, "next_step": verdict.next_step})
    return verdict.model_dump(mode="json")
