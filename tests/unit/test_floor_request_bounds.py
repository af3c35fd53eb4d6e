"""An operator's floor request at its bounds: MaxCapacity and the largest step are allowed exactly, the cost counts
the tasks beyond what already runs, and the summary says what was done."""

from __future__ import annotations

import pytest
from autopilot.logic.floor_request import decide_floor_request

from tests.unit.test_scaling_logic import inp, settings


def test_a_floor_at_max_capacity_is_allowed_and_one_more_is_refused() -> None:
    assert decide_floor_request(inp(min_=3, max_=8), 8, 30, settings()).action == "raise_floor"
    refused = decide_floor_request(inp(min_=3, max_=8), 9, 30, settings())
    assert refused.action == "none" and refused.reason.startswith("9 tasks is above MaxCapacity 8")


def test_the_largest_step_is_allowed_exactly() -> None:
    assert decide_floor_request(inp(running=3, min_=3), 7, 30, settings(max_step=4)).to_min == 7
    refused = decide_floor_request(inp(running=3, min_=3), 8, 30, settings(max_step=4))
    assert refused.reason == "8 tasks is more than the largest step allows (4 over the current 3): ask for at most 7"


@pytest.mark.parametrize(
    ("running", "desired", "min_", "delta"),
    [(5, 4, 3, 3), (4, 5, 3, 3), (3, 3, 4, 4)],  # counted from the largest of running, desired and the floor
)
def test_the_cost_counts_only_the_tasks_beyond_what_runs(running: int, desired: int, min_: int, delta: int) -> None:
    decision = decide_floor_request(inp(running=running, desired=desired, min_=min_), 8, 30, settings())
    assert decision.cost_impact.tasks_delta == delta


def test_the_summary_says_raised_and_until_when() -> None:
    decision = decide_floor_request(inp(), 5, 30, settings())
    assert decision.taken and decision.summary.startswith(
        "Raised the floor of service/c/s from 3 to 5 until 2026-11-27T14:30:00+00:00"
    )
    assert decision.reason == "operator request: floor 5 until 2026-11-27T14:30:00+00:00"
    assert decide_floor_request(inp(dry_run=True), 5, 30, settings()).summary.startswith("Would raise")
