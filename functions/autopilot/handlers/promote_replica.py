"""PromoteReplicaFunction: promote the read replica, then point the service at it.

Only in PROMOTION_MODE approve (with an approval in the task input) or auto; see
:mod:`autopilot.operations.promote_replica` for the checks, the lock and the steps.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.clients import aws_clients
from autopilot.adapters.state_table import StateTable
from autopilot.invocation import applies_now, prepare
from autopilot.logic.replica_promotion import STEP_PROMOTE, episode_of, polls_so_far
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.promote_replica import Request, run_promotion
from autopilot.settings.replica import get_replica_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``PromotionResult.model_dump(mode="json")``: the workflow's ``$.promotion.output``."""
    settings = get_replica_settings()
    parsed, decided_at, dry_run = prepare(event, settings)
    now = applies_now(parsed, decided_at)  # the checks are re-run over a window ending when the promotion applies
    clients = aws_clients(settings.aws_region)
    req = Request(
        parsed.trigger,
        settings,
        now,
        episode_of(parsed.trigger),
        parsed.raw.approval,
        dry_run,
        StateTable(clients.table(settings.state_table_name)),
        clients,
        polls_so_far(parsed.raw.promotion),
    )
    result = run_promotion(req)
    metrics.add_metric(name="ReplicaPromoted", unit=MetricUnit.Count, value=int(STEP_PROMOTE in result.steps_done))
    logger.info("promotion", extra={"outcome": result.outcome, "steps": result.steps_done})
    return result.model_dump(mode="json")
