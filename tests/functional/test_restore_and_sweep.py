"""RestoreCapacityFunction and SweeperFunction on moto: floors come down, never below the baseline, never over
someone else's change."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from autopilot.errors import InvalidEventError
from autopilot.handlers import emergency_scale, restore_capacity, sweeper
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.faults import count_calls
from tests.helpers.stack_state import set_running, set_target, table_items, target

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def alarm_at(name: str, state: str, at: str, alarm: str = "sensor-autopilot-cpu-emergency") -> dict[str, Any]:
    """An alarm event for ``alarm`` turning ``state`` at ``at``, mirrored into CloudWatch as AWS would have it."""
    event = load("alarm-cpu-recovered.json" if state == "OK" else "alarm-cpu-emergency.json")
    event["time"] = at
    event["resources"] = [f"arn:aws:cloudwatch:us-east-2:123456789012:alarm:{alarm}"]
    event["detail"]["alarmName"] = alarm
    event["detail"]["state"]["timestamp"] = at
    mirror_alarm_state(event, "us-east-2")
    return event


def sweep_at(at: str, context: LocalLambdaContext) -> dict[str, Any]:
    result: dict[str, Any] = sweeper.handler(load("schedule-sweeper.json") | {"time": at}, context)
    return result


def test_ok_for_less_than_the_cooldown_keeps_the_floor(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    recovered = alarm_at("recovered", "OK", "2026-11-27T14:20:05Z")
    result = restore_capacity.handler(recovered, lambda_context)
    assert result["action"] == "none" and "less than the scale-in cooldown" in result["reason"]
    assert (result["recheck_at"], result["recheck_in_seconds"]) == ("2026-11-27T14:23:05Z", 180)
    assert target(raised)["MinCapacity"] == 6 and len(table_items(raised, "LEASE#")) == 1


def test_ok_past_the_cooldown_restores_the_original_floor(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    event = {"trigger": alarm_at("recovered", "OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:23:06Z"}
    result = restore_capacity.handler(event, lambda_context)
    assert (result["action"], result["taken"], result["to_min"]) == ("restore_floor", True, 3)
    assert target(raised)["MinCapacity"] == 3 and table_items(raised, "LEASE#") == []
    actions = sorted(a["action"] for a in table_items(raised, "AUDIT#"))
    assert actions == ["raise_floor", "restore_floor"]


def test_floor_changed_by_an_operator_is_not_overwritten(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    set_target(raised, min_capacity=8)
    event = {"trigger": alarm_at("recovered", "OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:30:00Z"}
    result = restore_capacity.handler(event, lambda_context)
    assert result["action"] == "drop_lease" and "someone changed it" in result["reason"]
    assert target(raised)["MinCapacity"] == 8 and table_items(raised, "LEASE#") == []


def test_restore_without_a_lease_changes_nothing(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("RestoreCapacityFunction")
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        result = restore_capacity.handler(load("alarm-cpu-recovered.json"), lambda_context)
    assert result["action"] == "none" and registered.calls == 0


def test_sweeper_restores_only_expired_leases(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("SweeperFunction")
    early = load("schedule-sweeper.json") | {"time": "2026-11-27T14:30:00Z"}
    assert sweeper.handler(early, lambda_context)["restored"] == []
    assert target(raised)["MinCapacity"] == 6
    late = load("schedule-sweeper.json")  # 15:05, after the 15:00:05 expiry
    result = sweeper.handler(late, lambda_context)
    assert [r["to_min"] for r in result["restored"]] == [3]
    assert target(raised)["MinCapacity"] == 3 and table_items(raised, "LEASE#") == []


def test_sweeper_refuses_other_events(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("SweeperFunction")
    with pytest.raises(InvalidEventError, match="schedule"):
        sweeper.handler(load("alarm-cpu-emergency.json"), lambda_context)


def test_ok_on_time_comes_down_within_the_cooldown_and_one_sweep(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    """The OK event reaches RestoreCapacity seconds after the transition; the sweeper restores after the cooldown."""
    on_time = {"trigger": alarm_at("recovered", "OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:20:09Z"}
    assert restore_capacity.handler(on_time, lambda_context)["taken"] is False
    function_env("SweeperFunction")
    assert sweep_at("2026-11-27T14:22:00Z", lambda_context)["restored"] == []  # OK for 115 s only
    swept = sweep_at("2026-11-27T14:25:00Z", lambda_context)  # cooldown over at 14:23:05; lease expires at 15:00:05
    assert [(r["action"], r["to_min"]) for r in swept["restored"]] == [("restore_floor", 3)]
    assert target(raised)["MinCapacity"] == 3 and table_items(raised, "LEASE#") == []


def test_another_alarms_recovery_does_not_restore_the_floor(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    at_max_ok = alarm_at("recovered", "OK", "2026-11-27T14:10:00Z", alarm="sensor-autopilot-at-max-capacity")
    result = restore_capacity.handler({"trigger": at_max_ok, "now": "2026-11-27T14:30:00Z"}, lambda_context)
    assert result["action"] == "none" and "raised by sensor-autopilot-cpu-emergency" in result["reason"]
    function_env("SweeperFunction")
    assert sweep_at("2026-11-27T14:30:00Z", lambda_context)["restored"] == []  # its own alarm is still in ALARM
    assert target(raised)["MinCapacity"] == 6 and len(table_items(raised, "LEASE#")) == 1


def test_a_flap_restarts_the_cooldown_from_the_latest_ok(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    first_ok = alarm_at("recovered", "OK", "2026-11-27T14:20:05Z")
    alarm_at("again", "ALARM", "2026-11-27T14:21:00Z")
    alarm_at("recovered again", "OK", "2026-11-27T14:22:00Z")
    # the first OK event, delivered late: 185 s after its own transition but 70 s after the latest
    result = restore_capacity.handler({"trigger": first_ok, "now": "2026-11-27T14:23:10Z"}, lambda_context)
    assert result["action"] == "none" and "since 2026-11-27T14:22:00+00:00" in result["reason"]
    assert target(raised)["MinCapacity"] == 6
    later = restore_capacity.handler({"trigger": first_ok, "now": "2026-11-27T14:25:00Z"}, lambda_context)
    assert later["action"] == "restore_floor" and target(raised)["MinCapacity"] == 3


def test_a_late_ok_event_does_not_restore_while_the_alarm_is_in_alarm_again(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    late_ok = alarm_at("recovered", "OK", "2026-11-27T14:20:05Z")
    alarm_at("again", "ALARM", "2026-11-27T14:21:00Z")
    result = restore_capacity.handler({"trigger": late_ok, "now": "2026-11-27T14:40:00Z"}, lambda_context)
    assert result["action"] == "none" and "ALARM, not OK" in result["reason"]
    assert target(raised)["MinCapacity"] == 6


def test_the_sweeper_lists_leases_with_a_query_not_a_scan(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("SweeperFunction")
    with count_calls("dynamodb", "Scan") as scans, count_calls("dynamodb", "Query") as queries:
        result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    assert [r["to_min"] for r in result["restored"]] == [3]
    assert scans.calls == 0 and queries.calls >= 1


def at_max_alarm(stack: EmbeddedStack) -> dict[str, Any]:
    found = boto3.client("cloudwatch", region_name="us-east-2").describe_alarms(
        AlarmNames=["sensor-autopilot-at-max-capacity"]
    )
    return found["MetricAlarms"][0]  # type: ignore[no-any-return]


def raise_max_approved(stack: EmbeddedStack, context: LocalLambdaContext) -> None:
    set_running(stack, 20)
    event = load("alarm-cpu-emergency.json")
    mirror_alarm_state(event, "us-east-2")
    proposal = emergency_scale.handler(event, context)
    approval = {"approved": True, "by": "sre"}
    emergency_scale.handler({"trigger": event, "decision": proposal, "approval": approval}, context)


@pytest.mark.parametrize(
    ("recovered_at", "swept_at"),
    [(None, "2026-11-27T16:00:00Z"), ("2026-11-27T14:10:00Z", "2026-11-27T14:15:00Z")],
    ids=["lease-expired", "own-alarm-ok-for-the-cooldown"],
)
def test_a_raised_maximum_comes_back_down_and_the_at_max_alarm_follows(
    recovered_at: str | None,
    swept_at: str,
    stack: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    lambda_context: LocalLambdaContext,
) -> None:
    function_env("EmergencyScaleFunction")
    raise_max_approved(stack, lambda_context)
    assert target(stack)["MaxCapacity"] == 25 and at_max_alarm(stack)["Threshold"] == 25.0
    if recovered_at is not None:
        alarm_at("recovered", "OK", recovered_at)
    function_env("SweeperFunction")
    assert sweep_at("2026-11-27T14:05:00Z", lambda_context)["maxima"][0]["action"] == "none"
    swept = sweep_at(swept_at, lambda_context)
    assert [(m["action"], m["from_max"], m["to_max"]) for m in swept["maxima"]] == [("restore_max", 25, 20)]
    assert target(stack)["MaxCapacity"] == 20 and at_max_alarm(stack)["Threshold"] == 20.0
    assert sweep_at(swept_at, lambda_context)["maxima"] == []
