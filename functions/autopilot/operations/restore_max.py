"""The sweeper's part for a raised MaxCapacity: back to the original when its own alarm has been OK for the
cooldown or its lease expired, with the at-max alarm moved along. Observe, decide, apply, record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autopilot.adapters.autoscaling import describe_target, set_capacity
from autopilot.adapters.clients import AwsClients
from autopilot.adapters.cloudwatch_service import describe_alarm, set_alarm_threshold
from autopilot.adapters.state_table import StateTable
from autopilot.audit import record_decision
from autopilot.logic.restore_max import decide_max_restore
from autopilot.models.records import MaxLease
from autopilot.models.scaling import MaxRestoreDecision
from autopilot.operations.capacity_writes import CapacityBusyError, capacity_lock
from autopilot.settings.scaling import ScalingSettings


def _ok_since(clients: AwsClients, lease: MaxLease) -> datetime | None:
    current = None if lease.alarm_name.startswith("manual:") else describe_alarm(clients.cloudwatch, lease.alarm_name)
    return current.transitioned_at if current is not None and current.state == "OK" else None


def _apply(
    clients: AwsClients, decision: MaxRestoreDecision, lease: MaxLease, table: StateTable, at_max_alarm: str
) -> None:
    if decision.action == "restore_max":
        set_capacity(clients.autoscaling, lease.resource_id, max_capacity=decision.to_max)
        if at_max_alarm:
            set_alarm_threshold(clients.cloudwatch, at_max_alarm, float(decision.to_max))
    if decision.action in ("restore_max", "drop_lease"):
        table.delete_max_lease(lease.resource_id)


def sweep_max_one(
    clients: AwsClients, lease: MaxLease, now: datetime, settings: ScalingSettings, dry_run: bool, table: StateTable
) -> MaxRestoreDecision | None:
    """One raised maximum under its target's lock; None when another action holds the lock."""
    try:
        with capacity_lock(table, lease.resource_id, now):
            target = describe_target(clients.autoscaling, lease.resource_id)
            ok_since = _ok_since(clients, lease)
            decision = decide_max_restore(lease, target, now, ok_since, settings.scale_in_cooldown_seconds, dry_run)
            if decision.taken:
                _apply(clients, decision, lease, table, settings.at_max_alarm_name)
            record_decision(
                table,
                function="sweeper",
                resource_id=lease.resource_id,
                at=now,
                action=decision.action,
                taken=decision.taken,
                dry_run=dry_run,
                reason=decision.reason,
                alarm_name=lease.alarm_name,
                inputs={"lease": lease.model_dump(mode="json"), "target": target.model_dump(mode="json")},
                changes={"max": [decision.from_max, decision.to_max]},
            )
            return decision
    except CapacityBusyError:
        return None


def sweep_max(
    clients: AwsClients, now: datetime, settings: ScalingSettings, dry_run: bool, table: StateTable
) -> list[dict[str, Any]]:
    results = []
    for lease in table.list_max_leases():
        decision = sweep_max_one(clients, lease, now, settings, dry_run, table)
        if decision is not None:
            results.append({"resource_id": lease.resource_id, **decision.model_dump(mode="json")})
    return results
