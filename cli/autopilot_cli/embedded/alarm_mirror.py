"""Keep the embedded CloudWatch in step with the alarm events we inject.

In AWS an alarm event exists because the alarm changed state; moto never evaluates alarms, so when the
emulator injects an alarm event it also sets that alarm's state, as CloudWatch would have. Functions that
ask CloudWatch for an alarm's current state and transition time then see what an account would show.

moto's ``SetAlarmState`` stamps the wall clock as the transition time. The mirror passes the event's own time in
``StateReasonData`` and a hook in the process that runs moto (this one for tests and ``make demo``, the daemon's
for the CLI) writes it to the alarm, so decisions are taken in the event's time, never the machine's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from autopilot.errors import InvalidEventError
from autopilot.models.triggers import parse_trigger

from autopilot_cli.embedded.harness_clients import harness_clients

TRANSITION_KEY = "embeddedTransitionTime"
_installed: list[bool] = []


def _transition_time(reason_data: str | None) -> datetime | None:
    try:
        data = json.loads(reason_data or "{}")
    except json.JSONDecodeError:
        return None
    stamp = data.get(TRANSITION_KEY) if isinstance(data, dict) else None
    if not isinstance(stamp, str):
        return None
    moment = datetime.fromisoformat(stamp)
    return moment.astimezone(UTC).replace(tzinfo=None)  # moto keeps naive UTC times


def install_transition_hook() -> None:
    """Make moto's alarms take their transition time from ``StateReasonData`` when the mirror sets it there."""
    if _installed:
        return
    from moto.cloudwatch.models import Alarm

    original = Alarm.update_state

    def update_state(self: Alarm, reason: str, reason_data: str, state_value: str) -> None:
        original(self, reason, reason_data, state_value)
        moment = _transition_time(reason_data)
        if moment is not None:
            self.state_updated_timestamp = moment

    Alarm.update_state = update_state  # type: ignore[method-assign]
    _installed.append(True)


def mirror_alarm_state(payload: Any, region: str) -> bool:
    """Set the alarm named by an alarm event (bare or in the workflow envelope) to the event's state, at the event's
    transition time, unless an event mirrored earlier already moved the alarm to that time or later (a late or
    duplicate delivery changes CloudWatch no more than it would in AWS). Returns whether an alarm was updated (False
    for other events, for alarms the stack does not have and for late events)."""
    install_transition_hook()
    event = payload.get("trigger", payload) if isinstance(payload, dict) else payload
    try:
        alarm = parse_trigger(event).alarm
    except InvalidEventError:
        return False  # the function reports the bad field; the emulator changes nothing
    if alarm is None:
        return False
    cloudwatch = harness_clients(region).cloudwatch
    found = cloudwatch.describe_alarms(AlarmNames=[alarm.alarm_name], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    current = [*found.get("MetricAlarms", []), *found.get("CompositeAlarms", [])]
    if not current:
        return False
    mirrored = _transition_time(current[0].get("StateReasonData"))
    if mirrored is not None and alarm.changed_at.astimezone(UTC).replace(tzinfo=None) <= mirrored:
        return False  # a late or repeated event: the alarm has already been where it says (or further)
    reason = alarm.reason or "injected by the embedded AWS"
    cloudwatch.set_alarm_state(
        AlarmName=alarm.alarm_name,
        StateValue=alarm.state,
        StateReason=reason[:1023],
        StateReasonData=json.dumps({"version": "1.0", TRANSITION_KEY: alarm.changed_at.isoformat()}),
    )
    return True


def mirror_hook(region: str) -> Callable[[str, Any], None]:
    """A Lambda-router hook: the alarm of the trigger a function is invoked with is where its event says."""

    def hook(_logical_id: str, payload: Any) -> None:
        mirror_alarm_state(payload, region)

    return hook
