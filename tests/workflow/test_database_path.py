"""Database path: Assess → ReplicaCheck → per promotion mode: notify, recommend, or approval then PromoteReplica.

Promotion is irreversible: the tests check that nothing is promoted unless the mode and the checks allow it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

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

from tests.workflow import aws_state
from tests.workflow.conftest import FAST, Run, load_event

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BOUND = 30.0  # MaxReplicaLagSeconds' default in template.yaml


def promotion_mode(router: LambdaRouter, mode: str) -> None:
    """As if the stack had been deployed with PromotionMode=mode (the functions read it from their environment)."""
    router.resolver = replace(router.resolver, parameters={**router.resolver.parameters, "PromotionMode": mode})


def nothing_promoted(stack: EmbeddedStack, router: LambdaRouter, writer_before: str) -> None:
    assert aws_state.writer_host(stack) == writer_before
    assert [c.result["promoted"] for c in router.calls("PromoteReplicaFunction") if c.result] in ([], [False])
    assert not [r for r in aws_state.audit(stack, stack.replica_id) if r.taken]


def test_replica_lag_high_is_notified_as_lagging(run: Run, stack: EmbeddedStack, router: LambdaRouter) -> None:
    aws_state.primary_up(stack, NOW, replica_lag=140.0)
    writer = aws_state.writer_host(stack)

    result = run(load_event("workflow-replica-lag.json"), now=NOW.isoformat())

    assert result.status == "SUCCEEDED", result.cause
    verdict = result.output["verdict"]["output"]
    assert (verdict["verdict"], verdict["next_step"]) == ("lagging", "notify")
    assert "NoAction" in result.entered_states()
    nothing_promoted(stack, router, writer)
    (message,) = aws_state.notifications(stack)
    assert "lagging" in message["message"]


def test_primary_failure_in_recommend_mode_recommends_only(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    aws_state.primary_down(stack, NOW, replica_lag=2.0)
    writer = aws_state.writer_host(stack)

    result = run(load_event("workflow-rds-primary-failure.json"), now=NOW.isoformat())

    assert result.status == "SUCCEEDED", result.cause
    verdict = result.output["verdict"]["output"]
    assert (verdict["verdict"], verdict["mode"], verdict["next_step"]) == (
        "promotion_recommended",
        "recommend",
        "recommend",
    )
    assert "Recommendation" in result.entered_states()
    assert router.calls("PromoteReplicaFunction") == []
    nothing_promoted(stack, router, writer)
    assert aws_state.approval_requests(stack) == []
    assert len(aws_state.notifications(stack)) == 1


def test_primary_failure_in_approve_mode_promotes_after_approval(
    workflow: DeployedWorkflow, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    promotion_mode(router, "approve")
    aws_state.primary_down(stack, NOW, replica_lag=2.0)
    execution = start(
        workflow,
        envelope(load_event("workflow-rds-primary-failure.json"), now=NOW, seconds=FAST | {"approval_timeout": 30}),
    )

    request = wait_for_approval(execution, stack.region)
    assert request.state == "RequestPromotionApproval"
    assert request.message["approval_request"]["proposal"]["verdict"] == "promotion_recommended"
    assert router.calls("PromoteReplicaFunction") == []
    answer_approval(request.task_token, approved=True, by="dba-on-call", region=stack.region)
    result = wait_for(execution, stack.region)

    assert result.status == "SUCCEEDED", result.cause
    promotion = result.output["promotion"]["output"]
    assert promotion["promoted"] is True and promotion["outcome"] == "promoted"
    assert aws_state.writer_host(stack) == aws_state.replica_endpoint(stack)
    assert promotion["steps_done"] == ["promote_replica", "update_writer_host", "force_new_deployment"]
    recorded = [r.action for r in aws_state.audit(stack, stack.replica_id) if r.taken]
    assert {"promote_replica", "update_writer_host", "force_new_deployment"} <= set(recorded)
    assert promotion["operator_steps"], "the operator is told to fence the old primary and rebuild a replica"
    assert "Succeeded" in result.entered_states()
    assert "cannot be undone" in aws_state.notifications(stack)[-1]["message"]


def test_rejected_promotion_changes_nothing(
    workflow: DeployedWorkflow, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    promotion_mode(router, "approve")
    aws_state.primary_down(stack, NOW, replica_lag=2.0)
    writer = aws_state.writer_host(stack)
    execution = start(
        workflow,
        envelope(load_event("workflow-rds-primary-failure.json"), now=NOW, seconds=FAST | {"approval_timeout": 30}),
    )
    request = wait_for_approval(execution, stack.region)

    answer_approval(request.task_token, approved=False, by="dba-on-call", region=stack.region)
    result = wait_for(execution, stack.region)

    assert result.status == "SUCCEEDED", result.cause
    assert "NotApproved" in result.entered_states()
    nothing_promoted(stack, router, writer)


@pytest.mark.parametrize("mode", ["recommend", "approve", "auto"])
def test_replica_lagging_past_the_bound_is_never_promoted(
    mode: str, run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    promotion_mode(router, mode)
    aws_state.primary_down(stack, NOW, replica_lag=BOUND * 4)
    writer = aws_state.writer_host(stack)

    result = run(load_event("workflow-rds-primary-failure.json"), now=NOW.isoformat())

    assert result.status == "SUCCEEDED", result.cause
    verdict = result.output["verdict"]["output"]
    assert (verdict["verdict"], verdict["mode"]) == ("promotion_unsafe", mode)
    assert "RequestPromotionApproval" not in result.entered_states()
    assert router.calls("PromoteReplicaFunction") == []
    nothing_promoted(stack, router, writer)
    assert aws_state.approval_requests(stack) == []


def test_auto_mode_promotes_without_asking(run: Run, stack: EmbeddedStack, router: LambdaRouter) -> None:
    promotion_mode(router, "auto")
    aws_state.primary_down(stack, NOW, replica_lag=2.0)

    result = run(load_event("workflow-rds-primary-failure.json"), now=NOW.isoformat())

    assert result.status == "SUCCEEDED", result.cause
    assert "RequestPromotionApproval" not in result.entered_states()
    assert result.output["promotion"]["output"]["promoted"] is True
    assert aws_state.writer_host(stack) == aws_state.replica_endpoint(stack)
    assert aws_state.approval_requests(stack) == []
