"""Act only on what is still true: a late, stale or foreign alarm event is named for what it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from autopilot.logic.freshness import foreign_reason, same_instant, stale_reason
from autopilot.models.alarm_events import AlarmObservation, AlarmStateChange

AT = datetime(2026, 11, 27, 14, 0, 5, 123000, tzinfo=UTC)
OURS = ("sensor-autopilot-", "sensor-app-cluster", "sensor-app-service")


def event(name: str = "sensor-autopilot-cpu-emergency") -> AlarmStateChange:
    return AlarmStateChange(
        alarm_arn=f"arn:aws:cloudwatch:us-east-2:123456789012:alarm:{name}",
        alarm_name=name,
        account="123456789012",
        region="us-east-2",
        state="ALARM",
        previous_state="OK",
        changed_at=AT,
        reason="threshold crossed",
    )


def now(state: str = "ALARM", at: datetime = AT, **dimensions: str) -> AlarmObservation:
    return AlarmObservation(
        name="sensor-autopilot-cpu-emergency",
        state=state,  # type: ignore[arg-type]
        transitioned_at=at,
        dimensions=dimensions,
    )


def test_transitions_are_the_same_instant_within_a_millisecond() -> None:
    assert same_instant(AT, AT + timedelta(microseconds=999))
    assert same_instant(AT + timedelta(microseconds=999), AT)
    assert not same_instant(AT, AT + timedelta(milliseconds=1))


def test_an_event_that_still_describes_the_alarm_is_current() -> None:
    assert stale_reason(event(), now(at=AT + timedelta(microseconds=400))) is None


def test_a_missing_alarm_a_late_event_and_a_stale_event_are_named() -> None:
    sent = "2026-11-27T14:00:05.123000+00:00"
    assert stale_reason(event(), None) == (
        f"alarm sensor-autopilot-cpu-emergency does not exist in this account and region; the event of {sent} is "
        "ignored"
    )
    later = AT + timedelta(minutes=3)
    assert stale_reason(event(), now("OK", later)) == (
        f"late event: sensor-autopilot-cpu-emergency is OK since {later.isoformat()}, not ALARM as the event of "
        f"{sent} says; nothing was changed"
    )
    assert stale_reason(event(), now("ALARM", later)) == (
        f"stale event: sensor-autopilot-cpu-emergency changed state again at {later.isoformat()} after the event's "
        f"transition at {sent}; the newer transition decides, nothing was changed"
    )


def test_an_alarm_of_another_stack_is_refused_by_its_name() -> None:
    assert foreign_reason(event("other-cpu"), None, *OURS) == (
        "alarm other-cpu is not one of this stack's (their names start with 'sensor-autopilot-'); refused, nothing "
        "was changed"
    )


@pytest.mark.parametrize(
    "dimensions",
    [
        {},
        {"ClusterName": "sensor-app-cluster"},
        {"ClusterName": "sensor-app-cluster", "ServiceName": "sensor-app-service"},
    ],
)
def test_an_alarm_on_this_stacks_service_or_on_no_service_is_ours(dimensions: dict[str, str]) -> None:
    assert foreign_reason(event(), now(**dimensions), *OURS) is None


@pytest.mark.parametrize("dimensions", [{"ClusterName": "other"}, {"ServiceName": "other"}])
def test_an_alarm_watching_another_service_is_refused(dimensions: dict[str, str]) -> None:
    reason = foreign_reason(event(), now(**dimensions), *OURS)
    assert reason == (
        f"alarm sensor-autopilot-cpu-emergency watches {dimensions}, not this stack's service "
        "{'ClusterName': 'sensor-app-cluster', 'ServiceName': 'sensor-app-service'}; refused, nothing was changed"
    )
