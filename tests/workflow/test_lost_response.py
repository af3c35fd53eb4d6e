"""A Step Functions retry after a lost Lambda response: EmergencyScale applied the raise, but its answer never
reached the workflow (Lambda.ServiceException after the handler ran). The Retry runs the handler again for the
same execution; it must answer what the first run did, so the workflow still verifies, and scale only once."""

from __future__ import annotations

import pytest
from autopilot_cli.embedded.lambda_router import Fault, LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.workflow import aws_state
from tests.workflow.conftest import Run, load_event
from tests.workflow.test_failures import NOW, failed_tasks


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault("ServiceException", "the function ran but its response was lost", 500), "Lambda.ServiceException"),
        (
            Fault("SdkClientException", "the invoke call timed out after the function ran", 500),
            "Lambda.SdkClientException",
        ),
    ],
    ids=["service-exception", "invoke-timeout"],
)
def test_a_lost_response_is_retried_and_still_ends_in_verify_without_scaling_twice(
    fault: Fault, error: str, run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    router.lose_next_response("EmergencyScaleFunction", fault=fault)

    result = run(load_event("workflow-cpu-emergency.json"), now=NOW)

    assert result.status == "SUCCEEDED", result.cause
    assert failed_tasks(result.events) == [error]
    first, retried = router.calls("EmergencyScaleFunction")
    assert first.fault is not None and first.result is not None and first.result["taken"] is True, "it ran"
    assert retried.fault is None and retried.result == first.result, "the retry answers what the first run did"
    states = result.entered_states()
    assert states[states.index("EmergencyScale") :] == [
        "EmergencyScale",
        "RouteDecision",
        "WaitBeforeVerify",
        "Verify",
        "Succeeded",
        "Notify",
        "Finish",
        "Done",
    ]
    floor = first.result["to_min"]
    assert aws_state.target(stack) == (floor, 20) and floor > 3
    assert len([r for r in aws_state.audit(stack) if r.taken]) == 1, "scaled once"
    assert result.output["verification"]["output"]["verification"]["expected_running"] == floor
