"""Restoring a floor at its edges: nothing to lower, another alarm's recovery, and dry runs that take nothing."""

from __future__ import annotations

from autopilot.logic.restore import decide_restore
from autopilot.models.scaling import RestoreInput

from tests.unit.test_restore_logic import lease, restore_input


def test_a_floor_already_at_the_baseline_is_not_written_again() -> None:
    # the lease raised 3 -> 6, and the baseline is 6 now: nothing to lower, the lease is closed without a write
    at_baseline = RestoreInput.model_validate(restore_input().model_dump() | {"baseline_min": 6})
    decision = decide_restore(at_baseline)
    assert (decision.action, decision.taken, decision.from_min, decision.to_min) == ("drop_lease", True, 6, 6)
    assert decision.reason == "the alarm recovered; the floor 6 is not above the original 6"
    assert decision.summary == "Lease closed; nothing to lower"


def test_one_below_the_floor_is_restored() -> None:
    below = RestoreInput.model_validate(restore_input().model_dump() | {"baseline_min": 5})
    decision = decide_restore(below)
    assert (decision.action, decision.from_min, decision.to_min) == ("restore_floor", 6, 5)
    assert decision.summary.startswith("Restored the floor of service/c/s from 6 to 5 (-1 tasks = ")


def test_another_alarms_recovery_does_not_restore_the_floor() -> None:
    decision = decide_restore(restore_input(recovered_alarm="latency"))
    assert (decision.action, decision.taken, decision.to_min) == ("none", False, 6)
    assert decision.reason.startswith("the floor was raised by cpu; the recovery of latency does not restore it")


def test_its_own_alarms_recovery_and_the_expiry_do() -> None:
    assert decide_restore(restore_input(recovered_alarm="cpu")).action == "restore_floor"
    assert decide_restore(restore_input(recovered_alarm="latency", by_expiry=True)).action == "restore_floor"


def test_a_changed_floor_is_dropped_and_a_dry_run_takes_nothing() -> None:
    assert decide_restore(restore_input(min_=4)).taken is True
    dry = decide_restore(restore_input(min_=4, dry_run=True))
    assert (dry.action, dry.taken, dry.dry_run) == ("drop_lease", False, True)
    at_baseline = RestoreInput.model_validate(restore_input(dry_run=True).model_dump() | {"baseline_min": 6})
    assert decide_restore(at_baseline).taken is False


def test_the_lease_kept_original_is_what_the_floor_comes_back_to() -> None:
    decision = decide_restore(restore_input(lease_=lease(original=5, leased=6)))
    assert decision.to_min == 5 and decision.reason.endswith("original floor 5, baseline 3")
