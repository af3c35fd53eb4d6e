"""Emergency scale-out, end to end: observe, decide (pure), apply with a lease, record. Once per episode.

Before any change the alarm is read again: a late or duplicate event (the alarm is no longer in the event's state,
or has changed state since) changes nothing. After an approval, exactly the approved proposal is applied, if it
still holds when it applies.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.cloudwatch_service import describe_alarm, service_cpu
from autopilot.adapters.state_table import LeaseConflictError, StateTable
from autopilot.audit import record_decision
from autopilot.logic.freshness import foreign_reason, stale_reason
from autopilot.logic.scaling import apply_approved, decide_scale_out, stale_decision
from autopilot.logic.scaling_episode import scaling_episode_of
from autopilot.models.approval import Approval
from autopilot.models.records import MaxLease
from autopilot.models.scaling import ScaleOutInput, ScalingDecision, ScalingEpisode, ServiceObservation
from autopilot.models.task_input import ParsedInput
from autopilot.operations.capacity_writes import CapacityBusyError, capacity_lock, raise_floor, raise_max
from autopilot.operations.snapshot import observe_service
from autopilot.settings.scaling import ScalingSettings

FUNCTION = "emergency-scale"


def _measured_cpu(
    clients: AwsClients, episode: ScalingEpisode, settings: ScalingSettings, now: datetime
) -> tuple[float | None, str]:
    """The service's CPU: the alarm's own datapoints when it is the service CPU alarm, else CloudWatch's."""
    if episode.cpu is not None:
        return episode.cpu, "service CPU (the alarm's datapoints)"
    measured = service_cpu(clients.cloudwatch, settings.cluster_name, settings.service_name, now)
    return measured, "service CPU (CloudWatch AWS/ECS CPUUtilization, highest 1-min average of the last 5 min)"


def _input(
    clients: AwsClients,
    episode: ScalingEpisode,
    approval: Approval | None,
    now: datetime,
    settings: ScalingSettings,
    dry_run: bool,
    table: StateTable,
    seen: ServiceObservation,
) -> ScaleOutInput:
    cpu, source = _measured_cpu(clients, episode, settings, now)
    return ScaleOutInput(
        now=now,
        service=seen.service,
        target=seen.target,
        observed_cpu=cpu,
        cpu_source=source,
        alarm_name=episode.alarm_name,
        episode=episode.key,
        lease=seen.lease,
        actions_last_hour=table.actions_since(episode.alarm_name, now - timedelta(hours=1)),
        task_hourly_usd=seen.task_hourly_usd,
        dry_run=dry_run,
        approval=approval.approved if approval is not None else None,
    )


def _apply(
    clients: AwsClients, decision: ScalingDecision, table: StateTable, inp: ScaleOutInput, settings: ScalingSettings
) -> ScalingDecision:
    if decision.action == "raise_floor" and decision.lease is not None:
        disagreement = raise_floor(clients, table, decision.lease, inp.lease)
        if disagreement is not None:
            return decision.model_copy(update={"reason": f"{decision.reason}; {disagreement}"})
    elif decision.action == "raise_max":
        lease = MaxLease(
            resource_id=inp.target.resource_id,
            original_max=decision.from_max,
            leased_max=decision.to_max,
            raised_at=inp.now,
            expires_at=inp.now + timedelta(minutes=settings.lease_minutes),
            alarm_name=inp.alarm_name,
            episode=inp.episode,
        )
        raise_max(clients, table, lease, table.get_max_lease(inp.target.resource_id), settings.at_max_alarm_name)
    return decision


def _decide(
    parsed: ParsedInput, inp: ScaleOutInput, settings: ScalingSettings, approval: Approval | None
) -> ScalingDecision:
    proposal = parsed.raw.decision
    if approval is None:
        return decide_scale_out(inp, settings.policy)
    if proposal is None or not proposal.needs_approval:
        reason = "an approval applies only to the proposal it approved, and none came with it (decision)"
        return stale_decision(inp, reason)
    return apply_approved(proposal, inp, settings.policy, approval)


def _record(table: StateTable, inp: ScaleOutInput, decision: ScalingDecision) -> None:
    record_decision(
        table,
        function=FUNCTION,
        resource_id=inp.target.resource_id,
        at=inp.now,
        action=decision.action,
        taken=decision.taken,
        dry_run=decision.dry_run,
        reason=decision.reason,
        alarm_name=inp.alarm_name,
        episode=inp.episode,
        inputs=inp.model_dump(mode="json", exclude={"lease"}),
        cost_impact=decision.cost_impact,
        changes={"min": [decision.from_min, decision.to_min], "max": [decision.from_max, decision.to_max]},
    )


def _refusal(clients: AwsClients, parsed: ParsedInput, settings: ScalingSettings) -> str | None:
    """Why this alarm event must change nothing: not this stack's alarm, or no longer what the alarm shows."""
    alarm = parsed.trigger.alarm
    if alarm is None:
        return None
    ours = (settings.alarm_name_prefix, settings.cluster_name, settings.service_name)
    by_name = foreign_reason(alarm, None, *ours)  # before any call: the policy reads only this stack's alarms
    if by_name is not None:
        return by_name
    current = describe_alarm(clients.cloudwatch, alarm.alarm_name)
    foreign = foreign_reason(alarm, current, *ours)
    return foreign if foreign is not None else stale_reason(alarm, current)


def decide_and_apply(
    clients: AwsClients,
    parsed: ParsedInput,
    approval: Approval | None,
    now: datetime,
    settings: ScalingSettings,
    dry_run: bool,
) -> dict[str, Any]:
    table = StateTable(clients.table(settings.state_table_name))
    episode = scaling_episode_of(parsed)
    try:
        with capacity_lock(table, settings.scalable_resource_id, now):
            seen = observe_service(clients, settings, table)
            inp = _input(clients, episode, approval, now, settings, dry_run, table, seen)
            stale = _refusal(clients, parsed, settings)
            decision = stale_decision(inp, stale) if stale is not None else _decide(parsed, inp, settings, approval)
            if decision.taken:
                decision = _apply(clients, decision, table, inp, settings)
            _record(table, inp, decision)
    except (CapacityBusyError, LeaseConflictError) as exc:
        busy = ScalingDecision(
            action="none", in_progress=True, reason=str(exc), summary=f"No change: {exc}", dry_run=dry_run
        )
        return busy.model_dump(mode="json")
    return decision.model_dump(mode="json")
