"""Scale-out path: Assess → EmergencyScale → Wait → Verify → Notify, executed by moto's Step Functions engine."""

from __future__ import annotations

from datetime import UTC, datetime

from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.workflow import aws_state
from tests.workflow.conftest import Run, load_event

NOW = "2026-11-27T14:00:10Z"
SCALE_OUT = ["Assess", "RouteKind", "EmergencyScale", "RouteDecision", "WaitBeforeVerify", "Verify", "Succeeded"]


def test_cpu_emergency_raises_the_floor_verifies_and_notifies(run: Run, stack: EmbeddedStack) -> None:
    assert aws_state.target(stack) == (3, 20)

    result = run(load_event("workflow-cpu-emergency.json"), now=NOW)

    assert result.status == "SUCCEEDED", result.cause
    states = result.entered_states()
    assert states[states.index("Assess") : states.index("Notify")] == SCALE_OUT
    decision = result.output["decision"]["output"]
    assert decision["action"] == "raise_floor" and decision["taken"] is True
    floor = decision["to_min"]
    assert floor > 3
    assert aws_state.target(stack) == (floor, 20)
    assert aws_state.service(stack) == (floor, floor)  # Application Auto Scaling followed the floor
    verification = result.output["verification"]["output"]["verification"]
    assert verification == {"expected_running": floor, "running": floor, "reached": True}
    held = aws_state.lease(stack)
    assert held is not None and (held.original_min, held.leased_min) == (3, floor)
    taken = [r for r in aws_state.audit(stack) if r.function == "emergency-scale" and r.taken]
    assert len(taken) == 1 and taken[0].cost_impact.tasks_delta == floor - 3
    (message,) = aws_state.notifications(stack)
    assert f"from 3 to {floor}" in message["subject"]
    assert "HOW TO UNDO" in message["message"] and "--min-capacity 3" in message["message"]


def test_the_same_event_delivered_again_changes_nothing(run: Run, stack: EmbeddedStack, router: LambdaRouter) -> None:
    event = load_event("workflow-cpu-emergency.json")
    first = run(event, now=NOW)
    floor = first.output["decision"]["output"]["to_min"]
    lease_before = aws_state.lease(stack)

    second = run(event, now="2026-11-27T14:00:40Z")

    assert second.status == "SUCCEEDED", second.cause
    assert "NoAction" in second.entered_states() and "WaitBeforeVerify" not in second.entered_states()
    assert second.output["decision"]["output"]["replayed"] is True
    assert aws_state.target(stack) == (floor, 20)
    assert aws_state.lease(stack) == lease_before
    assert len([r for r in aws_state.audit(stack) if r.function == "emergency-scale"]) == 1
    assert len(router.calls("EmergencyScaleFunction")) == 2
    assert len(aws_state.notifications(stack)) == 1  # the replay changed nothing: it waits for the digest
    assert [e.event_id for e in aws_state.digest(stack, until=datetime(2026, 11, 27, 15, 0, tzinfo=UTC))] == [
        event["id"]
    ]


def test_a_dry_run_decides_and_notifies_but_changes_nothing(run: Run, stack: EmbeddedStack) -> None:
    result = run(load_event("workflow-cpu-emergency.json"), now=NOW, dry_run=True)

    assert result.status == "SUCCEEDED", result.cause
    decision = result.output["decision"]["output"]
    assert decision["action"] == "raise_floor" and decision["dry_run"] is True and decision["taken"] is False
    assert "NoAction" in result.entered_states() and "Verify" not in result.entered_states()
    assert aws_state.target(stack) == (3, 20)
    assert aws_state.service(stack) == (3, 3)
    assert aws_state.lease(stack) is None
    (message,) = aws_state.notifications(stack)
    assert "Would raise" in message["message"]


def test_the_sample_dry_run_envelope_changes_nothing(workflow_input: Run, stack: EmbeddedStack) -> None:
    result = workflow_input(load_event("workflow-envelope-dry-run.json"))

    assert result.status == "SUCCEEDED", result.cause
    assert result.output["dry_run"] is True
    assert result.output["decision"]["output"]["taken"] is False
    assert aws_state.target(stack) == (3, 20)
    assert aws_state.lease(stack) is None
    assert len(aws_state.notifications(stack)) == 1
