"""Emergency scale-out, end to end: observe, decide (pure), apply with a lease, record. Once per episode."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from autopilot.adapters.autoscaling import set_capacity
from autopilot.adapters.aws import client
from autopilot.adapters.cloudwatch_service import service_cpu
from autopilot.adapters.state_table import StateTable
from autopilot.audit import record_decision
from autopilot.errors import InvalidEventError
from autopilot.logic.scaling import decide_scale_out
from autopilot.models.approval import Approval, parse_approval
from autopilot.models.scaling import ScaleOutInput, ScalingDecision
from autopilot.models.task_input import ParsedInput
from autopilot.operations.snapshot import observe_service
from autopilot.settings.scaling import ScalingSettings

FUNCTION = "emergency-scale"
EPISODE_RETENTION = timedelta(hours=24)


def episode_of(parsed: ParsedInput) -> tuple[str, str, float | None]:
    """(alarm name, episode key, observed value) of a scale-out trigger."""
    trigger = parsed.trigger
    if trigger.alarm is not None:
        return trigger.alarm.alarm_name, trigger.alarm.episode_key, trigger.alarm.observed_value
    if trigger.manual is not None and trigger.manual.kind == "scale-out":
        manual = trigger.manual
        return (
            f"manual:{manual.requested_by}",
            f"manual|{manual.requested_by}|{manual.time.isoformat()}",
            manual.cpu_percent,
        )
    raise InvalidEventError(
        f"EmergencyScaleFunction needs a CloudWatch alarm event or a manual scale-out request, got a {trigger.kind} "
        "event. Nothing was changed."
    )


def _apply(decision: ScalingDecision, table: StateTable, resource_id: str) -> None:
    """Lease first (so a floor is never raised without a record), then the capacity; undo the lease on failure."""
    if decision.action == "raise_floor" and decision.lease is not None:
        table.put_lease(decision.lease)
        try:
            set_capacity(resource_id, min_capacity=decision.to_min)
        except Exception:
            table.delete_lease(resource_id)
            raise
    elif decision.action == "raise_max":
        set_capacity(resource_id, max_capacity=decision.to_max)


def decide_and_apply(
    episode_info: tuple[str, str, float | None],
    approval: Approval | None,
    now: datetime,
    settings: ScalingSettings,
    dry_run: bool,
) -> dict[str, Any]:
    table = StateTable(settings.state_table_name)
    alarm_name, episode, observed = episode_info
    seen = observe_service(settings, table)
    cpu = observed if observed is not None else service_cpu(settings.cluster_name, settings.service_name, now)
    inp = ScaleOutInput(
        now=now,
        service=seen.service,
        target=seen.target,
        observed_cpu=cpu,
        alarm_name=alarm_name,
        episode=episode,
        lease=seen.lease,
        actions_last_hour=table.actions_since(alarm_name, now - timedelta(hours=1)),
        task_hourly_usd=seen.task_hourly_usd,
        dry_run=dry_run,
        approval=approval.approved if approval is not None else None,
    )
    decision = decide_scale_out(inp, settings)
    if decision.taken:
        _apply(decision, table, seen.target.resource_id)
    record_decision(
        table,
        function=FUNCTION,
        resource_id=seen.target.resource_id,
        at=now,
        action=decision.action,
        taken=decision.taken,
        dry_run=decision.dry_run,
        reason=decision.reason,
        alarm_name=alarm_name,
        episode=episode,
        inputs=inp.model_dump(mode="json", exclude={"lease"}),
        cost_impact=decision.cost_impact,
        changes={"min": [decision.from_min, decision.to_min], "max": [decision.from_max, decision.to_max]},
    )
    return decision.model_dump(mode="json")


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    if isinstance(response, dict):
        return {
            **response,
            "replayed": True,
            "taken": False,
            "summary": f"Already handled this alarm episode; no new change. Earlier: {response.get('summary')}",
        }
    return response


def run_once(
    parsed: ParsedInput, now: datetime, settings: ScalingSettings, dry_run: bool, context: Any = None
) -> dict[str, Any]:
    """Powertools idempotency keyed on the alarm episode (and the approval answer, when there is one)."""
    episode_info = episode_of(parsed)
    approval = parse_approval(parsed.raw.approval)
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.state_table_name,
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr="ttl",
        static_pk_value=f"IDEMPOTENCY#{FUNCTION}",
        boto3_client=client("dynamodb"),
    )
    config = IdempotencyConfig(
        expires_after_seconds=int(EPISODE_RETENTION.total_seconds()), response_hook=_mark_replayed
    )
    if context is not None:
        config.register_lambda_context(context)

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="key", persistence_store=persistence, config=config
    )
    def once(key: dict[str, Any]) -> dict[str, Any]:
        return decide_and_apply(episode_info, approval, now, settings, dry_run)

    answer = approval.approved if approval is not None else None
    result: dict[str, Any] = once(key={"episode": episode_info[1], "approval": answer, "dry_run": dry_run})
    return result
