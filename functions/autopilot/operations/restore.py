"""Restore a leased floor: after recovery (RestoreCapacity) or at expiry (Sweeper). Observe, decide, apply, record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autopilot.adapters.autoscaling import describe_target, set_capacity
from autopilot.adapters.cloudwatch_service import alarm_state
from autopilot.adapters.state_table import StateTable
from autopilot.audit import record_decision
from autopilot.logic.restore import decide_restore
from autopilot.models.records import Lease
from autopilot.models.scaling import RestoreDecision, RestoreInput
from autopilot.models.task_input import ParsedInput
from autopilot.operations.snapshot import observe_service
from autopilot.settings.scaling import ScalingSettings


def _alarm_status(parsed: ParsedInput) -> tuple[str | None, str | None, datetime | None]:
    """(alarm name, state, OK since). The OK time is the trigger's transition (event time, never the wall
    clock); CloudWatch is asked only whether the alarm is still in that state."""
    alarm = parsed.trigger.alarm
    if alarm is not None:
        current = alarm_state(alarm.alarm_name)
        state = current if current is not None else alarm.state
        still_same = current is None or current == alarm.state
        return alarm.alarm_name, state, alarm.changed_at if still_same else None
    manual = parsed.trigger.manual
    if manual is not None and manual.kind == "recovered":
        return None, "OK", manual.time
    return None, None, None


def apply_restore(decision: RestoreDecision, table: StateTable, resource_id: str) -> None:
    """Lower the floor first, then close the lease (a failed lowering leaves the lease for the sweeper)."""
    if decision.action == "restore_floor":
        set_capacity(resource_id, min_capacity=decision.to_min)
    if decision.action in ("restore_floor", "drop_lease"):
        table.delete_lease(resource_id)


def _record(table: StateTable, function: str, inp: RestoreInput, decision: RestoreDecision, alarm: str | None) -> None:
    record_decision(
        table,
        function=function,
        resource_id=inp.target.resource_id,
        at=inp.now,
        action=decision.action,
        taken=decision.taken,
        dry_run=decision.dry_run,
        reason=decision.reason,
        alarm_name=alarm,
        inputs=inp.model_dump(mode="json"),
        cost_impact=decision.cost_impact,
        changes={"min": [decision.from_min, decision.to_min]},
    )


def restore_after_recovery(
    parsed: ParsedInput, now: datetime, settings: ScalingSettings, dry_run: bool
) -> dict[str, Any]:
    table = StateTable(settings.state_table_name)
    seen = observe_service(settings, table)
    alarm_name, state, since = _alarm_status(parsed)
    inp = RestoreInput(
        now=now,
        target=seen.target,
        lease=seen.lease,
        alarm_state=state,  # type: ignore[arg-type]
        ok_since=since if state == "OK" else None,
        baseline_min=settings.baseline_min_capacity,
        cooldown_seconds=settings.scale_in_cooldown_seconds,
        task_hourly_usd=seen.task_hourly_usd,
        dry_run=dry_run,
    )
    decision = decide_restore(inp)
    if decision.taken:
        apply_restore(decision, table, seen.target.resource_id)
    _record(table, "restore-capacity", inp, decision, alarm_name)
    return decision.model_dump(mode="json")


def sweep_expired(now: datetime, settings: ScalingSettings, dry_run: bool, task_hourly_usd: float) -> dict[str, Any]:
    """Restore every lease past its expiry; leases not yet expired are left alone."""
    table = StateTable(settings.state_table_name)
    restored: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for lease in table.list_leases():
        if not lease.expired(now):
            skipped.append({"resource_id": lease.resource_id, "reason": f"expires at {lease.expires_at.isoformat()}"})
            continue
        decision = _sweep_one(lease, now, settings, dry_run, task_hourly_usd, table)
        (restored if decision.taken else skipped).append(
            {"resource_id": lease.resource_id, **decision.model_dump(mode="json")}
        )
    summary = f"{len(restored)} expired lease(s) restored, {len(skipped)} left"
    return {"restored": restored, "skipped": skipped, "summary": summary, "dry_run": dry_run}


def _sweep_one(
    lease: Lease, now: datetime, settings: ScalingSettings, dry_run: bool, hourly: float, table: StateTable
) -> RestoreDecision:
    inp = RestoreInput(
        now=now,
        target=describe_target(lease.resource_id),
        lease=lease,
        alarm_state=None,
        ok_since=None,
        baseline_min=settings.baseline_min_capacity,
        cooldown_seconds=settings.scale_in_cooldown_seconds,
        task_hourly_usd=hourly,
        dry_run=dry_run,
        by_expiry=True,
    )
    decision = decide_restore(inp)
    if decision.taken:
        apply_restore(decision, table, lease.resource_id)
    _record(table, "sweeper", inp, decision, lease.alarm_name)
    return decision
