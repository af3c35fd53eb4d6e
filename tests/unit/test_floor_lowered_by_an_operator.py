"""A floor an operator lowered below the one the lease raised is theirs: a restore never lowers it further, and a
later raise counts from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from autopilot.logic.floor_request import decide_floor_request
from autopilot.logic.restore import decide_restore
from autopilot.logic.scaling import decide_scale_out
from autopilot.models.records import Lease

from tests.unit.test_restore_logic import lease, restore_input
from tests.unit.test_scaling_logic import NOW, inp, settings


@pytest.mark.parametrize("by_expiry", [False, True])
def test_a_floor_lowered_by_an_operator_is_left_where_they_put_it(by_expiry: bool) -> None:
    # the lease raised 3 -> 6; an operator set 4 since
    decision = decide_restore(restore_input(min_=4, by_expiry=by_expiry))
    assert (decision.action, decision.from_min, decision.to_min) == ("drop_lease", 4, 4)
    assert "MinCapacity is 4, not the 6 we leased" in decision.reason


def test_a_floor_lowered_below_the_original_is_left_too() -> None:
    decision = decide_restore(restore_input(min_=2))
    assert (decision.action, decision.to_min) == ("drop_lease", 2)


def test_the_floor_the_lease_raised_comes_back_to_the_original() -> None:
    decision = decide_restore(restore_input(min_=6, lease_=lease(original=4, leased=6)))
    assert (decision.action, decision.from_min, decision.to_min) == ("restore_floor", 6, 4)


def earlier_lease() -> Lease:
    return Lease(
        resource_id="service/c/s",
        original_min=3,
        leased_min=6,
        raised_at=NOW - timedelta(minutes=20),
        expires_at=NOW + timedelta(minutes=40),
        alarm_name="cpu-emergency",
        episode="e1",
    )


def test_a_raise_over_a_floor_an_operator_lowered_keeps_their_floor_as_the_original() -> None:
    # raised 3 -> 6, lowered by hand to 4; the next emergency raises from 4, and its restore must stop at 4
    decision = decide_scale_out(inp(running=4, min_=4, cpu=99.0, lease=earlier_lease()), settings())
    assert decision.action == "raise_floor" and decision.lease is not None
    assert (decision.lease.original_min, decision.lease.leased_min) == (4, decision.to_min)


def test_a_raise_over_the_floor_the_lease_raised_keeps_the_first_original() -> None:
    decision = decide_scale_out(inp(running=6, min_=6, cpu=99.0, lease=earlier_lease()), settings())
    assert decision.lease is not None and decision.lease.original_min == 3


def test_an_operator_request_over_a_lowered_floor_keeps_the_lowered_floor_as_the_original() -> None:
    decision = decide_floor_request(inp(running=4, min_=4, lease=earlier_lease()), 8, 30, settings())
    assert decision.lease is not None and (decision.lease.original_min, decision.lease.leased_min) == (4, 8)
    assert decision.summary.endswith("it comes back to 4 when the lease expires")
