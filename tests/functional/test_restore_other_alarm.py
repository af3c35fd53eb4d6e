"""RestoreCapacityFunction on the OK of the other scale-out alarm (at-max-capacity) with no lease: there is no floor
of that alarm's to restore, so it changes nothing and reads no alarm."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import boto3
from autopilot.handlers import restore_capacity
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.faults import count_calls
from tests.helpers.stack_state import target

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_at_max_capacity_recovered_without_a_lease_changes_nothing_and_reads_no_alarm(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("RestoreCapacityFunction")
    event = copy.deepcopy(json.loads((EVENTS / "alarm-cpu-recovered.json").read_text()))
    name = f"{stack.resolver.stack_name}-at-max-capacity"
    event["detail"]["alarmName"] = name
    event["resources"] = [f"arn:aws:cloudwatch:{stack.region}:{stack.account}:alarm:{name}"]
    assert boto3.client("cloudwatch", region_name=stack.region).describe_alarms(AlarmNames=[name])["MetricAlarms"]
    before = target(stack)
    with count_calls("cloudwatch", "DescribeAlarms") as described:
        result = restore_capacity.handler(event, lambda_context)
    assert described.calls == 0  # only a lease's own alarm is read, and there is none
    assert result["action"] == "none" and target(stack) == before
