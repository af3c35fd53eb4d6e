"""Recovered path: Assess → RestoreCapacity → Notify; and the sweeper, which restores floors whose lease expired."""

from __future__ import annotations

import json

import boto3
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


def test_recovered_within_the_cooldown_keeps_the_floor(run: Run, stack: EmbeddedStack) -> None:
    floor = raise_floor(run, stack)

    result = run(load_event("workflow-cpu-recovered.json"), now=WITHIN_COOLDOWN)

    assert result.status == "SUCCEEDED", result.cause
    assert "NoAction" in result.entered_states()
    assert result.output["restore"]["output"]["taken"] is False
    assert aws_state.target(stack) == (floor, 20)
    assert aws_state.lease(stack) is not None


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
