"""Recovered path: Assess → RestoreCapacity → Notify; and the sweeper, which restores floors whose lease expired."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.embedded.workflow import DeployedWorkflow

from tests.workflow import aws_state
from tests.workflow.conftest import Run, load_event

RAISED_AT = "2026-11-27T14:00:10Z"
# The OK transition is at 14:30:05; the scale-in cooldown (180 s) has passed at 14:33:10, not at 14:30:10.
AFTER_COOLDOWN = "2026-11-27T14:33:10Z"
WITHIN_COOLDOWN = "2026-11-27T14:30:10Z"
# The lease lasts 60 minutes (LeaseMinutes): it has expired at 15:05 when the sweeper runs.
SWEEP_AT = "2026-11-27T15:05:00Z"


def alarm_event(state: str, at: str) -> dict[str, Any]:
    """The CPU emergency alarm turning ``state`` at ``at``."""
    event = load_event("workflow-cpu-recovered.json" if state == "OK" else "workflow-cpu-emergency.json")
    event["time"] = at
    event["detail"]["state"]["timestamp"] = at
    return event


def raise_floor(run: Run, stack: EmbeddedStack) -> int:
    result = run(load_event("workflow-cpu-emergency.json"), now=RAISED_AT)
    floor = int(result.output["decision"]["output"]["to_min"])
    assert aws_state.target(stack) == (floor, 20) and floor > 3
    return floor


def test_recovered_restores_the_original_floor(run: Run, stack: EmbeddedStack) -> None:
    floor = raise_floor(run, stack)

    result = run(load_event("workflow-cpu-recovered.json"), now=AFTER_COOLDOWN)

    assert result.status == "SUCCEEDED", result.cause
    states = result.entered_states()
    assert states[states.index("Assess") : states.index("Notify")] == [
        "Assess",
        "RouteKind",
        "RestoreCapacity",
        "RouteRestore",
        "Succeeded",
    ]
    restore = result.output["restore"]["output"]
    assert (restore["action"], restore["taken"], restore["from_min"], restore["to_min"]) == (
        "restore_floor",
        True,
        floor,
        3,
    )
    assert aws_state.target(stack) == (3, 20)
    assert aws_state.lease(stack) is None
    assert [r.action for r in aws_state.audit(stack) if r.function == "restore-capacity"] == ["restore_floor"]
    assert f"from {floor} to 3" in aws_state.notifications(stack)[-1]["message"]


def test_an_ok_event_on_time_waits_out_the_cooldown_then_restores(run: Run, stack: EmbeddedStack) -> None:
    """The OK event arrives 5 s after the transition: the workflow waits the rest of the cooldown, reads the alarm
    again and restores (the wait takes no real time here; the recheck decides at the time RestoreCapacity named)."""
    floor = raise_floor(run, stack)

    result = run(load_event("workflow-cpu-recovered.json"), now=WITHIN_COOLDOWN)

    assert result.status == "SUCCEEDED", result.cause
    states = result.entered_states()
    assert states[states.index("RestoreCapacity") : states.index("Notify")] == [
        "RestoreCapacity",
        "RouteRestore",
        "WaitForCooldown",
        "RecheckRestore",
        "RouteRecheck",
        "Succeeded",
    ]
    restore = result.output["restore"]["output"]
    assert (restore["action"], restore["from_min"], restore["to_min"]) == ("restore_floor", floor, 3)
    assert aws_state.target(stack) == (3, 20) and aws_state.lease(stack) is None
    [record] = [r for r in aws_state.audit(stack) if r.function == "restore-capacity" and r.taken]
    assert record.at == datetime(2026, 11, 27, 14, 33, 5, tzinfo=UTC)  # 14:30:05 OK + the 180 s cooldown


def test_a_flap_during_the_cooldown_leaves_the_floor_to_the_sweeper(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    floor = raise_floor(run, stack)
    looks: list[str] = []

    def flap_before_the_second_look(logical_id: str, payload: Any) -> None:
        if logical_id != "RestoreCapacityFunction":
            return
        looks.append(logical_id)
        if len(looks) == 2:  # while the workflow waited: ALARM at 14:31, OK again at 14:32
            mirror_alarm_state(alarm_event("ALARM", "2026-11-27T14:31:00Z"), stack.region)
            mirror_alarm_state(alarm_event("OK", "2026-11-27T14:32:00Z"), stack.region)

    router.before_invoke(flap_before_the_second_look)
    result = run(load_event("workflow-cpu-recovered.json"), now=WITHIN_COOLDOWN)

    assert result.status == "SUCCEEDED", result.cause
    assert "RecheckRestore" in result.entered_states() and "NoAction" in result.entered_states()
    recheck = result.output["restore"]["output"]
    assert recheck["action"] == "none" and "since 2026-11-27T14:32:00+00:00" in recheck["reason"]
    assert "the sweeper restores it" in recheck["reason"] and recheck["recheck_at"] is None
    assert aws_state.target(stack) == (floor, 20)


def test_an_expired_lease_is_restored_by_the_sweeper(
    run: Run, stack: EmbeddedStack, workflow: DeployedWorkflow, router: LambdaRouter
) -> None:
    floor = raise_floor(run, stack)
    payload = {"trigger": load_event("schedule-sweeper.json"), "now": SWEEP_AT}

    response = boto3.client("lambda", region_name=stack.region).invoke(
        FunctionName=workflow.function_arns["SweeperFunction"], Payload=json.dumps(payload).encode()
    )

    assert "FunctionError" not in response
    swept = json.loads(response["Payload"].read())
    assert [(r["resource_id"], r["from_min"], r["to_min"]) for r in swept["restored"]] == [
        (stack.resource_id, floor, 3)
    ]
    assert aws_state.target(stack) == (3, 20)
    assert aws_state.lease(stack) is None
    assert [r.function for r in aws_state.audit(stack) if r.taken] == ["emergency-scale", "sweeper"]
    assert [call.logical_id for call in router.invocations][-1] == "SweeperFunction"
