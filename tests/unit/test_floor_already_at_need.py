"""A floor already at the level an emergency or an operator asks for is left alone: no lease, no raise."""

from __future__ import annotations

from autopilot.logic.floor_request import decide_floor_request
from autopilot.logic.scaling import decide_scale_out

from tests.unit.test_scaling_logic import inp, settings


def test_an_emergency_needing_exactly_the_current_floor_changes_nothing() -> None:
    # 3 tasks at 95 % need 6 (3 x 95/60 x 1.1 = 5.2 -> 6); the floor is 6 already
    decision = decide_scale_out(inp(running=3, min_=6, cpu=95.0), settings())
    assert (decision.action, decision.taken, decision.lease) == ("none", False, None)
    assert (decision.from_min, decision.to_min) == (6, 6)
    assert "already 6 ≥ the 6 tasks needed" in decision.reason


def test_an_emergency_needing_one_more_than_the_floor_raises_it() -> None:
    decision = decide_scale_out(inp(running=3, min_=5, cpu=95.0), settings())
    assert (decision.action, decision.from_min, decision.to_min) == ("raise_floor", 5, 6)
    assert decision.lease is not None and decision.lease.leased_min == 6


def test_an_operator_asking_for_the_current_floor_changes_nothing() -> None:
    decision = decide_floor_request(inp(running=3, min_=6), 6, 30, settings())
    assert (decision.action, decision.taken, decision.lease) == ("none", False, None)
    assert "already 6 ≥ the 6 tasks asked for" in decision.reason


def test_an_operator_asking_for_one_more_than_the_floor_gets_a_lease() -> None:
    decision = decide_floor_request(inp(running=3, min_=6), 7, 30, settings())
    assert (decision.action, decision.to_min) == ("raise_floor", 7)
    assert decision.lease is not None and (decision.lease.original_min, decision.lease.leased_min) == (6, 7)
