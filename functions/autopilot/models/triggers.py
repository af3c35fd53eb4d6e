"""Turn any event we accept into one typed trigger, or fail with a message that names the bad field."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from autopilot.errors import InvalidEventError
from autopilot.models.alarm_events import (
    AlarmStateChange,
    DirectAlarmEvent,
    EventBridgeAlarmEvent,
    normalise_alarm,
)
from autopilot.models.manual_events import ManualRequest
from autopilot.models.rds_events import RdsInstanceEvent
from autopilot.models.schedule_events import ScheduledEvent

TriggerKind = Literal["alarm", "rds", "schedule", "manual"]


class Trigger(BaseModel):
    """What started this run: exactly one of the fields is set, named by ``kind``."""

    kind: TriggerKind
    time: datetime
    alarm: AlarmStateChange | None = None
    rds: RdsInstanceEvent | None = None
    schedule: ScheduledEvent | None = None
    manual: ManualRequest | None = None


def _from_eventbridge_alarm(event: dict[str, Any]) -> Trigger:
    parsed = EventBridgeAlarmEvent.model_validate(event)
    alarm = normalise_alarm(parsed.resources[0], parsed.account, parsed.region, parsed.detail)
    return Trigger(kind="alarm", time=parsed.time, alarm=alarm)


def _from_direct_alarm(event: dict[str, Any]) -> Trigger:
    parsed = DirectAlarmEvent.model_validate(event)
    alarm = normalise_alarm(parsed.alarm_arn, parsed.account_id, parsed.region, parsed.alarm_data)
    return Trigger(kind="alarm", time=parsed.time, alarm=alarm)


def _from_rds(event: dict[str, Any]) -> Trigger:
    parsed = RdsInstanceEvent.model_validate(event)
    return Trigger(kind="rds", time=parsed.time, rds=parsed)


def _from_schedule(event: dict[str, Any]) -> Trigger:
    parsed = ScheduledEvent.model_validate(event)
    return Trigger(kind="schedule", time=parsed.time, schedule=parsed)


def _from_manual(event: dict[str, Any]) -> Trigger:
    parsed = ManualRequest.model_validate(event)
    return Trigger(kind="manual", time=parsed.time, manual=parsed)


_BY_DETAIL_TYPE = {
    "CloudWatch Alarm State Change": ("CloudWatch alarm event", _from_eventbridge_alarm),
    "RDS DB Instance Event": ("RDS instance event", _from_rds),
    "Scheduled Event": ("scheduled event", _from_schedule),
}


def parse_trigger(event: Any) -> Trigger:
    """Recognise the event by its discriminating fields, then validate it whole."""
    if not isinstance(event, dict):
        raise InvalidEventError(f"invalid event: expected a JSON object, got {type(event).__name__}")
    detail_type = event.get("detail-type")
    if isinstance(detail_type, str) and detail_type in _BY_DETAIL_TYPE:
        what, parse = _BY_DETAIL_TYPE[detail_type]
    elif "alarmData" in event:
        what, parse = "direct alarm event", _from_direct_alarm
    elif event.get("source") == "autopilot.manual":
        what, parse = "manual request", _from_manual
    else:
        accepted = ", ".join([*_BY_DETAIL_TYPE, "direct alarm (alarmData)", "manual (source autopilot.manual)"])
        shown = detail_type if detail_type is not None else event.get("source", "(none)")
        raise InvalidEventError(
            f"invalid event: detail-type/source {shown!r} is not one we accept ({accepted}). Nothing was changed."
        )
    try:
        return parse(event)
    except ValidationError as exc:
        raise InvalidEventError.from_validation(what, exc) from exc
