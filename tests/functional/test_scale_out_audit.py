"""EmergencyScaleFunction on moto: what a scale-out records (audit trail, floor and maximum leases), the CPU it
says it used, the hourly count it read, a floor changed under it, and a target whose lock another action holds."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from autopilot.handlers import emergency_scale
from autopilot.models.records import AuditRecord, Lease
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.aws_env import settings_env
from tests.helpers.clients import state_table
from tests.helpers.faults import FaultPlan, count_calls, inject, on_call
from tests.helpers.held_lock import hold_capacity_lock
from tests.helpers.stack_state import set_running, table_items, target

EVENTS = Path(__file__).resolve().parents[2] / "events"
EVENT = json.loads((EVENTS / "alarm-cpu-emergency.json").read_text())
CPU_ALARM = "sensor-autopilot-cpu-emergency"
CPU_ALARM_ARN = f"arn:aws:cloudwatch:us-east-2:123456789012:alarm:{CPU_ALARM}"
START = datetime.fromisoformat("2026-11-27T14:00:05+00:00")


@pytest.fixture
def env(function_env: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return function_env("EmergencyScaleFunction")


def episode(minutes_later: int) -> dict[str, Any]:
    """The CPU alarm's event of a transition ``minutes_later`` than 14:00:05, mirrored into CloudWatch."""
    event = copy.deepcopy(EVENT)
    changed = START + timedelta(minutes=minutes_later)
    event["time"] = changed.isoformat().replace("+00:00", "Z")
    event["detail"]["state"]["timestamp"] = changed.isoformat()
    mirror_alarm_state(event, "us-east-2")
    return event


