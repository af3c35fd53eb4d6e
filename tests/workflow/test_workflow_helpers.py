"""The helpers the CLI and the demo use: substitutions, envelopes, bounded waits and approval answers."""

from __future__ import annotations

import pytest
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.embedded.workflow import (
    DeployedWorkflow,
    WorkflowError,
    answer_approval,
    apply_substitutions,
    envelope,
    fail_approval,
    pending_approval,
    start,
    substitutions,
    wait_for,
    wait_for_approval,
)

from tests.workflow import aws_state
from tests.workflow.conftest import FAST, load_event

NOW = "2026-11-27T14:00:10Z"


def test_substitutions_resolve_every_key_of_the_template(stack: EmbeddedStack) -> None:
    names = ["AssessFunction", "EmergencyScaleFunction", "RestoreCapacityFunction", "ReplicaCheckFunction"]
    names += ["PromoteReplicaFunction", "NotifyFunction", "OpsApiFunction"]
    arns = {name: f"arn:aws:lambda:us-east-2:123456789012:function:{name}" for name in names}

    values = substitutions(stack.resolver, arns)

    assert {name: values[f"{name}Arn"] for name in names} == arns
    assert values["ApprovalTimeoutSeconds"] == "3600"


def test_a_placeholder_without_a_value_is_named() -> None:
    with pytest.raises(WorkflowError, match="NotifyFunctionArn, OtherArn"):
        apply_substitutions('{"a": "${NotifyFunctionArn}", "b": "${OtherArn}", "c": "${Known}"}', {"Known": "x"})
    assert apply_substitutions('{"a": "${Known}"}', {"Known": "x"}) == '{"a": "x"}'


def test_envelope_is_the_bare_event_unless_something_is_added() -> None:
    event = load_event("workflow-cpu-emergency.json")
    assert envelope(event) is event
    assert envelope(event, dry_run=True) == {"trigger": event, "dry_run": True}
    assert envelope(event, now=NOW, seconds=FAST) == {"trigger": event, "dry_run": None, "now": NOW, "seconds": FAST}


def test_an_answer_must_say_who_answers(stack: EmbeddedStack) -> None:
    with pytest.raises(WorkflowError, match="who answers"):
        answer_approval("token", approved=True, by=" ", region=stack.region)


def test_waiting_is_bounded_and_names_where_the_execution_stands(
    workflow: DeployedWorkflow, stack: EmbeddedStack
) -> None:
    aws_state.set_desired(stack, 20)
    execution = start(
        workflow, envelope(load_event("workflow-cpu-emergency.json"), now=NOW, seconds=FAST | {"approval_timeout": 30})
    )
    wait_for_approval(execution, stack.region)

    with pytest.raises(WorkflowError, match="still running after 0 s; last state entered: RequestScaleApproval"):
        wait_for(execution, stack.region, timeout=0.2)

    request = pending_approval(execution, stack.region)
    assert request is not None
    answer_approval(request.task_token, approved=False, by="sre-on-call", region=stack.region)
    assert wait_for(execution, stack.region).status == "SUCCEEDED"
    assert pending_approval(execution, stack.region) is None


def test_waiting_for_an_approval_that_never_comes_is_an_error(workflow: DeployedWorkflow, stack: EmbeddedStack) -> None:
    execution = start(workflow, envelope(load_event("workflow-foreign-alarm.json"), now=NOW, seconds=FAST))

    with pytest.raises(WorkflowError, match="without asking for an approval"):
        wait_for_approval(execution, stack.region, timeout=30)


def test_a_failed_approval_takes_the_failure_path_and_changes_nothing(
    workflow: DeployedWorkflow, stack: EmbeddedStack
) -> None:
    aws_state.set_desired(stack, 20)
    execution = start(
        workflow, envelope(load_event("workflow-cpu-emergency.json"), now=NOW, seconds=FAST | {"approval_timeout": 30})
    )
    request = wait_for_approval(execution, stack.region)

    fail_approval(request.task_token, error="OperatorUnavailable", cause="paged nobody", region=stack.region)
    result = wait_for(execution, stack.region)

    assert (result.status, result.error) == ("FAILED", "RemediationStepFailed")
    assert "RequestScaleApprovalFailed" in result.entered_states()
    assert aws_state.target(stack) == (3, 20)
    assert "OperatorUnavailable" in aws_state.notifications(stack)[-1]["message"]
