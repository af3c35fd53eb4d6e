"""Restore a leased floor: after recovery (RestoreCapacity) or from the schedule (Sweeper). Observe, decide,
apply, record.

The OK time is always the alarm's own latest transition as CloudWatch reports it now, never an event's: a flap
(OK → ALARM → OK) restarts the cooldown, and a late OK event cannot restore a floor whose alarm is in ALARM again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from autopilot.adapters.autoscaling import describe_target, set_capacity
from autopilot.adapters.clients import AwsClients
from autopilot.adapters.cloudwatch_service import describe_alarm
from autopilot.adapters.state_table import StateTable
from autopilot.audit import record_decision
from autopilot.logic.restore import decide_restore
from autopilot.models.records import Lease
from autopilot.models.scaling import RestoreDecision, RestoreInput
from autopilot.models.task_input import ParsedInput
from autopilot.operations.capacity_writes import CapacityBusyError, capacity_lock
from autopilot.operations.restore_max import sweep_max
from autopilot.operations.snapshot import observe_service, service_task_hourly
from autopilot.settings.scaling import ScalingSettings

MANUAL_PREFIX = "manual:"


def lease_alarm(clients: AwsClients, lease: Lease | None) -> tuple[str | None, datetime | None]:
    """(state, OK since) of the alarm that raised the lease, read now; (None, None) for manual leases."""
    if lease is None or lease.alarm_name.startswith(MANUAL_PREFIX):
        return None, None
    current = describe_alarm(clients.cloudwatch, lease.alarm_name)
    if current is None:
        return None, None
    return current.state, current.transitioned_at if current.state == "OK" else None


def _request(
    clients: AwsClients, parsed: ParsedInput, lease: Lease | None
) -> tuple[str | None, str | None, datetime | None]:
    """(alarm that recovered, its state now, OK since). A manual recovered request counts as OK since its time."""
    manual = parsed.trigger.manual
    if manual is not None and manual.kind == "recovered":
        return None, "OK", manual.time
    alarm = parsed.trigger.alarm
    recovered = alarm.alarm_name if alarm is not None else None
    state, since = lease_alarm(clients, lease)
    return recovered, state, since


def apply_restore(clients: AwsClients, decision: RestoreDecision, table: StateTable, lease: Lease) -> None:
    """Lower the floor first, then close the lease (a failed lowering leaves the lease for the sweeper).
    The lease is removed only if it is still the one decided over (a concurrent raise may have replaced it)."""
    if decision.action == "restore_floor":
        set_capacity(clients.autoscaling, lease.resource_id, min_capacity=decision.to_min)
    if decision.action in ("restore_floor", "drop_lease"):
        table.delete_lease(lease.resource_id, expected_version=lease.version)


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
    clients: AwsClients,
    parsed: ParsedInput,
    now: datetime,
    settings: ScalingSettings,
    dry_run: bool,
    final_check: bool = False,
) -> dict[str, Any]:
    table = StateTable(clients.table(settings.state_table_name))
    try:
        with capacity_lock(table, settings.scalable_resource_id, now):
            return _restore_locked(clients, parsed, now, settings, dry_run, final_check, table)
    except CapacityBusyError as exc:
        busy = RestoreDecision(
            action="none", in_progress=True, reason=str(exc), dry_run=dry_run, summary=f"No change: {exc}"
        )
        return busy.model_dump(mode="json")


def _restore_locked(
    clients: AwsClients,
    parsed: ParsedInput,
    now: datetime,
    settings: ScalingSettings,
    dry_run: bool,
    final_check: bool,
    table: StateTable,
) -> dict[str, Any]:
    seen = observe_service(clients, settings, table)
    recovered, state, since = _request(clients, parsed, seen.lease)
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
        recovered_alarm=recovered,
        final_check=final_check,
    )
    decision = decide_restore(inp)
    if decision.taken and seen.lease is not None:
        apply_restore(clients, decision, table, seen.lease)
    _record(table, "restore-capacity", inp, decision, recovered or (seen.lease.alarm_name if seen.lease else None))
    return decision.model_dump(mode="json")


def sweep(clients: AwsClients, now: datetime, settings: ScalingSettings, dry_run: bool) -> dict[str, Any]:
    """Restore every lease past its expiry, and every lease whose own alarm has been OK for the cooldown."""
    table = StateTable(clients.table(settings.state_table_name))
    run = SweepRun(clients, now, settings, dry_run, service_task_hourly(clients, settings), table)
    restored: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for lease in table.list_leases():
        decision = _sweep_locked(run, lease)
        if decision is None:
            skipped.append({"resource_id": lease.resource_id, "reason": "another action on it is in progress"})
            continue
        (restored if decision.taken else skipped).append(
            {"resource_id": lease.resource_id, **decision.model_dump(mode="json")}
        )
    maxima = sweep_max(clients, now, settings, dry_run, table)
    lowered = sum(1 for m in maxima if m["action"] == "restore_max" and m["taken"])
    summary = f"{len(restored)} lease(s) restored, {len(skipped)} left; {lowered} raised maximum(s) lowered"
    return {"restored": restored, "skipped": skipped, "maxima": maxima, "summary": summary, "dry_run": dry_run}


@dataclass(frozen=True)
class SweepRun:
    """What every lease of one sweep is decided with."""

    clients: AwsClients
    now: datetime
    settings: ScalingSettings
    dry_run: bool
    task_hourly_usd: float
    table: StateTable


def _sweep_one(run: SweepRun, lease: Lease) -> RestoreDecision:
    expired = lease.expired(run.now)
    state, since = (None, None) if expired else lease_alarm(run.clients, lease)
    inp = RestoreInput(
        now=run.now,
        target=describe_target(run.clients.autoscaling, lease.resource_id),
        lease=lease,
        alarm_state=state,  # type: ignore[arg-type]
        ok_since=since,
        baseline_min=run.settings.baseline_min_capacity,
        cooldown_seconds=run.settings.scale_in_cooldown_seconds,
        task_hourly_usd=run.task_hourly_usd,
        dry_run=run.dry_run,
        by_expiry=expired,
        recovered_alarm=lease.alarm_name,
        final_check=True,
    )
    decision = decide_restore(inp)
    if decision.taken:
        apply_restore(run.clients, decision, run.table, lease)
    _record(run.table, "sweeper", inp, decision, lease.alarm_name)
    return decision


def _sweep_locked(run: SweepRun, lease: Lease) -> RestoreDecision | None:
    """One lease under its target's lock, read again inside it; None when another action holds the lock."""
    try:
        with capacity_lock(run.table, lease.resource_id, run.now):
            current = run.table.get_lease(lease.resource_id)
            if current is None:
                return None
            return _sweep_one(run, current)
    except CapacityBusyError:
        return None
