"""ReplicaCheckFunction: the promotion checklist over the primary/replica pair.

Returns the verdict (healthy | lagging | promotion_recommended | promotion_unsafe), its reasons and the
workflow's ``next_step`` (none | notify | recommend | request_approval | promote). It changes nothing in AWS;
it writes one audit record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from autopilot.adapters.rds import observe_pair
from autopilot.adapters.state_table import AUDIT_RETENTION, StateTable
from autopilot.invocation import prepare
from autopilot.logic.replica_audit import check_record
from autopilot.logic.replica_promotion import episode_of, prior_promotion, trigger_event
from autopilot.logic.replica_verdict import assess
from autopilot.models.replica import PriorPromotion, ReplicaObservation, ReplicaPolicy, ReplicaVerdict
from autopilot.models.triggers import Trigger
from autopilot.observability import logger, metrics, tracer
from autopilot.settings.replica import ReplicaSettings, get_replica_settings

FUNCTION = "ReplicaCheckFunction"


def load_prior(table: StateTable, replica_id: str, now: datetime) -> PriorPromotion | None:
    """The promotion of this replica already on record (the audit trail keeps 90 days)."""
    return prior_promotion(table.recent_records(replica_id, now - AUDIT_RETENTION))


def run_check(
    trigger: Trigger, settings: ReplicaSettings, now: datetime, table: StateTable
) -> tuple[ReplicaObservation, ReplicaVerdict]:
    """Observe the pair once and judge it (shared with the promotion function, which re-runs it)."""
    obs = observe_pair(
        settings.primary_db_instance_id,
        settings.replica_db_instance_id,
        now,
        timedelta(minutes=settings.unavailable_window_minutes),
        trigger_event(trigger),
    )
    prior = None
    try:
        prior = load_prior(table, settings.replica_db_instance_id, now)
    except (ClientError, BotoCoreError) as exc:
        obs.errors.append(f"cannot read the audit trail: {exc}")
    return obs, assess(obs, ReplicaPolicy.from_settings(settings), prior, episode_of(trigger))


def with_dry_run(verdict: ReplicaVerdict, dry_run: bool) -> ReplicaVerdict:
    """In a dry run nothing is promoted, so nothing is asked either: the next step is a recommendation."""
    if not dry_run:
        return verdict
    if verdict.next_step not in ("promote", "request_approval"):
        return verdict.model_copy(update={"dry_run": True})
    why = "dry run: nothing is promoted, so no approval is requested; this is a recommendation"
    return verdict.model_copy(update={"dry_run": True, "next_step": "recommend", "reasons": [*verdict.reasons, why]})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_replica_settings()
    parsed, now, dry_run = prepare(event, settings)
    table = StateTable()
    _obs, checked = run_check(parsed.trigger, settings, now, table)
    verdict = with_dry_run(checked, dry_run)
    table.record(check_record(verdict, now, FUNCTION))
    metrics.add_metric(
        name="PromotionRecommended", unit=MetricUnit.Count, value=int(verdict.verdict == "promotion_recommended")
    )
    if verdict.lag_seconds is not None:
        metrics.add_metric(name="ObservedReplicaLag", unit=MetricUnit.Seconds, value=verdict.lag_seconds)
    logger.info("replica verdict", extra={"verdict": verdict.verdict, "next_step": verdict.next_step})
    return verdict.model_dump(mode="json")
