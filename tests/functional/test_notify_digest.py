"""NotifyFunction on moto: routine notifications wait for the scheduled digest, actionable ones go out at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from autopilot.handlers import notify
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.faults import FaultPlan, inject

EVENTS = Path(__file__).resolve().parents[2] / "events"
Published = Callable[[str], list[dict[str, Any]]]


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def routine(n: int, minute: int | None = None) -> dict[str, Any]:
    """The workflow state Notify gets for an OK event with no floor to restore (event ``ok-<n>``)."""
    at = f"2026-11-27T14:{n if minute is None else minute:02d}:05Z"
    trigger = load("alarm-cpu-recovered.json") | {"id": f"ok-{n}", "time": at}
    return {
        "trigger": trigger,
        "now": None,
        "assessment": {"kind": "recovered", "summary": "the alarm returned to OK"},
        "restore": {"action": "none", "taken": False, "reason": f"no lease to restore (event {n})"},
        "notice": {"outcome": "no_action", "failed_step": None, "error": None},
        "execution": f"arn:aws:states:us-east-2:123456789012:execution:remediation:run-{n}",
        "entered_at": at,
    }


def schedule(time: str) -> dict[str, Any]:
    return load("schedule-sweeper.json") | {
        "time": time,
        "resources": ["arn:aws:events:us-east-2:123456789012:rule/sensor-autopilot-notify-digest"],
    }


@pytest.fixture
def notify_env(function_env: Callable[[str], dict[str, str]]) -> None:
    function_env("NotifyFunction")


def test_five_routine_notifications_make_one_digest(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    results = [notify.handler(routine(n), lambda_context) for n in range(5)]

    assert sns_messages(stack.topic_arn) == []
    assert all(r["digest"] is True and r["message_id"] is None for r in results)
    sent = notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)
    [digest] = sns_messages(stack.topic_arn)
    assert sent["count"] == 5 and digest["subject"] == sent["subject"]
    assert "5 routine notifications" in digest["subject"]
    for n in range(5):
        assert f"2026-11-27 14:{n:02d}:05 UTC" in digest["message"] and f"event {n}" in digest["message"]


def test_an_actionable_notification_goes_out_at_once_and_not_in_the_digest(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    result = notify.handler(load("notify-restored.json"), lambda_context)

    [message] = sns_messages(stack.topic_arn)
    assert result["digest"] is False and message["subject"] == result["subject"]
    assert notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)["sent"] is False
    assert len(sns_messages(stack.topic_arn)) == 1


def test_a_routine_event_delivered_twice_is_listed_once(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    first = routine(1)
    again = first | {"execution": "arn:aws:states:us-east-2:123456789012:execution:remediation:retry"}
    again |= {"entered_at": "2026-11-27T14:50:00Z"}
    for state in (first, again, first):
        notify.handler(state, lambda_context)

    assert notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)["count"] == 1
    [digest] = sns_messages(stack.topic_arn)
    assert digest["message"].count("event 1") == 1


def test_a_second_digest_run_sends_nothing(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    for n in range(3):
        notify.handler(routine(n), lambda_context)
    assert notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)["sent"] is True

    repeated = notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)  # the same schedule event again
    next_hour = notify.handler(schedule("2026-11-27T16:00:00Z"), lambda_context)

    assert (repeated["sent"], next_hour["sent"]) == (False, False)
    assert "already ran" in repeated["reason"] and "no routine notification" in next_hour["reason"]
    assert len(sns_messages(stack.topic_arn)) == 1


def test_an_event_filed_after_a_digest_goes_into_the_next_one(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    notify.handler(routine(1), lambda_context)
    notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)
    notify.handler(routine(2, minute=59), lambda_context)  # happened before 15:00, delivered after that digest
    notify.handler(
        routine(3, minute=59) | {"trigger": routine(3)["trigger"] | {"time": "2026-11-27T16:30:00Z"}}, lambda_context
    )

    later = notify.handler(schedule("2026-11-27T16:00:00Z"), lambda_context)

    assert later["count"] == 1
    last = sns_messages(stack.topic_arn)[-1]["message"]
    assert "event 2" in last and "event 3" not in last  # 16:30 waits for the 17:00 digest


def test_a_digest_that_could_not_be_sent_is_sent_by_the_retry(
    stack: EmbeddedStack,
    notify_env: None,
    lambda_context: LocalLambdaContext,
    sns_messages: Published,
) -> None:
    for n in range(2):
        notify.handler(routine(n), lambda_context)
    outage = FaultPlan(code="InternalError", status=500, times=None)
    with (
        pytest.MonkeyPatch.context() as patch,
        inject("sns", "Publish", outage, patch),
        pytest.raises(Exception, match="InternalError"),
    ):
        notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)
    assert sns_messages(stack.topic_arn) == []

    retried = notify.handler(schedule("2026-11-27T15:00:00Z"), lambda_context)  # the schedule's retry

    assert retried["count"] == 2 and len(sns_messages(stack.topic_arn)) == 1


def test_a_malformed_schedule_event_is_refused_and_sends_nothing(
    stack: EmbeddedStack, notify_env: None, lambda_context: LocalLambdaContext, sns_messages: Published
) -> None:
    notify.handler(routine(1), lambda_context)
    with pytest.raises(Exception, match="invalid digest schedule event: time"):
        notify.handler(schedule("yesterday"), lambda_context)
    assert sns_messages(stack.topic_arn) == []
