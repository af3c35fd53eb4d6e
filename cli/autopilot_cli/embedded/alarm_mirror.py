"""Keep the embedded CloudWatch in step with the alarm events we inject.

In AWS an alarm event exists because the alarm changed state; moto never evaluates alarms, so when the
emulator injects an alarm event it also sets that alarm's state, as CloudWatch would have. Functions that
ask CloudWatch for an alarm's current state (RestoreCapacity) then see what an account would show.
"""

from __future__ import annotations

from typing import Any

import boto3
from autopilot.errors import InvalidEventError
from autopilot.models.triggers import parse_trigger


def mirror_alarm_state(payload: Any, region: str) -> bool:
    """Set the alarm named by an alarm event (bare or in the workflow envelope) to the event's state.
    Returns whether an alarm was updated (False for other events and for alarms the stack does not have)."""
    event = payload.get("trigger", payload) if isinstance(payload, dict) else payload
    try:
        alarm = parse_trigger(event).alarm
    except InvalidEventError:
        return False  # the function reports the bad field; the emulator changes nothing
    if alarm is None:
        return False
    cloudwatch = boto3.client("cloudwatch", region_name=region)
    if not cloudwatch.describe_alarms(AlarmNames=[alarm.alarm_name]).get("MetricAlarms"):
        return False
    reason = alarm.reason or "injected by the embedded AWS"
    cloudwatch.set_alarm_state(AlarmName=alarm.alarm_name, StateValue=alarm.state, StateReason=reason[:1023])
    return True