def scale(event: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
    result: dict[str, Any] = emergency_scale.handler(event, context)
    return result


def records(stack: EmbeddedStack) -> list[AuditRecord]:
    """EmergencyScaleFunction's decisions about the target, newest first."""
    found = state_table(stack.table_name).latest_records(stack.resource_id, 50)
    return [r for r in found if r.function == "emergency-scale"]


def approve(trigger: dict[str, Any], proposal: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
    return scale({"trigger": trigger, "decision": proposal, "approval": {"approved": True, "by": "sre"}}, context)


def test_a_raised_floor_is_audited_with_its_episode_inputs_and_both_bounds(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    result = scale(episode(0), lambda_context)
    [record] = records(stack)
    assert (record.resource_id, record.at, record.action, record.taken, record.dry_run) == (
        stack.resource_id,
        START,
        "raise_floor",
        True,
        False,
    )
    assert (record.alarm_name, record.episode) == (CPU_ALARM, f"{CPU_ALARM_ARN}|2026-11-27T14:00:05+00:00")
    assert record.reason == result["reason"] and record.changes == {"min": [3, 6], "max": [20, 20]}
    assert "something else changed it" not in result["reason"]  # the target read back as written
    assert record.cost_impact.tasks_delta == 3
    inputs = record.inputs
    assert "lease" not in inputs  # the lease is the decision's output, not one of its inputs
    assert (inputs["now"], inputs["alarm_name"], inputs["episode"]) == (
        "2026-11-27T14:00:05Z",
        CPU_ALARM,
        record.episode,
    )
    assert (inputs["observed_cpu"], inputs["cpu_source"]) == (95.1, "service CPU (the alarm's datapoints)")
    assert (inputs["actions_last_hour"], inputs["approval"], inputs["dry_run"]) == (0, None, False)
    assert inputs["target"] == {"resource_id": stack.resource_id, "min": 3, "max": 20}
    assert result["lease"]["expires_at"] == "2026-11-27T15:00:05Z"


def test_only_the_alarms_actions_of_the_last_hour_are_counted(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    assert scale(episode(0), lambda_context)["taken"] is True
    set_running(stack, 6)
    assert scale(episode(45), lambda_context)["taken"] is True  # 14:45:05, 45 min after the first raise
    set_running(stack, 12)
    scale(episode(90), lambda_context)  # 15:30:05: only the raise at 14:45:05 is within the hour
    hourly = [r.inputs["actions_last_hour"] for r in reversed(records(stack))]
    assert hourly == [0, 1, 1]


def test_a_raised_maximum_has_a_lease_of_its_own_and_keeps_the_original_across_raises(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    set_running(stack, 20)
    first = episode(0)
    applied = approve(first, scale(first, lambda_context), lambda_context)
    assert (applied["action"], applied["taken"], applied["to_max"]) == ("raise_max", True, 25)
    [lease] = state_table(stack.table_name).list_max_leases()
    assert (lease.resource_id, lease.original_max, lease.leased_max) == (stack.resource_id, 20, 25)
    assert (lease.raised_at, lease.expires_at) == (START, START + timedelta(minutes=60))
    assert (lease.alarm_name, lease.episode) == (CPU_ALARM, f"{CPU_ALARM_ARN}|2026-11-27T14:00:05+00:00")
    [record] = [r for r in records(stack) if r.taken]  # the proposal, at the same time, was not taken
    assert record.changes["max"] == [20, 25] and record.inputs["approval"] is True
    set_running(stack, 25)
    second = episode(10)
    again = approve(second, scale(second, lambda_context), lambda_context)
    assert (again["action"], again["taken"], again["to_max"]) == ("raise_max", True, 30)
    [lease] = state_table(stack.table_name).list_max_leases()
    assert (lease.original_max, lease.leased_max) == (20, 30)  # the maximum to come back to is still 20
    assert target(stack)["MaxCapacity"] == 30


def test_a_rejected_proposal_is_audited_with_the_answer(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    set_running(stack, 20)
    trigger = episode(0)
    proposal = scale(trigger, lambda_context)
    rejected = scale(
        {"trigger": trigger, "decision": proposal, "approval": {"approved": False, "by": "sre"}}, lambda_context
    )
    assert rejected["action"] == "none" and target(stack)["MaxCapacity"] == 20
    [answered] = [r for r in records(stack) if r.action == "none"]  # the proposal was "raise_max", not taken
    assert answered.inputs["approval"] is False


def test_an_approval_without_its_proposal_says_exactly_why_nothing_changed(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    set_running(stack, 20)
    result = scale({"trigger": episode(0), "approval": {"approved": True, "by": "sre"}}, lambda_context)
    assert result["reason"] == "an approval applies only to the proposal it approved, and none came with it (decision)"


def test_a_cpu_measured_in_cloudwatch_is_named_as_such_in_the_audit(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    manual = json.loads((EVENTS / "manual-scale-out.json").read_text()) | {"cpu_percent": None}
    scale(manual, lambda_context)
    [record] = records(stack)
    assert record.inputs["cpu_source"] == (
        "service CPU (CloudWatch AWS/ECS CPUUtilization, highest 1-min average of the last 5 min)"
    )
    assert (record.alarm_name, record.inputs["observed_cpu"]) == ("manual:sre-on-call", None)


def test_an_alarm_of_another_stack_is_refused_before_any_alarm_is_read(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    foreign = copy.deepcopy(EVENT)
    foreign["detail"]["alarmName"] = "billing-team-cpu"
    foreign["resources"] = ["arn:aws:cloudwatch:us-east-2:123456789012:alarm:billing-team-cpu"]
    with count_calls("cloudwatch", "DescribeAlarms") as described:
        result = scale(foreign, lambda_context)
    assert result["action"] == "none" and "not one of this stack's" in result["reason"]
    assert described.calls == 0


@pytest.fixture
def floor_moved_after_the_write(stack: EmbeddedStack) -> Iterator[None]:
    """Someone sets MinCapacity to 8 just after the autopilot's first write of the target."""
    moved: list[bool] = []

    def move(**_: Any) -> None:
        if not moved:
            moved.append(True)
            other = boto3.session.Session(region_name="us-east-2").client("application-autoscaling")
            other.register_scalable_target(
                ServiceNamespace="ecs",
                ResourceId=stack.resource_id,
                ScalableDimension="ecs:service:DesiredCount",
                MinCapacity=8,
            )

    with on_call("application-autoscaling", "RegisterScalableTarget", move, when="after"):
        yield


def test_a_floor_changed_right_after_the_raise_is_reported_in_the_reason(
    stack: EmbeddedStack, env: dict[str, str], floor_moved_after_the_write: None, lambda_context: LocalLambdaContext
) -> None:
    result = scale(episode(0), lambda_context)
    disagreement = (
        f"; MinCapacity of {stack.resource_id} reads 8 after writing 6: something else changed it; "
        "the lease is kept and the sweeper settles it"
    )
    assert result["taken"] is True and result["reason"].endswith(disagreement)
    assert records(stack)[0].reason == result["reason"]
    assert len(table_items(stack, "LEASE#")) == 1


def test_a_scale_out_finding_the_target_locked_changes_nothing_and_says_so(
    stack: EmbeddedStack, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    hold_capacity_lock(monkeypatch, stack.table_name, stack.resource_id, START)
    with settings_env(monkeypatch, {"DRY_RUN": "true"}):
        result = scale(episode(0), lambda_context)
    assert (result["action"], result["taken"], result["in_progress"], result["dry_run"]) == ("none", False, True, True)
    assert result["reason"].startswith(f"another action on {stack.resource_id} is in progress")
    assert result["summary"] == f"No change: {result['reason']}"
    assert target(stack)["MinCapacity"] == 3 and records(stack) == []


def test_a_bigger_raise_whose_write_fails_puts_the_earlier_lease_back(
    stack: EmbeddedStack, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    assert scale(episode(0), lambda_context)["to_min"] == 6
    [before] = table_items(stack, "LEASE#")
    set_running(stack, 6)
    outage = FaultPlan(code="InternalServiceException", status=500, times=None)
    with (
        inject("application-autoscaling", "RegisterScalableTarget", outage, monkeypatch),
        pytest.raises(Exception, match="reached max retries"),
    ):
        scale(episode(10), lambda_context)
    [after] = table_items(stack, "LEASE#")
    assert (after["leased_min"], after["original_min"], after["episode"]) == (6, 3, before["episode"])
    assert after["version"] == 3  # written again over the bigger raise's lease (version 2), not deleted
    assert target(stack)["MinCapacity"] == 6


def test_a_failed_raise_undoes_only_its_own_lease_not_one_written_meanwhile(
    stack: EmbeddedStack, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LocalLambdaContext
) -> None:
    table = state_table(stack.table_name)
    replaced: list[Lease] = []

    def replace_the_lease(**_: Any) -> None:
        if not replaced:
            current = table.get_lease(stack.resource_id)
            assert current is not None
            replaced.append(table.put_lease(current.model_copy(update={"episode": "newer"}), replaces=current))

    outage = FaultPlan(code="InternalServiceException", status=500, times=None)
    with (
        on_call("application-autoscaling", "RegisterScalableTarget", replace_the_lease),
        inject("application-autoscaling", "RegisterScalableTarget", outage, monkeypatch),
        pytest.raises(Exception, match="reached max retries"),
    ):
        scale(episode(0), lambda_context)
    kept = table.get_lease(stack.resource_id)
    assert kept is not None and (kept.episode, kept.version) == ("newer", 2)
