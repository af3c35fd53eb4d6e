"""The EventBridge envelopes are Powertools' ``EventBridgeModel``; AWS's compact ``+0000`` offsets parse as they are."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from autopilot.errors import InvalidEventError
from autopilot.models.alarm_events import AlarmState, EventBridgeAlarmEvent
from autopilot.models.rds_events import RdsInstanceEvent
from autopilot.models.schedule_events import ScheduledEvent
from autopilot.models.triggers import parse_trigger
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ValidationError

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("model", "sample"),
    [
        (EventBridgeAlarmEvent, "alarm-cpu-emergency.json"),
        (RdsInstanceEvent, "rds-primary-failure.json"),
        (ScheduledEvent, "schedule-sweeper.json"),
    ],
)
def test_each_envelope_is_powertools_eventbridge_model(model: type[BaseModel], sample: str) -> None:
    assert issubclass(model, EventBridgeModel)
    event = model.model_validate(load(sample))
    assert isinstance(event, EventBridgeModel)
    assert event.id == load(sample)["id"] and event.time.tzinfo is not None


def test_cloudwatchs_compact_offset_parses_without_a_shim() -> None:
    event = EventBridgeAlarmEvent.model_validate(load("alarm-cpu-emergency.json"))
    assert event.detail.state.timestamp == datetime(2026, 11, 27, 14, 0, 5, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "offset"),
    [("2026-11-27T14:00:05.000+0000", 0), ("2026-11-27T14:00:05-0530", -330), ("2026-11-27T14:00:05Z", 0)],
)
def test_every_offset_form_aws_writes_is_understood(text: str, offset: int) -> None:
    state = AlarmState.model_validate({"value": "OK", "timestamp": text})
    assert state.timestamp.utcoffset() == timezone(timedelta(minutes=offset)).utcoffset(None)


def test_an_envelope_without_the_eventbridge_fields_is_refused() -> None:
    event = load("schedule-sweeper.json")
    del event["id"]
    with pytest.raises(ValidationError, match="id"):
        ScheduledEvent.model_validate(event)


def test_the_wrong_detail_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="detail-type"):
        RdsInstanceEvent.model_validate(load("rds-primary-failure.json") | {"detail-type": "Scheduled Event"})


def test_an_event_missing_many_fields_names_every_one() -> None:
    with pytest.raises(InvalidEventError) as err:
        parse_trigger({"detail-type": "RDS DB Instance Event", "source": "aws.rds", "detail": {}})
    message = str(err.value)
    assert "version, id, account, time, region" in message and "Field required" in message
    assert "detail.SourceType" in message and "detail.Date" in message and "Nothing was changed" in message
