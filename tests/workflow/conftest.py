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
from autopilot_cli.template_model import Resolver

from tests.helpers.moto_snapshot import MotoSnapshot

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


# The workflow's own backends: its functions, its state machine, the role they run as.
WORKFLOW_SERVICES = ("lambda", "stepfunctions", "iam")
_DEPLOYED: dict[tuple[Any, ...], tuple[DeployedWorkflow, MotoSnapshot]] = {}


def _deployment_key(resolver: Resolver) -> tuple[Any, ...]:
    """What a deployment depends on besides template.yaml (read once per process): the stack's names and values."""
    return (
        resolver.stack_name,
        resolver.region,
        resolver.account,
        tuple(sorted(resolver.parameters.items())),
        tuple(sorted(resolver.physical_ids.items())),
        tuple(sorted(resolver.attributes.items())),
    )


@pytest.fixture
def workflow(stack: EmbeddedStack, router: LambdaRouter) -> DeployedWorkflow:
    """The functions and state machine of template.yaml, deployed on the seed's stack: the first time in this
    process by ``deploy_workflow``, later restored from a snapshot of the backends it filled (lambda, stepfunctions,
    iam), which is what deploying the same template on the same stack again gives."""
    key = _deployment_key(stack.resolver)
    if key in _DEPLOYED:
        deployed, state = _DEPLOYED[key]
        state.restore()
        return deployed
    deployed = deploy_workflow(stack.resolver)
    _DEPLOYED[key] = (deployed, MotoSnapshot.take(WORKFLOW_SERVICES))
    return deployed


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
