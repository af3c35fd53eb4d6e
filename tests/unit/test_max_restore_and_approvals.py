"""A raised MaxCapacity coming back down, and an approved raise applied only while the approved proposal holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from autopilot.logic.restore_max import decide_max_restore
from autopilot.logic.scaling import apply_approved, decide_scale_out, stale_decision
from autopilot.models.approval import Approval
from autopilot.models.records import MaxLease
from autopilot.models.scaling import ScalingDecision, TargetSnapshot

from tests.unit.test_scaling_logic import NOW, inp, settings

COOLDOWN = 180


def max_lease(original: int = 20, leased: int = 25) -> MaxLease:
    return MaxLease(
        resource_id="service/c/s",
        original_max=original,
        leased_max=leased,
        raised_at=NOW,
        expires_at=NOW + timedelta(hours=1),
        alarm_name="cpu-at-max",
        episode="e",
    )


def target(min_: int = 3, max_: int = 25) -> TargetSnapshot:
    return TargetSnapshot(resource_id="service/c/s", min=min_, max=max_)


def test_a_maximum_comes_down_after_the_cooldown_exactly() -> None:
    at = NOW + timedelta(minutes=30)
    early = decide_max_restore(max_lease(), target(), at, at - timedelta(seconds=COOLDOWN - 1), COOLDOWN, False)
    assert early.action == "none" and not early.taken and early.to_max == 25
    assert early.reason == (
        "MaxCapacity stays 25 until cpu-at-max has been OK for 180 s or the lease expires at 2026-11-27T15:00:00+00:00"
    )
    done = decide_max_restore(max_lease(), target(), at, at - timedelta(seconds=COOLDOWN), COOLDOWN, False)
    assert (done.action, done.taken, done.from_max, done.to_max) == ("restore_max", True, 25, 20)
    assert done.reason == "cpu-at-max has been OK for the cooldown: MaxCapacity back from 25 to 20"


def test_a_maximum_comes_down_at_expiry_whatever_the_alarm_and_never_below_the_floor() -> None:
    at = NOW + timedelta(hours=1)
    decision = decide_max_restore(max_lease(), target(min_=22), at, None, COOLDOWN, True)
    assert (decision.action, decision.taken, decision.dry_run, decision.to_max) == ("restore_max", False, True, 22)
    assert decision.reason == "the lease expired: MaxCapacity back from 25 to 22 (not below the current floor 22)"


def test_a_maximum_someone_else_changed_is_left_and_the_lease_dropped() -> None:
    decision = decide_max_restore(max_lease(), target(max_=27), NOW + timedelta(hours=2), None, COOLDOWN, False)
    assert (decision.action, decision.taken, decision.from_max, decision.to_max) == ("drop_lease", True, 27, 27)
    assert decision.reason == "MaxCapacity is 27, not the 25 we raised it to: someone changed it"


def proposal() -> ScalingDecision:
    at_max = decide_scale_out(inp(running=20, min_=3, max_=20, cpu=97.0), settings())
    assert at_max.needs_approval and at_max.to_max == 25
    return at_max


YES = Approval(approved=True, by="sre@example.com")


def test_an_approved_raise_applies_exactly_the_proposal() -> None:
    decision = apply_approved(proposal(), inp(running=20, max_=20), settings(), YES)
    assert (decision.action, decision.taken, decision.from_max, decision.to_max) == ("raise_max", True, 20, 25)
    assert decision.reason.startswith("approved by sre@example.com: ")
    assert decision.summary.startswith("Raised MaxCapacity of service/c/s from 20 to 25 as approved")
    assert decision.cost_impact.tasks_delta == 5


def test_a_refused_approval_changes_nothing() -> None:
    decision = apply_approved(proposal(), inp(running=20, max_=20), settings(), Approval(approved=False, by="lead"))
    assert (
        decision.action == "none" and decision.reason == "raising MaxCapacity to 25 was not approved (answered by lead)"
    )


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"max_": 22}, "MaxCapacity is 22 now, not the 20 the approved proposal started from"),
        ({"running": 12}, "the service is no longer at MaxCapacity (desired 12 of 20)"),
        ({"actions_last_hour": 3}, "alarm cpu-emergency already caused 3 actions in the last hour"),
    ],
)
def test_an_approved_raise_that_no_longer_holds_changes_nothing(changes: dict[str, int], problem: str) -> None:
    now = {"running": 20, "max_": 20} | changes
    decision = apply_approved(proposal(), inp(**now), settings(), YES)  # type: ignore[arg-type]
    assert decision.action == "none" and not decision.taken
    assert decision.reason.startswith(f"the approved raise of MaxCapacity to 25 no longer holds: {problem}")


def test_an_approval_at_the_floor_equal_to_the_maximum_still_holds() -> None:
    assert apply_approved(proposal(), inp(running=10, min_=20, max_=20), settings(), YES).taken


def test_an_approved_raise_above_a_lowered_ceiling_or_of_another_action_is_refused() -> None:
    above = apply_approved(proposal(), inp(running=20, max_=20), settings(capacity_ceiling=24), YES)
    assert above.reason.endswith("the approved 25 is above the hard ceiling 24")
    floor = decide_scale_out(inp(), settings())
    other = apply_approved(floor, inp(running=20, max_=20), settings(), YES)
    assert other.reason.endswith("the approved proposal is 'raise_floor', not a raise of MaxCapacity")


def test_a_stale_event_decides_nothing_and_says_why() -> None:
    decision = stale_decision(inp(), "late event")
    assert (decision.action, decision.taken, decision.reason, decision.summary) == (
        "none",
        False,
        "late event",
        "No change: late event",
    )
