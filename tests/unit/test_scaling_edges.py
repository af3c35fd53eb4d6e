"""Emergency scaling at its edges: a step exactly at a clamp, the switch to raising MaxCapacity, and the ceiling."""

from __future__ import annotations

from autopilot.logic.scaling import decide_scale_out

from tests.unit.test_scaling_logic import inp, settings


def test_a_need_exactly_at_the_largest_step_or_at_max_capacity_is_not_called_clamped() -> None:
    at_step = decide_scale_out(inp(running=10, min_=3, max_=20, cpu=76.0), settings(max_step=4))  # needs 14 = 10 + 4
    assert at_step.to_min == 14 and "clamped" not in at_step.reason
    at_max = decide_scale_out(inp(running=3, min_=3, max_=6, cpu=95.0), settings())  # needs 6 = MaxCapacity
    assert at_max.to_min == 6 and "clamped" not in at_max.reason
    beyond = decide_scale_out(inp(running=3, min_=3, max_=5, cpu=95.0), settings())
    assert beyond.to_min == 5 and beyond.reason.endswith("needs 6 tasks, clamped by MaxCapacity 5")


def test_one_task_below_max_capacity_still_raises_the_floor() -> None:
    decision = decide_scale_out(inp(running=19, desired=19, min_=3, max_=20, cpu=95.0), settings())
    assert (decision.action, decision.to_min) == ("raise_floor", 20)


def test_a_floor_at_max_capacity_turns_to_raising_the_maximum() -> None:
    decision = decide_scale_out(inp(running=5, desired=5, min_=20, max_=20, cpu=95.0), settings())
    assert (decision.action, decision.from_max, decision.to_max) == ("raise_max", 20, 25)


def test_the_maximum_stops_at_the_ceiling_exactly() -> None:
    below = decide_scale_out(inp(running=29, min_=3, max_=29, cpu=95.0), settings())
    assert (below.action, below.to_max) == ("raise_max", 30)
    at = decide_scale_out(inp(running=30, min_=3, max_=30, cpu=95.0), settings())
    assert (at.action, at.taken) == ("none", False)
    assert at.reason == "at MaxCapacity 30, which is the hard ceiling 30"


def test_a_refused_or_unneeded_approval_for_the_maximum() -> None:
    refused = decide_scale_out(inp(running=20, max_=20, approval=False), settings())
    assert (refused.action, refused.reason) == ("none", "raising MaxCapacity above 20 was not approved")
    free = decide_scale_out(inp(running=20, max_=20), settings(max_raise_requires_approval=False))
    assert (free.action, free.taken, free.needs_approval) == ("raise_max", True, False)
    assert free.summary.startswith("Raised MaxCapacity of service/c/s from 20 to 25 (up to +5 tasks = ")
    dry = decide_scale_out(inp(running=20, max_=20, dry_run=True), settings(max_raise_requires_approval=False))
    assert (dry.taken, dry.summary.startswith("Would raise MaxCapacity")) == (False, True)


def test_a_rolling_back_deployment_is_named_and_the_flapping_guard_counts_the_alarm() -> None:
    data = inp()
    data.service.rolling_back = True
    assert decide_scale_out(data, settings()).reason.startswith("the ECS deployment is rolling back (circuit breaker)")
    blocked = decide_scale_out(inp(actions_last_hour=3), settings())
    assert blocked.reason == ("alarm cpu-emergency already caused 3 actions in the last hour (limit 3, flapping guard)")
