"""Act only on what is still true: an alarm event is current when the alarm is still in the event's state and
its last transition is the event's. EventBridge retries delivery for up to 24 hours, so anything else is a late
or duplicate event, and it changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from autopilot.models.alarm_events import AlarmObservation, AlarmStateChange

SAME_INSTANT = timedelta(milliseconds=1)


def same_instant(a: datetime, b: datetime) -> bool:
    """CloudWatch writes transition times to the millisecond."""
    return abs(a - b) < SAME_INSTANT


def stale_reason(event: AlarmStateChange, current: AlarmObservation | None) -> str | None:
    """Why the event no longer describes the alarm, or None when it does."""
    sent = event.changed_at.isoformat()
    if current is None:
        return f"alarm {event.alarm_name} does not exist in this account and region; the event of {sent} is ignored"
    if current.state != event.state:
        return (
            f"late event: {event.alarm_name} is {current.state} since {current.transitioned_at.isoformat()}, "
            f"not {event.state} as the event of {sent} says; nothing was changed"
        )
    if not same_instant(current.transitioned_at, event.changed_at):
        return (
            f"stale event: {event.alarm_name} changed state again at {current.transitioned_at.isoformat()} after the "
            f"event's transition at {sent}; the newer transition decides, nothing was changed"
        )
    return None


def foreign_reason(
    event: AlarmStateChange, current: AlarmObservation | None, prefix: str, cluster: str, service: str
) -> str | None:
    """Why the alarm is not one of this stack's (by name, and by the service its metric watches), or None.
    The EventBridge pattern is not the only guard: a handler can be invoked directly with any event."""
    if not event.alarm_name.startswith(prefix):
        return (
            f"alarm {event.alarm_name} is not one of this stack's (their names start with {prefix!r}); refused, "
            "nothing was changed"
        )
    if current is None:
        return None
    watched = {k: current.dimensions[k] for k in ("ClusterName", "ServiceName") if k in current.dimensions}
    ours = {"ClusterName": cluster, "ServiceName": service}
    if any(watched[k] != ours[k] for k in watched):
        return (
            f"alarm {event.alarm_name} watches {watched}, not this stack's service {ours}; refused, nothing was changed"
        )
    return None
