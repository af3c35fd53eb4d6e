"""RestoreCapacityFunction and SweeperFunction on moto: floors come down, never below the baseline, never over
someone else's change."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from autopilot.errors import InvalidEventError
from autopilot.handlers import emergency_scale, restore_capacity, sweeper
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.faults import count_calls
from tests.helpers.stack_state import set_target, table_items, target

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


@pytest.fixture
def raised(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> EmbeddedStack:
    """The floor raised from 3 to 6 by a CPU emergency at 14:00:05."""
    function_env("EmergencyScaleFunction")
    emergency_scale.handler(load("alarm-cpu-emergency.json"), lambda_context)
    assert target(stack)["MinCapacity"] == 6
    function_env("RestoreCapacityFunction")
    return stack


def test_ok_for_less_than_the_cooldown_keeps_the_floor(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    result = restore_capacity.handler(load("alarm-cpu-recovered.json"), lambda_context)
    assert result["action"] == "none" and "less than the scale-in cooldown" in result["reason"]
    assert target(raised)["MinCapacity"] == 6 and len(table_items(raised, "LEASE#")) == 1


def test_ok_past_the_cooldown_restores_the_original_floor(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    event = {"trigger": load("alarm-cpu-recovered.json"), "now": "2026-11-27T14:23:06Z"}
    result = restore_capacity.handler(event, lambda_context)
    assert (result["action"], result["taken"], result["to_min"]) == ("restore_floor", True, 3)
    assert target(raised)["MinCapacity"] == 3 and table_items(raised, "LEASE#") == []
    actions = sorted(a["action"] for a in table_items(raised, "AUDIT#"))
    assert actions == ["raise_floor", "restore_floor"]


def test_floor_changed_by_an_operator_is_not_overwritten(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    set_target(raised, min_capacity=8)
    event = {"trigger": load("alarm-cpu-recovered.json"), "now": "2026-11-27T14:30:00Z"}
    result = restore_capacity.handler(event, lambda_context)
    assert result["action"] == "drop_lease" and "someone changed it" in result["reason"]
    assert target(raised)["MinCapacity"] == 8 and table_items(raised, "LEASE#") == []


def test_restore_without_a_lease_changes_nothing(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("RestoreCapacityFunction")
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        result = restore_capacity.handler(load("alarm-cpu-recovered.json"), lambda_context)
    assert result["action"] == "none" and registered.calls == 0


def test_sweeper_restores_only_expired_leases(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("SweeperFunction")
    early = load("schedule-sweeper.json") | {"time": "2026-11-27T14:30:00Z"}
    assert sweeper.handler(early, lambda_context)["restored"] == []
    assert target(raised)["MinCapacity"] == 6
    late = load("schedule-sweeper.json")  # 15:05, after the 15:00:05 expiry
    result = sweeper.handler(late, lambda_context)
    assert [r["to_min"] for r in result["restored"]] == [3]
    assert target(raised)["MinCapacity"] == 3 and table_items(raised, "LEASE#") == []


def test_sweeper_refuses_other_events(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("SweeperFunction")
    with pytest.raises(InvalidEventError, match="schedule"):
        sweeper.handler(load("alarm-cpu-emergency.json"), lambda_context)
