"""The remediation workflow in moto: functions and state machine from template.yaml, handlers run in-process."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from autopilot_cli.embedded.actuator import actuator_hook
from autopilot_cli.embedded.alarm_mirror import mirror_hook
from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.embedded.workflow import (
    DeployedWorkflow,
    ExecutionResult,
    deploy_workflow,
    envelope,
    instant_waits,
    start,
    wait_for,
)

EVENTS = Path(__file__).resolve().parents[2] / "events"
# Waits of zero seconds; approvals time out after one second unless a test answers first.
FAST = {"verify": 0, "approval_timeout": 1}
Run = Callable[..., ExecutionResult]


def load_event(name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / name).read_text()))


@pytest.fixture(autouse=True)
def virtual_waits() -> Iterator[None]:
    """Wait states take no real time: the workflow runs in the envelope's virtual time (a waited-out cooldown is
    decided at the time RestoreCapacity named, never at the wall clock)."""
    with instant_waits():
        yield


@pytest.fixture
def router(stack: EmbeddedStack) -> Iterator[LambdaRouter]:
    """Lambda invocations run our handlers; before each one, Application Auto Scaling's part is played (moto does
    not move the service's desired count into a changed MinCapacity/MaxCapacity by itself)."""
    routed = LambdaRouter(stack.resolver)
    routed.before_invoke(actuator_hook(stack.resource_id, stack.region))
    routed.before_invoke(mirror_hook(stack.region))  # the alarm is in its event's state, as in AWS
    with routed.active():
        yield routed


@pytest.fixture
def workflow(stack: EmbeddedStack, router: LambdaRouter) -> DeployedWorkflow:
    return deploy_workflow(stack.resolver)


@pytest.fixture
def run(workflow: DeployedWorkflow) -> Run:
    """Start an execution with the envelope (fast waits by default) and wait for its end."""

    def execute(event: dict[str, Any], *, timeout: float = 60.0, **fields: Any) -> ExecutionResult:
        fields.setdefault("seconds", FAST)
        arn = start(workflow, envelope(event, **fields))
        return wait_for(arn, workflow.region, timeout=timeout)

    return execute


@pytest.fixture
def workflow_input(workflow: DeployedWorkflow) -> Run:
    """Start an execution with exactly this input (an event or an envelope) and wait for its end."""

    def execute(payload: dict[str, Any], *, timeout: float = 60.0) -> ExecutionResult:
        return wait_for(start(workflow, payload), workflow.region, timeout=timeout)

    return execute
