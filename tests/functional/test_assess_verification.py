"""AssessFunction on moto: the alarm it reports, the lease it sees, when it verifies a decision (only a raised floor
that was taken), what its summary says, and that a database trigger reads no service."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from autopilot.handlers import assess, emergency_scale
from autopilot.models.scaling import ScalingDecision
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.faults import count_calls
from tests.helpers.stack_state import set_running

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


@pytest.fixture
def env(function_env: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return function_env("AssessFunction")


def with_decision(**fields: Any) -> dict[str, Any]:
    """Verify's input: the alarm event and the scale-out decision it checks."""
    decision = ScalingDecision(**{"reason": "r", "summary": "s", "from_min": 3} | fields).model_dump(mode="json")
    return {"trigger": load("alarm-cpu-emergency.json"), "decision": decision}


def test_assess_reports_the_alarm_as_the_event_gave_it_and_its_reason_as_the_summary(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    result = assess.handler(load("alarm-cpu-emergency.json"), lambda_context)
    assert result["alarm"] == {
        "name": "sensor-autopilot-cpu-emergency",
        "state": "ALARM",
        "changed_at": "2026-11-27T14:00:05.123000+00:00",
        "observed": 95.1,
    }
    assert result["reasons"] == [result["summary"]] and result["lease"] is None


def test_assess_shows_the_active_floor_lease(
    stack: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    env: dict[str, str],
    lambda_context: LocalLambdaContext,
) -> None:
    function_env("EmergencyScaleFunction")
    event = load("alarm-cpu-emergency.json")
    mirror_alarm_state(event, "us-east-2")
    emergency_scale.handler(event, lambda_context)
    function_env("AssessFunction")
    result = assess.handler(event, lambda_context)
    assert result["target"]["min"] == 6
    assert (result["lease"]["original_min"], result["lease"]["leased_min"]) == (3, 6)
    assert result["lease"]["expires_at"] == "2026-11-27T15:00:05Z"


@pytest.mark.parametrize(
    "decision",
    [
        {"action": "raise_floor", "taken": False, "to_min": 6},  # proposed or dry run: nothing to verify
        {"action": "raise_max", "taken": True, "from_max": 20, "to_max": 25},
        {"action": "raise_floor", "taken": True, "to_min": None},
    ],
    ids=["not-taken", "raised-maximum", "no-floor-named"],
)
def test_only_a_taken_raise_of_the_floor_is_verified(
    decision: dict[str, Any], stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    result = assess.handler(with_decision(**decision), lambda_context)
    assert result["verification"] is None and ";" not in result["summary"]


def test_verify_says_how_many_tasks_run_of_those_expected(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    payload = with_decision(action="raise_floor", taken=True, to_min=6)
    waiting = assess.handler(payload, lambda_context)
    why = waiting["reasons"][0]
    assert waiting["summary"] == f"{why}; running 3 of the 6 expected: not yet reached"
    set_running(stack, 6)
    reached = assess.handler(payload, lambda_context)
    assert reached["summary"] == f"{why}; running 6 of the 6 expected: reached"
    assert reached["verification"] == {"expected_running": 6, "running": 6, "reached": True}


def test_a_database_trigger_is_classified_without_reading_the_service(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with count_calls("ecs", "DescribeServices") as described:
        result = assess.handler(load("rds-primary-failure.json"), lambda_context)
    assert result["kind"] == "database" and described.calls == 0
    assert (result["service"], result["target"], result["lease"], result["alarm"]) == (None, None, None, None)
    assert result["summary"] == result["reasons"][0]
