"""Bringing a leased floor back down: after the alarm has been OK for the cooldown, or at the lease's expiry.

Never below the baseline, and never over a floor someone else changed since the lease was taken.
"""

from __future__ import annotations

import math
from datetime import timedelta

from autopilot.logic.task_price import tasks_cost_impact
from autopilot.models.scaling import RestoreDecision, RestoreInput


def _none(inp: RestoreInput, reason: str) -> RestoreDecision:
    return RestoreDecision(
        action="none",
        reason=reason,
        summary=f"No change: {reason}",
        from_min=inp.target.min,
        to_min=inp.target.min,
        dry_run=inp.dry_run,
    )


def _not_own_alarm(inp: RestoreInput) -> str | None:
    """Only the alarm that raised the floor may bring it down (the expiry path ignores alarms)."""
    lease = inp.lease
    if inp.by_expiry or lease is None or inp.recovered_alarm is None or inp.recovered_alarm == lease.alarm_name:
        return None
    return (
        f"the floor was raised by {lease.alarm_name}; the recovery of {inp.recovered_alarm} does not restore it "
        "(it comes down when its own alarm has been OK for the cooldown, or when the lease expires)"
    )


def _not_yet(inp: RestoreInput) -> RestoreDecision | None:
    """Why the alarm does not yet allow a restore (the expiry path ignores the alarm), with when to look again."""
    if inp.by_expiry:
        return None
    if inp.alarm_state != "OK" or inp.ok_since is None:
        return _none(
            inp, f"the alarm is {inp.alarm_state or 'unknown'}, not OK; the floor stays until it recovers or expires"
        )
    ok_for = (inp.now - inp.ok_since).total_seconds()
    if ok_for >= inp.cooldown_seconds:
        return None
    due = inp.ok_since + timedelta(seconds=inp.cooldown_seconds)
    later = "the sweeper restores it then" if inp.final_check else "it is checked again then"
    decision = _none(
        inp,
        f"the alarm has been OK since {inp.ok_since.isoformat()} ({ok_for:.0f} s), less than the scale-in cooldown "
        f"{inp.cooldown_seconds} s; the cooldown is over at {due.isoformat()} and {later}",
    )
    if not inp.final_check:
        decision.recheck_at = due
        decision.recheck_in_seconds = math.ceil(inp.cooldown_seconds - ok_for)
    return decision


def decide_restore(inp: RestoreInput) -> RestoreDecision:
    lease = inp.lease
    if lease is None:
        return _none(inp, f"no floor lease is active on {inp.target.resource_id}")
    foreign = _not_own_alarm(inp)
    if foreign is not None:
        return _none(inp, foreign)
    if inp.target.min != lease.leased_min:
        reason = (
            f"MinCapacity is {inp.target.min}, not the {lease.leased_min} we leased: someone changed it since "
            f"{lease.raised_at.isoformat()}; left as it is and the lease dropped — check who changed it"
        )
        return RestoreDecision(
            action="drop_lease",
            taken=not inp.dry_run,
            dry_run=inp.dry_run,
            reason=reason,
            summary=f"Lease dropped without restoring: {reason}",
            from_min=inp.target.min,
            to_min=inp.target.min,
        )
    waiting = _not_yet(inp)
    if waiting is not None:
        return waiting
    to_min = max(lease.original_min, inp.baseline_min)
    if to_min >= inp.target.min:
        why = "the lease expired" if inp.by_expiry else "the alarm recovered"
        return RestoreDecision(
            action="drop_lease",
            taken=not inp.dry_run,
            dry_run=inp.dry_run,
            reason=f"{why}; the floor {inp.target.min} is not above the original {to_min}",
            summary="Lease closed; nothing to lower",
            from_min=inp.target.min,
            to_min=inp.target.min,
        )
    why = (
        f"the lease expired at {lease.expires_at.isoformat()}"
        if inp.by_expiry
        else f"its alarm {lease.alarm_name} has been OK for at least the {inp.cooldown_seconds} s cooldown"
    )
    impact = tasks_cost_impact(to_min - inp.target.min, inp.task_hourly_usd)
    verb = "Would restore" if inp.dry_run else "Restored"
    return RestoreDecision(
        action="restore_floor",
        taken=not inp.dry_run,
        dry_run=inp.dry_run,
        reason=f"{why}; original floor {lease.original_min}, baseline {inp.baseline_min}",
        summary=f"{verb} the floor of {inp.target.resource_id} from {inp.target.min} to {to_min} ({impact.summary})",
        from_min=inp.target.min,
        to_min=to_min,
        cost_impact=impact,
    )
