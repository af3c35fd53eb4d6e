"""Failures: Lambda service errors are retried; a step that still fails takes the Notify-and-fail path, which says
which step failed and what was left unchanged; invalid input is refused before anything runs."""

from __future__ import annotations

from typing import Any

import pytest
from autopilot_cli.embedded.lambda_router import Fault, LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.helpers.faults import FaultPlan, inject
from tests.workflow import aws_state
from tests.workflow.conftest import Run, load_event

NOW = "2026-11-27T14:00:10Z"
ATTEMPTS = 4  # the first try and MaxAttempts 3 retries (Retry in the ASL)


def failed_tasks(events: list[dict[str, Any]]) -> list[str]:
    """The error names of the task failures in an execution's history, in order."""
    return [str(e["taskFailedEventDetails"]["error"]) for e in events if "taskFailedEventDetails" in e]


def test_lambda_throttling_is_retried_then_the_step_succeeds(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    router.fail_next("EmergencyScaleFunction", times=2)

    result = run(load_event("workflow-cpu-emergency.json"), now=NOW)

    assert result.status == "SUCCEEDED", result.cause
    assert failed_tasks(result.events) == ["Lambda.TooManyRequestsException"] * 2
    calls = router.calls("EmergencyScaleFunction")
    assert [c.fault is not None for c in calls] == [True, True, False]
    floor = result.output["decision"]["output"]["to_min"]
    assert aws_state.target(stack) == (floor, 20) and floor > 3
    assert len([r for r in aws_state.audit(stack) if r.taken]) == 1


def test_throttling_that_outlasts_the_retries_takes_the_notify_and_fail_path(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    router.fail_next("EmergencyScaleFunction", times=ATTEMPTS)

    result = run(load_event("workflow-cpu-emergency.json"), now=NOW)

    assert result.status == "FAILED"
    assert result.error == "RemediationStepFailed"
    assert result.cause is not None and result.cause.startswith("EmergencyScale failed.")
    states = result.entered_states()
    assert states[states.index("EmergencyScale") :] == [
        "EmergencyScale",
        "EmergencyScaleFailed",
        "Notify",
        "Finish",
        "Failed",
    ]
    assert len(router.calls("EmergencyScaleFunction")) == ATTEMPTS
    assert aws_state.target(stack) == (3, 20)
    assert aws_state.lease(stack) is None
    (message,) = aws_state.notifications(stack)
    assert message["subject"].startswith("[sensor-autopilot] FAILED at EmergencyScale")
    assert "No later step ran" in message["message"]


def test_an_aws_error_inside_the_step_leaves_nothing_half_changed(
    run: Run, stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = FaultPlan(code="ThrottlingException", times=None)
    with inject("application-autoscaling", "RegisterScalableTarget", plan, monkeypatch):
        result = run(load_event("workflow-cpu-emergency.json"), now=NOW)

    assert plan.calls > 1, "the adapter's client retried the throttled call"
    assert result.status == "FAILED"
    assert "EmergencyScaleFailed" in result.entered_states() and "Verify" not in result.entered_states()
    assert aws_state.target(stack) == (3, 20)
    assert aws_state.lease(stack) is None, "the lease written before the raise was withdrawn"
    (message,) = aws_state.notifications(stack)
    assert "FAILED at EmergencyScale" in message["subject"]
    assert "ThrottlingException" in message["message"]


def test_a_malformed_event_fails_at_assess_and_changes_nothing(
    workflow_input: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    event = {"source": "aws.cloudwatch", "detail-type": "Something Else", "detail": {}}

    result = workflow_input(event)

    assert result.status == "FAILED"
    assert result.cause is not None and result.cause.startswith("Assess failed.")
    (assess,) = router.calls("AssessFunction")
    assert assess.error_type == "InvalidEventError"
    assert "is not one we accept" in str(assess.error_message)
    assert [c.logical_id for c in router.invocations] == ["AssessFunction", "NotifyFunction"]
    assert aws_state.target(stack) == (3, 20)
    assert "FAILED at Assess" in aws_state.notifications(stack)[0]["subject"]


@pytest.mark.parametrize(
    "envelope",
    [
        {"trigger": {}, "seconds": {"verify": -1}},
        {"trigger": {}, "seconds": {"verify": "soon"}},
        {"trigger": {}, "seconds": {"approval_timeout": 0}},
        {"trigger": {}, "dry_run": "yes"},
    ],
    ids=["negative-wait", "wait-not-a-number", "zero-approval-timeout", "dry-run-not-a-boolean"],
)
def test_an_invalid_envelope_is_refused_before_any_step_runs(
    envelope: dict[str, object], workflow_input: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    envelope["trigger"] = load_event("workflow-cpu-emergency.json")

    result = workflow_input(envelope)

    assert (result.status, result.error) == ("FAILED", "InvalidInput")
    assert result.cause is not None and "Nothing was changed" in result.cause
    assert router.invocations == []
    assert aws_state.messages(stack) == []
    assert aws_state.target(stack) == (3, 20)


def test_a_notification_that_cannot_be_sent_fails_the_execution(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    router.fail_next("NotifyFunction", fault=Fault("ResourceNotFoundException", "Function not found", 404))

    result = run(load_event("workflow-foreign-alarm.json"), now=NOW)

    assert (result.status, result.error) == ("FAILED", "NotificationFailed")
    assert failed_tasks(result.events) == ["Lambda.ResourceNotFoundException"]
    assert aws_state.messages(stack) == []
