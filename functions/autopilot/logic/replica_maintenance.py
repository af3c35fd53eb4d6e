"""Rule 7, pending maintenance: no promotion while RDS may be applying a maintenance action to the primary.

A primary that is down because RDS is patching it comes back by itself; promoting the replica then splits the
writers for nothing and loses the primary's newest writes. An action counts as under way when one of its dates
(forced apply, auto-apply, current apply) has passed, when it was opted in to apply immediately, or when it is
set for the next maintenance window and that window is open now.
"""

from __future__ import annotations

from datetime import UTC, datetime

from autopilot.models.replica import InstanceSnapshot, PendingMaintenance, ReplicaObservation, RuleResult

RULE = "primary.no_pending_maintenance"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


def _minute_of_week(text: str) -> int:
    """``wed:06:38`` -> minutes since Monday 00:00 UTC."""
    day, hour, minute = text.strip().lower().split(":")
    return DAYS.index(day) * MINUTES_PER_DAY + int(hour) * 60 + int(minute)


def window_open(window: str | None, now: datetime) -> bool:
    """Whether ``now`` is inside a PreferredMaintenanceWindow (``ddd:hh:mm-ddd:hh:mm``, UTC, may wrap the week);
    an unreadable window counts as closed."""
    if not window or "-" not in window:
        return False
    try:
        start, end = (_minute_of_week(part) for part in window.split("-", 1))
    except ValueError:
        return False
    at = now.astimezone(UTC)
    minute = at.weekday() * MINUTES_PER_DAY + at.hour * 60 + at.minute
    return start <= minute < end if start <= end else minute >= start or minute < end


def under_way(action: PendingMaintenance, now: datetime, window_is_open: bool) -> str | None:
    """Why RDS may be applying ``action`` now, or None when it is not due yet."""
    dates = (
        ("forced-apply date", action.forced_apply),
        ("auto-apply date", action.auto_applied_after),
        ("current apply date", action.current_apply),
    )
    passed = [f"its {label} {moment.isoformat()} has passed" for label, moment in dates if moment and moment <= now]
    if passed:
        return passed[0]
    if action.opt_in_status == "immediate":
        return "it was opted in to apply immediately"
    if action.opt_in_status == "next-maintenance" and window_is_open:
        return "it is set for the next maintenance window, which is open now"
    return None


def no_pending_maintenance(obs: ReplicaObservation, primary: InstanceSnapshot) -> RuleResult:
    """Fail when a pending maintenance action of the primary may be under way; say what to do instead."""
    is_open = window_open(primary.maintenance_window, obs.now)
    for action in obs.primary_maintenance:
        why = under_way(action, obs.now, is_open)
        if why is not None:
            detail = f" ({action.description})" if action.description else ""
            resource = primary.arn or primary.instance_id
            return RuleResult(
                rule=RULE,
                outcome="fail",
                reason=f"pending maintenance event: {action.action}{detail} on the primary, {why}: RDS may be "
                "applying it and the primary comes back by itself when it ends. Do not promote: follow it with "
                f"aws rds describe-pending-maintenance-actions --resource-identifier {resource}"
                " and the instance's events; if the primary is still down once the maintenance is over, run the "
                "check again",
            )
    later = (
        f"{len(obs.primary_maintenance)} pending maintenance action(s), none due now" if obs.primary_maintenance else ""
    )
    return RuleResult(rule=RULE, outcome="pass", reason=later or "no pending maintenance on the primary")
