"""RestoreCapacityFunction and SweeperFunction after an operator lowered a leased floor by hand: the floor stays
where they put it (never lowered further), the lease is closed, and the audit record shows what was seen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from autopilot.handlers import restore_capacity
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_emergency_scale import EVENT, episode, scale
from tests.functional.test_restore_and_sweep import alarm_at, sweep_at
from tests.helpers.faults import count_calls
from tests.helpers.stack_state import set_running, set_target, table_items, target


@pytest.fixture
def raised(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> EmbeddedStack:
    """The floor raised from 3 to 6 by a CPU emergency at 14:00:05."""
    function_env("EmergencyScaleFunction")
    assert scale(EVENT, lambda_context)["to_min"] == 6
    function_env("RestoreCapacityFunction")
    return stack


def restore_audit(stack: EmbeddedStack, function: str) -> dict[str, object]:
    [record] = [a for a in table_items(stack, "AUDIT#") if a["function"] == function]
    return record


def test_recovery_leaves_a_floor_the_operator_lowered_and_records_what_it_saw(
    raised: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    set_target(raised, min_capacity=4)
    event = {"trigger": alarm_at("recovered", "OK", "2026-11-27T14:20:05Z"), "now": "2026-11-27T14:30:00Z"}
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        result = restore_capacity.handler(event, lambda_context)
    assert (result["action"], result["taken"], result["from_min"], result["to_min"]) == ("drop_lease", True, 4, 4)
    assert registered.calls == 0 and target(raised)["MinCapacity"] == 4
    assert table_items(raised, "LEASE#") == []
    record = restore_audit(raised, "restore-capacity")
    assert "MinCapacity is 4, not the 6 we leased" in str(record["reason"])
    assert record["changes"] == {"min": [4, 4]}


def test_the_sweeper_leaves_a_floor_the_operator_lowered_at_expiry(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    set_target(raised, min_capacity=4)
    function_env("SweeperFunction")
    swept = sweep_at("2026-11-27T15:05:00Z", lambda_context)  # the lease expired at 15:00:05
    assert [(r["action"], r["to_min"]) for r in swept["restored"]] == [("drop_lease", 4)]
    assert target(raised)["MinCapacity"] == 4 and table_items(raised, "LEASE#") == []
    assert "MinCapacity is 4, not the 6 we leased" in str(restore_audit(raised, "sweeper")["reason"])


def test_a_raise_after_the_operator_lowered_the_floor_comes_back_to_their_floor(
    raised: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    set_target(raised, min_capacity=4)  # by hand, under the lease that raised 3 -> 6
    set_running(raised, 4)
    function_env("EmergencyScaleFunction")
    again = scale(episode(20), lambda_context)  # 4 tasks at 95.1 % need 7
    assert (again["action"], again["from_min"], again["to_min"]) == ("raise_floor", 4, 7)
    [lease] = table_items(raised, "LEASE#")
    assert (lease["original_min"], lease["leased_min"]) == (4, 7)
    function_env("RestoreCapacityFunction")
    event = {"trigger": alarm_at("recovered", "OK", "2026-11-27T14:40:05Z"), "now": "2026-11-27T14:45:00Z"}
    result = restore_capacity.handler(event, lambda_context)
    assert (result["action"], result["from_min"], result["to_min"]) == ("restore_floor", 7, 4)
    assert target(raised)["MinCapacity"] == 4
