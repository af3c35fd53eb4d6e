"""Bringing a raised MaxCapacity back down, like a floor: when its own alarm has been OK for the scale-in cooldown,
or when its lease expires. Never below the current floor, and never over a maximum someone else changed."""

from __future__ import annotations

from datetime import datetime

from autopilot.models.records import MaxLease
from autopilot.models.scaling import MaxRestoreDecision, TargetSnapshot


def decide_max_restore(
    lease: MaxLease,
    target: TargetSnapshot,
    now: datetime,
    ok_since: datetime | None,
    cooldown_seconds: int,
    dry_run: bool,
) -> MaxRestoreDecision:
    keep = {"from_max": target.max, "to_max": target.max, "dry_run": dry_run}
    if target.max != lease.leased_max:
        reason = f"MaxCapacity is {target.max}, not the {lease.leased_max} we raised it to: someone changed it"
        return MaxRestoreDecision(action="drop_lease", taken=not dry_run, reason=reason, **keep)
    recovered = ok_since is not None and (now - ok_since).total_seconds() >= cooldown_seconds
    if not (lease.expired(now) or recovered):
        reason = (
            f"MaxCapacity stays {target.max} until {lease.alarm_name} has been OK for {cooldown_seconds} s "
            f"or the lease expires at {lease.expires_at.isoformat()}"
        )
        return MaxRestoreDecision(action="none", reason=reason, **keep)
    to_max = max(lease.original_max, target.min)
    why = "the lease expired" if lease.expired(now) else f"{lease.alarm_name} has been OK for the cooldown"
    floor_note = f" (not below the current floor {target.min})" if to_max > lease.original_max else ""
    return MaxRestoreDecision(
        action="restore_max",
        taken=not dry_run,
        dry_run=dry_run,
        reason=f"{why}: MaxCapacity back from {target.max} to {to_max}{floor_note}",
        from_max=target.max,
        to_max=to_max,
    )
