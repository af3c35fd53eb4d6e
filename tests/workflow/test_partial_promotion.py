"""A promotion that stops part-way (promoted, then the writer-host update fails for good) is reported as a
failure naming PromoteReplica, not as a success; the replica is promoted once."""

from __future__ import annotations

import pytest
from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.embedded.workflow import (
    DeployedWorkflow,
    answer_approval,
    envelope,
    start,
    wait_for,
    wait_for_approval,
)

from tests.helpers.faults import FaultPlan, inject
from tests.workflow import aws_state
from tests.workflow.conftest import FAST, load_event
from tests.workflow.test_database_path import NOW, promotion_mode


def test_partial_promotion_takes_the_failure_path(
    workflow: DeployedWorkflow, stack: EmbeddedStack, router: LambdaRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    promotion_mode(router, "approve")
    aws_state.primary_down(stack, NOW, replica_lag=2.0)
    writer_before = aws_state.writer_host(stack)
    execution = start(
        workflow,
        envelope(load_event("workflow-rds-primary-failure.json"), now=NOW, seconds=FAST | {"approval_timeout": 30}),
    )
    request = wait_for_approval(execution, stack.region)
    plan = FaultPlan(code="InternalServerError", status=500, times=None)
    with inject("ssm", "PutParameter", plan, monkeypatch):
        answer_approval(request.task_token, approved=True, by="dba-on-call", region=stack.region)
        result = wait_for(execution, stack.region)

    assert result.status == "FAILED" and result.error == "RemediationStepFailed"
    assert "PromotionIncomplete" in result.entered_states()
    calls = [c.result for c in router.calls("PromoteReplicaFunction") if c.result]
    assert [c["outcome"] for c in calls] == ["partial"]
    assert calls[0]["steps_done"] == ["promote_replica"]
    assert aws_state.writer_host(stack) == writer_before  # the failed step changed nothing
    assert "FAILED at PromoteReplica" in aws_state.notifications(stack)[-1]["subject"]
