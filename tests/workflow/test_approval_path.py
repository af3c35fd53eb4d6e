"""At MaxCapacity the workflow proposes a higher maximum and waits for an operator (approval by id; the task
token stays server-side).

Approved → MaxCapacity raised (never past the ceiling) and verified; rejected or timed out → nothing changed.
"""

from __future__ import annotations

import json

from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.embedded.workflow import (
    DeployedWorkflow,
    answer_approval,
    envelope,
    start,
    wait_for,
    wait_for_approval,
)

from tests.workflow import aws_state
from tests.workflow.conftest import load_event

NOW = "2026-11-27T14:00:10Z"
CEILING = 30  # CapacityCeiling's default in template.yaml


def start_at_max(workflow: DeployedWorkflow, stack: EmbeddedStack, approval_timeout: int = 30) -> str:
    """The seed's 'tasks at max but still slow': desired at MaxCapacity and the CPU alarm persists."""
    _, max_capacity = aws_state.target(stack)
    aws_state.set_desired(stack, max_capacity)
    seconds = {"verify": 0, "approval_timeout": approval_timeout}
    return start(workflow, envelope(load_event("workflow-cpu-emergency.json"), now=NOW, seconds=seconds))


def test_at_max_capacity_approval_is_requested_and_nothing_changes_meanwhile(
    workflow: DeployedWorkflow, stack: EmbeddedStack
) -> None:
    execution = start_at_max(workflow, stack)

    request = wait_for_approval(execution, stack.region)

    assert request.state == "RequestScaleApproval"
    proposal = request.message["approval_request"]["proposal"]
    assert (proposal["action"], proposal["needs_approval"], proposal["from_max"]) == ("raise_max", True, 20)
    assert proposal["to_max"] <= CEILING
    (published,) = aws_state.approval_requests(stack)
    sent = published["message"]["approval_request"]
    assert (
        sent["approval_id"] == request.approval_id
        and f"autopilot approve {request.approval_id}" in sent["how_to_answer"]
    )
    assert request.task_token not in json.dumps(published), "the task token stays server-side"
    assert published["subject"].startswith("Sensor Autopilot: approval needed")
    assert aws_state.target(stack) == (3, 20)
    answer_approval(request.task_token, approved=False, by="sre-on-call", region=stack.region)
    assert wait_for(execution, stack.region).status == "SUCCEEDED"


def test_approved_raises_max_capacity_and_verifies(workflow: DeployedWorkflow, stack: EmbeddedStack) -> None:
    execution = start_at_max(workflow, stack)
    request = wait_for_approval(execution, stack.region)
    to_max = request.message["approval_request"]["proposal"]["to_max"]

    answer_approval(request.task_token, approved=True, by="sre-on-call", region=stack.region)
    result = wait_for(execution, stack.region)

    assert result.status == "SUCCEEDED", result.cause
    after_approval = ["ApplyScaleApproval", "RouteApproved", "WaitBeforeVerify", "Verify", "Succeeded"]
    states = result.entered_states()
    assert states[states.index("ApplyScaleApproval") : states.index("Notify")] == after_approval
    assert result.output["approval"]["output"] == {"approved": True, "by": "sre-on-call"}
    assert aws_state.target(stack) == (3, to_max)
    assert 20 < to_max <= CEILING
    taken = [r for r in aws_state.audit(stack) if r.taken]
    assert [(r.action, r.changes["max"]) for r in taken] == [("raise_max", [20, to_max])]
    assert "Raised MaxCapacity" in aws_state.notifications(stack)[-1]["subject"]


def test_approved_raise_stops_at_the_ceiling(workflow: DeployedWorkflow, stack: EmbeddedStack) -> None:
    aws_state.set_target(stack, 3, CEILING - 2)
    execution = start_at_max(workflow, stack)
    request = wait_for_approval(execution, stack.region)
    assert request.message["approval_request"]["proposal"]["to_max"] == CEILING

    answer_approval(request.task_token, approved=True, by="sre-on-call", region=stack.region)

    assert wait_for(execution, stack.region).status == "SUCCEEDED"
    assert aws_state.target(stack) == (3, CEILING)


def test_at_the_ceiling_nothing_is_proposed(workflow: DeployedWorkflow, stack: EmbeddedStack) -> None:
    aws_state.set_target(stack, 3, CEILING)
    result = wait_for(start_at_max(workflow, stack), stack.region)

    assert result.status == "SUCCEEDED", result.cause
    assert "RequestScaleApproval" not in result.entered_states()
    assert "ceiling" in result.output["decision"]["output"]["reason"]
    assert aws_state.target(stack) == (3, CEILING)
    assert aws_state.approval_requests(stack) == []


def test_rejected_changes_nothing_and_is_recorded(workflow: DeployedWorkflow, stack: EmbeddedStack) -> None:
    execution = start_at_max(workflow, stack)
    request = wait_for_approval(execution, stack.region)

    answer_approval(request.task_token, approved=False, by="sre-on-call", region=stack.region)
    result = wait_for(execution, stack.region)

    assert result.status == "SUCCEEDED", result.cause
    assert "NotApproved" in result.entered_states() and "Verify" not in result.entered_states()
    assert aws_state.target(stack) == (3, 20)
    assert not [r for r in aws_state.audit(stack) if r.taken]
    assert any("not approved" in r.reason for r in aws_state.audit(stack))
    assert aws_state.notifications(stack)[-1]["subject"].startswith("[sensor-autopilot] Not approved")


def test_no_answer_before_the_timeout_means_not_approved(workflow: DeployedWorkflow, stack: EmbeddedStack) -> None:
    execution = start_at_max(workflow, stack, approval_timeout=1)

    result = wait_for(execution, stack.region)

    assert result.status == "SUCCEEDED", result.cause
    states = result.entered_states()
    assert states.index("RequestScaleApproval") < states.index("ScaleApprovalTimedOut") < states.index("NotApproved")
    assert result.output["approval"]["output"]["approved"] is False
    assert aws_state.target(stack) == (3, 20)
    assert not [r for r in aws_state.audit(stack) if r.taken]
