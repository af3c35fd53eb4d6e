"""``autopilot run``: the remediation workflow from the command line (it stops at an approval request)."""

from __future__ import annotations

import time
from typing import Any

import boto3

from autopilot_cli.embedded.workflow import (
    DeployedWorkflow,
    ExecutionResult,
    WorkflowError,
    pending_approval,
    start,
    wait_for,
)

POLL_SECONDS = 0.1


def run_until_settled(workflow: DeployedWorkflow, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Start an execution; return when it ends or when it waits for an approval (with the approval id)."""
    arn = start(workflow, payload)
    sfn = boto3.client("stepfunctions", region_name=workflow.region)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = pending_approval(arn, workflow.region)
        if request is not None:
            return {
                "execution_arn": arn,
                "status": "WAITING_FOR_APPROVAL",
                "state": request.state,
                "approval_id": request.approval_id,
                "approval_request": request.message.get("approval_request", request.message),
            }
        if sfn.describe_execution(executionArn=arn)["status"] != "RUNNING":
            return _finished(wait_for(arn, workflow.region, timeout=5))
        time.sleep(POLL_SECONDS)  # bounded poll of the execution's status
    raise WorkflowError(f"execution {arn} neither ended nor asked for approval within {timeout:.0f} s")


def _finished(result: ExecutionResult) -> dict[str, Any]:
    return {
        "execution_arn": result.execution_arn,
        "status": result.status,
        "states": result.entered_states(),
        "output": result.output,
        "error": result.error,
        "cause": result.cause,
    }
