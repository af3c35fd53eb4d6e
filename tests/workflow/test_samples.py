"""The official AWS sample shapes of alarm events (single metric, metric math, composite) and an RDS failure event
run through the workflow without error: each ends in a notification, and none changes anything it should not."""

from __future__ import annotations

import pytest
from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.workflow import aws_state
from tests.workflow.conftest import Run, load_event


@pytest.mark.parametrize(
    "name", ["alarm-sample-single-metric.json", "alarm-sample-metric-math.json", "alarm-sample-composite.json"]
)
def test_aws_sample_alarm_shapes_are_notified_without_action(
    name: str, workflow_input: Run, stack: EmbeddedStack
) -> None:
    event = load_event(name)

    result = workflow_input(event)

    assert result.status == "SUCCEEDED", result.cause
    assessment = result.output["assessment"]["output"]
    assert assessment["kind"] == "unknown"
    assert assessment["alarm"]["name"] == event["detail"]["alarmName"]
    states = result.entered_states()
    assert states[states.index("Assess") :] == ["Assess", "RouteKind", "NoAction", "Notify", "Finish", "Done"]
    assert aws_state.target(stack) == (3, 20)
    (message,) = aws_state.notifications(stack)
    assert event["detail"]["alarmName"] in message["message"]


def test_an_rds_failure_event_runs_the_replica_checks_and_promotes_nothing(
    workflow_input: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    writer = aws_state.writer_host(stack)

    result = workflow_input(load_event("workflow-rds-primary-failure.json"))

    assert result.status == "SUCCEEDED", result.cause
    assert result.output["assessment"]["output"]["kind"] == "database"
    assert result.output["verdict"]["output"]["mode"] == "recommend"
    assert router.calls("PromoteReplicaFunction") == []
    assert aws_state.writer_host(stack) == writer
    assert len(aws_state.notifications(stack)) == 1
