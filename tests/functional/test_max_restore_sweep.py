"""SweeperFunction on moto with a raised MaxCapacity: what lowering it records, a dry run, a maximum someone else
changed, a manual raise, and a target whose lock another action holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from autopilot.handlers import emergency_scale, sweeper
from autopilot.models.records import AuditRecord
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.aws_env import settings_env
from tests.helpers.clients import state_table
from tests.helpers.faults import count_calls
from tests.helpers.held_lock import hold_capacity_lock
from tests.helpers.stack_state import set_running, set_target, table_items, target

EVENTS = Path(__file__).resolve().parents[2] / "events"
CPU_ALARM = "sensor-autopilot-cpu-emergency"
AT_MAX_ALARM = "sensor-autopilot-at-max-capacity"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def at_max_threshold() -> float:
    found = boto3.client("cloudwatch", region_name="us-east-2").describe_alarms(AlarmNames=[AT_MAX_ALARM])
    return float(found["MetricAlarms"][0]["Threshold"])


def sweep_at(at: str, context: LocalLambdaContext) -> dict[str, Any]:
    result: dict[str, Any] = sweeper.handler(load("schedule-sweeper.json") | {"time": at}, context)
    return result


def max_records(stack: EmbeddedStack) -> list[AuditRecord]:
    """The sweeper's decisions about the maximum, newest first."""
    records = state_table(stack.table_name).latest_records(stack.resource_id, 50)
    return [r for r in records if r.function == "sweeper" and "max" in r.changes]


def raise_max_approved(trigger: dict[str, Any], context: LocalLambdaContext) -> None:
    """At MaxCapacity (20 running): the proposal to raise it to 25, then its approval, applied."""
    proposal = emergency_scale.handler(trigger, context)
    approval = {"approved": True, "by": "sre"}
    applied = emergency_scale.handler({"trigger": trigger, "decision": proposal, "approval": approval}, context)
    assert applied["action"] == "raise_max" and applied["taken"] is True


@pytest.fixture
def raised_max(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> EmbeddedStack:
    """MaxCapacity raised from 20 to 25 by the CPU alarm of 14:00:05 (lease until 15:00:05), the at-max alarm moved."""
    function_env("EmergencyScaleFunction")
    set_running(stack, 20)
    event = load("alarm-cpu-emergency.json")
    mirror_alarm_state(event, "us-east-2")
    raise_max_approved(event, lambda_context)
    assert target(stack)["MaxCapacity"] == 25 and at_max_threshold() == 25.0
    function_env("SweeperFunction")
    return stack


def test_a_lowered_maximum_is_counted_and_audited_with_the_lease_and_target_it_was_decided_on(
    raised_max: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    assert result["summary"] == "0 lease(s) restored, 0 left; 1 raised maximum(s) lowered"
    [lowered] = result["maxima"]
    assert (lowered["resource_id"], lowered["action"], lowered["taken"]) == (
        raised_max.resource_id,
        "restore_max",
        True,
    )
    [record] = max_records(raised_max)
    assert (record.action, record.taken, record.dry_run, record.alarm_name) == ("restore_max", True, False, CPU_ALARM)
    assert record.at == datetime(2026, 11, 27, 15, 5, tzinfo=UTC) and record.reason == lowered["reason"]
    assert record.changes == {"max": [25, 20]}
    lease = record.inputs["lease"]
    assert (lease["original_max"], lease["leased_max"], lease["expires_at"]) == (20, 25, "2026-11-27T15:00:05Z")
    assert record.inputs["target"] == {"resource_id": raised_max.resource_id, "min": 3, "max": 25}
    assert table_items(raised_max, "MAXLEASE#") == []


def test_a_dry_run_sweep_keeps_the_raised_maximum_and_its_alarm(
    raised_max: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    with settings_env(monkeypatch, {"DRY_RUN": "true"}):
        result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    [would] = result["maxima"]
    assert (would["action"], would["taken"], would["dry_run"], would["to_max"]) == ("restore_max", False, True, 20)
    assert result["summary"].endswith("; 0 raised maximum(s) lowered")
    assert target(raised_max)["MaxCapacity"] == 25 and at_max_threshold() == 25.0
    assert len(table_items(raised_max, "MAXLEASE#")) == 1
    [record] = max_records(raised_max)
    assert (record.taken, record.dry_run) == (False, True)


def test_a_maximum_someone_else_changed_is_left_with_its_alarm_and_the_lease_dropped(
    raised_max: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    set_target(raised_max, max_capacity=30)
    result = sweep_at("2026-11-27T14:05:00Z", lambda_context)
    [dropped] = result["maxima"]
    assert (dropped["action"], dropped["taken"]) == ("drop_lease", True)
    assert result["summary"].endswith("; 0 raised maximum(s) lowered")  # dropped, not lowered
    assert target(raised_max)["MaxCapacity"] == 30 and at_max_threshold() == 25.0
    assert table_items(raised_max, "MAXLEASE#") == []
    assert max_records(raised_max)[0].changes == {"max": [30, 30]}


def test_a_maximum_whose_target_another_action_holds_is_left_for_the_next_sweep(
    raised_max: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    hold = datetime(2026, 11, 27, 15, 4, tzinfo=UTC)
    hold_capacity_lock(monkeypatch, raised_max.table_name, raised_max.resource_id, hold)
    result = sweep_at("2026-11-27T15:05:00Z", lambda_context)
    assert result["maxima"] == [] and result["summary"].endswith("; 0 raised maximum(s) lowered")
    assert target(raised_max)["MaxCapacity"] == 25 and len(table_items(raised_max, "MAXLEASE#")) == 1
    assert max_records(raised_max) == []


def test_a_maximum_raised_on_an_operators_request_is_swept_without_reading_any_alarm(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("EmergencyScaleFunction")
    set_running(stack, 20)
    raise_max_approved(load("manual-scale-out.json"), lambda_context)
    function_env("SweeperFunction")
    with count_calls("cloudwatch", "DescribeAlarms") as described:
        early = sweep_at("2026-11-27T14:30:00Z", lambda_context)
    assert described.calls == 0
    [kept] = early["maxima"]
    assert kept["action"] == "none" and "until manual:sre-on-call has been OK" in kept["reason"]
    late = sweep_at("2026-11-27T15:05:00Z", lambda_context)  # the lease of 14:00:00 expired at 15:00:00
    assert [(m["action"], m["to_max"]) for m in late["maxima"]] == [("restore_max", 20)]
    assert target(stack)["MaxCapacity"] == 20
