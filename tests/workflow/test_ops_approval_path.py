"""The workflow's approval answered through the ops API's operation, by approval id: the task token stays in
the state table (never in the SNS message, the listing or the logs)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from autopilot.models.ops import ApprovalAnswer, Caller
from autopilot.operations.ops_approvals import answer, list_approvals
from autopilot.operations.ops_errors import OpsConflictError
from autopilot.settings.ops import get_ops_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.embedded.workflow import DeployedWorkflow, envelope, start, wait_for, wait_for_approval

from tests.helpers.clients import clients
from tests.helpers.stack_state import table_items
from tests.workflow import aws_state
from tests.workflow.conftest import load_event

NOW = "2026-11-27T14:00:10Z"
AT = datetime.fromisoformat("2026-11-27T14:00:20+00:00")  # within the 30 s approval timeout
SRE = Caller(arn="arn:aws:iam::123456789012:user/sre-on-call")


@pytest.fixture
def ops_env(function_env: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return function_env("OpsApiFunction")


def start_at_max(workflow: DeployedWorkflow, stack: EmbeddedStack, approval_timeout: int = 30) -> str:
    aws_state.set_desired(stack, 20)
    seconds = {"verify": 0, "approval_timeout": approval_timeout}
    return start(workflow, envelope(load_event("workflow-cpu-emergency.json"), now=NOW, seconds=seconds))


def test_approve_by_id_raises_max_and_the_token_is_never_shown(
    workflow: DeployedWorkflow, stack: EmbeddedStack, ops_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    execution = start_at_max(workflow, stack)
    request = wait_for_approval(execution, stack.region)
    [pending] = list_approvals(clients(), get_ops_settings(), AT)
    assert pending.approval_id == request.approval_id and pending.kind == "raise_max"
    assert pending.cost_impact.tasks_delta == 5 and "task_token" not in pending.model_dump_json()

    result = answer(clients(), pending.approval_id, ApprovalAnswer(decision="approve"), SRE, AT, get_ops_settings())

    assert result.outcome == "approved" and result.detail["answered"] is True
    finished = wait_for(execution, stack.region)
    assert finished.status == "SUCCEEDED", finished.cause
    assert finished.output["approval"]["output"]["by"] == SRE.arn
    assert aws_state.target(stack) == (3, 25)
    assert list_approvals(clients(), get_ops_settings(), AT) == []
    logged = [json.dumps(r.__dict__, default=str) for r in caplog.records]
    assert any("approval requested" in line for line in logged), "the request is logged (without its token)"
    shown = json.dumps(aws_state.approval_requests(stack)) + "".join(logged)
    assert request.task_token not in shown and request.approval_id in shown
    [stored] = [i for i in table_items(stack, "APPROVAL#") if i["sk"] == pending.approval_id]
    assert "task_token" not in stored, "an answered approval keeps no token"


def test_reject_by_id_changes_nothing(
    workflow: DeployedWorkflow, stack: EmbeddedStack, ops_env: dict[str, str]
) -> None:
    execution = start_at_max(workflow, stack)
    request = wait_for_approval(execution, stack.region)
    assert request.approval_id is not None

    answer(
        clients(),
        request.approval_id,
        ApprovalAnswer(decision="reject", comment="not now"),
        SRE,
        AT,
        get_ops_settings(),
    )

    finished = wait_for(execution, stack.region)
    assert finished.status == "SUCCEEDED" and "NotApproved" in finished.entered_states()
    assert aws_state.target(stack) == (3, 20)


def test_an_answer_after_the_workflow_stopped_waiting_is_refused(
    workflow: DeployedWorkflow, stack: EmbeddedStack, ops_env: dict[str, str]
) -> None:
    execution = start_at_max(workflow, stack, approval_timeout=1)
    request = wait_for_approval(execution, stack.region)
    assert wait_for(execution, stack.region).status == "SUCCEEDED"  # timed out: not approved
    assert request.approval_id is not None
    in_time = datetime.fromisoformat("2026-11-27T14:00:10.500+00:00")  # before our record's expiry

    with pytest.raises(OpsConflictError, match="no longer waits"):
        answer(clients(), request.approval_id, ApprovalAnswer(decision="approve"), SRE, in_time, get_ops_settings())

    assert aws_state.target(stack) == (3, 20)
    [stored] = [i for i in table_items(stack, "APPROVAL#") if i["sk"] == request.approval_id]
    assert stored["status"] == "expired"


def test_an_answer_after_the_expiry_is_refused_and_nothing_is_sent(
    workflow: DeployedWorkflow, stack: EmbeddedStack, ops_env: dict[str, str]
) -> None:
    execution = start_at_max(workflow, stack, approval_timeout=1)
    request = wait_for_approval(execution, stack.region)
    assert request.approval_id is not None
    late = datetime.fromisoformat(NOW.replace("Z", "+00:00")) + timedelta(seconds=2)

    with pytest.raises(OpsConflictError, match="expired"):
        answer(clients(), request.approval_id, ApprovalAnswer(decision="approve"), SRE, late, get_ops_settings())

    assert wait_for(execution, stack.region).output["approval"]["output"]["by"] == "approval-timeout"
    assert aws_state.target(stack) == (3, 20)


def test_approve_through_the_api_answers_the_waiting_workflow(
    workflow: DeployedWorkflow, stack: EmbeddedStack, ops_env: dict[str, str]
) -> None:
    from autopilot.handlers import ops_api
    from autopilot_cli.lambda_context import LocalLambdaContext

    from tests.functional.ops_events import answer_of, rest_event

    execution = start_at_max(workflow, stack)
    request = wait_for_approval(execution, stack.region)
    event = rest_event("POST", f"/approvals/{request.approval_id}", {"decision": "approve"}, caller=SRE.arn, at=AT)
    status, body = answer_of(ops_api.handler(event, LocalLambdaContext(function_name="ops-api")))
    assert status == 200, body
    finished = wait_for(execution, stack.region)
    assert finished.status == "SUCCEEDED", finished.cause
    assert finished.output["approval"]["output"]["by"] == SRE.arn
    assert aws_state.target(stack) == (3, 25)
