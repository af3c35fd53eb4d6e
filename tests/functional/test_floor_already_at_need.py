"""EmergencyScaleFunction when MinCapacity is already what the overload needs: no write, no lease, and an audit
record that says nothing was raised."""

from __future__ import annotations

from collections.abc import Callable

from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_emergency_scale import EVENT, scale
from tests.helpers.faults import count_calls
from tests.helpers.stack_state import set_target, table_items, target


def test_a_floor_already_at_the_needed_level_is_not_raised_to_itself(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("EmergencyScaleFunction")
    set_target(stack, min_capacity=6)  # 3 tasks at 95.1 % need ceil(3 x 95.1 / 60 x 1.1) = 6
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        result = scale(EVENT, lambda_context)
    assert (result["action"], result["taken"], result["from_min"], result["to_min"]) == ("none", False, 6, 6)
    assert registered.calls == 0 and target(stack)["MinCapacity"] == 6
    assert table_items(stack, "LEASE#") == []
    [audit] = table_items(stack, "AUDIT#")
    assert (audit["action"], audit["taken"]) == ("none", False)
    assert "the floor is already 6" in audit["reason"]


def test_a_floor_one_below_the_need_is_raised_by_one(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> None:
    function_env("EmergencyScaleFunction")
    set_target(stack, min_capacity=5)
    result = scale(EVENT, lambda_context)
    assert (result["action"], result["taken"], result["from_min"], result["to_min"]) == ("raise_floor", True, 5, 6)
    [lease] = table_items(stack, "LEASE#")
    assert (lease["original_min"], lease["leased_min"]) == (5, 6)
