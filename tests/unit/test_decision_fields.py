"""The fields a decision carries beyond its action: when to look again, the CPU it used, the dry-run flag, the cost
counted from what already runs, and the words of its summary."""

from __future__ import annotations

from datetime import timedelta

from autopilot.logic.restore import decide_restore
from autopilot.logic.scaling import decide_scale_out

from tests.unit.test_restore_logic import restore_input
from tests.unit.test_scaling_logic import inp, settings


def test_a_restore_waiting_for_the_cooldown_says_when_to_look_again() -> None:
    waiting = decide_restore(restore_input(ok_for=60))
    assert waiting.recheck_in_seconds == 120
    assert waiting.recheck_at == restore_input().now - timedelta(seconds=60) + timedelta(seconds=180)
    assert waiting.reason.endswith("the cooldown is over at 2026-11-27T14:32:00+00:00 and it is checked again then")
    final = decide_restore(restore_input(ok_for=60, final_check=True))
    assert (final.recheck_at, final.recheck_in_seconds) == (None, None)
    assert final.reason.endswith("and the sweeper restores it then")


def test_an_alarm_not_ok_or_without_an_ok_time_keeps_the_floor() -> None:
    unknown = decide_restore(restore_input(state=None, ok_for=None))
    assert unknown.reason == "the alarm is unknown, not OK; the floor stays until it recovers or expires"
    no_time = decide_restore(restore_input(state="OK", ok_for=None))
    assert no_time.action == "none" and no_time.reason.startswith("the alarm is OK, not OK")


def test_dry_runs_are_flagged_on_every_restore_outcome() -> None:
    assert decide_restore(restore_input(dry_run=True)).dry_run is True
    assert decide_restore(restore_input(dry_run=True, ok_for=10)).dry_run is True
    assert decide_restore(restore_input(dry_run=True, min_=4)).dry_run is True
    expiry = decide_restore(restore_input(by_expiry=True, state="ALARM", ok_for=None))
    assert expiry.reason.startswith("the lease expired at 2026-11-27T15:00:00+00:00; original floor 3")


def test_a_skipped_scale_out_keeps_the_cpu_it_used_and_the_dry_run_flag() -> None:
    enough = decide_scale_out(inp(min_=9, dry_run=True), settings())
    assert (enough.action, enough.cpu_used, enough.dry_run) == ("none", 95.0, True)
    ceiling = decide_scale_out(inp(running=30, max_=30, cpu=91.0), settings())
    assert (ceiling.action, ceiling.cpu_used) == ("none", 91.0)


def test_a_raise_counts_its_cost_from_the_most_tasks_already_there_and_says_raised() -> None:
    by_desired = decide_scale_out(inp(running=3, desired=5, min_=3, cpu=95.0), settings())
    assert (by_desired.to_min, by_desired.cost_impact.tasks_delta) == (6, 1)
    by_floor = decide_scale_out(inp(running=3, desired=3, min_=5, cpu=95.0), settings())
    assert (by_floor.to_min, by_floor.cost_impact.tasks_delta) == (6, 1)
    assert by_floor.summary.startswith("Raised the floor of service/c/s from 5 to 6 for 60 min (+1 tasks")


def test_both_clamps_are_named_together() -> None:
    decision = decide_scale_out(inp(running=10, min_=3, max_=13, cpu=100.0), settings(max_step=4))
    assert decision.to_min == 13
    assert decision.reason.endswith("needs 19 tasks, clamped by largest step 4 and MaxCapacity 13")
