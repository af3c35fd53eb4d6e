"""AssessFunction and NotifyFunction on moto."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from autopilot.errors import ConfigurationError, InvalidEventError
from autopilot.handlers import assess, notify
from autopilot.models.scaling import ScalingDecision
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.aws_env import settings_env
from tests.helpers.stack_state import set_running

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def test_assess_classifies_and_snapshots(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("AssessFunction")
    result = assess.handler(load("alarm-cpu-emergency.json"), lambda_context)
    assert result["kind"] == "scale-out"
    assert result["service"] == {
        "desired": 3,
        "running": 3,
        "pending": 0,
        "rollout_state": "IN_PROGRESS",
        "rolling_back": False,
    }
    assert result["target"] == {"resource_id": stack.resource_id, "min": 3, "max": 20}
    assert result["alarm"]["observed"] == 95.1 and result["verification"] is None


def test_assess_verifies_a_raised_floor(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("AssessFunction")
    raised = ScalingDecision(action="raise_floor", taken=True, reason="r", summary="s", from_min=3, to_min=6)
    decision = raised.model_dump(mode="json")
    payload = {"trigger": load("alarm-cpu-emergency.json"), "decision": decision}
    assert assess.handler(payload, lambda_context)["verification"] == {
        "expected_running": 6,
        "running": 3,
        "reached": False,
    }
    set_running(stack, 6)
    assert assess.handler(payload, lambda_context)["verification"]["reached"] is True


def test_notify_publishes_one_readable_message(
    stack: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    lambda_context: LocalLambdaContext,
    sns_messages: Callable[[str], list[dict[str, Any]]],
) -> None:
    function_env("NotifyFunction")
    result = notify.handler(load("notify-restored.json"), lambda_context)
    [message] = sns_messages(stack.topic_arn)
    assert message["subject"] == result["subject"]
    assert "WHAT CHANGED" in message["message"] and "from 6 to 3" in message["message"]


def test_notify_refuses_empty_input_and_missing_topic(
    stack: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: LocalLambdaContext,
    sns_messages: Callable[[str], list[dict[str, Any]]],
) -> None:
    function_env("NotifyFunction")
    with pytest.raises(InvalidEventError, match="workflow state"):
        notify.handler({}, lambda_context)
    with (
        settings_env(monkeypatch, {"NOTIFICATION_TOPIC_ARN": ""}),
        pytest.raises(ConfigurationError, match="NOTIFICATION_TOPIC_ARN"),
    ):
        notify.handler(load("notify-restored.json"), lambda_context)
    assert sns_messages(stack.topic_arn) == []
