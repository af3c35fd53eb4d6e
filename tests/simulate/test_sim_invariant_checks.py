"""Each invariant check finds the violation it names (hand-made run records, no simulation)."""

from __future__ import annotations

from autopilot_cli.simulate.control import Action
from autopilot_cli.simulate.invariants import (
    Limits,
    flapping_limit,
    floors_come_back,
    leased_and_audited,
    no_stale_action,
    within_ceiling,
)
from autopilot_cli.simulate.runner import RunRecord

LIMITS = Limits(baseline=3, ceiling=30, cooldown_s=180, sweep_every_s=300, max_actions_per_hour=3)
ALARM = "sensor-autopilot-cpu-emergency"


def record(**fields: object) -> RunRecord:
    run = RunRecord("native-1min+autopilot", "hand-made", 5000)
    for name, value in fields.items():
        setattr(run, name, value)
    return run


def raise_at(second: int, *, stale: bool = False) -> Action:
    return Action(
        second=second,
        function="EmergencyScaleFunction",
        action="raise_floor",
        taken=True,
        summary="",
        alarm=ALARM,
        trigger_state="ALARM",
        trigger_second=second,
        alarm_state_then="OK" if stale else "ALARM",
        alarm_since_then=second + 5 if stale else second,
    )


def test_a_floor_still_raised_after_cooldown_and_one_sweep_is_reported() -> None:
    # Raised at 740 s, alarm OK at 920 s: the deadline is 920 + 180 + 300 = 1,400 s.
    changes = [(740, ALARM, "ALARM"), (920, ALARM, "OK")]
    late = record(bounds=[(0, 3, 20), (740, 10, 20), (1500, 3, 20)], alarm_changes=changes)
    on_time = record(bounds=[(0, 3, 20), (740, 10, 20), (1400, 3, 20)], alarm_changes=changes)
    assert floors_come_back(late, LIMITS) and floors_come_back(on_time, LIMITS) == []
    # The alarm back in ALARM before the deadline: the floor may stay.
    again = record(bounds=late.bounds, alarm_changes=[*changes, (1200, ALARM, "ALARM")])
    assert floors_come_back(again, LIMITS) == []


def test_a_floor_or_maximum_above_the_ceiling_is_reported() -> None:
    assert within_ceiling(record(bounds=[(0, 3, 20), (900, 3, 31)]), LIMITS) == [
        "at 900 s min 3 / max 31 exceed the ceiling 30"
    ]


def test_a_floor_change_without_a_lease_or_an_audit_record_is_reported() -> None:
    run = record(bounds=[(0, 3, 20), (740, 10, 20)], leases_at_raise=[False], audit=[])
    found = leased_and_audited(run)
    assert len(found) == 2 and "no lease" in found[0] and "audit" in found[1]
    audited = {"taken": True, "action": "raise_floor", "changes": {"min": [3, 10]}}
    assert leased_and_audited(record(bounds=run.bounds, leases_at_raise=[True], audit=[audited])) == []


def test_an_action_on_an_event_that_is_no_longer_the_alarms_state_is_reported() -> None:
    assert no_stale_action(record(actions=[raise_at(740)])) == []
    assert len(no_stale_action(record(actions=[raise_at(740, stale=True)]))) == 1


def test_more_actions_per_alarm_in_an_hour_than_the_limit_is_reported() -> None:
    three = [raise_at(s) for s in (0, 1000, 2000)]
    assert flapping_limit(record(actions=three), LIMITS) == []
    assert flapping_limit(record(actions=[*three, raise_at(3000)]), LIMITS) == [
        f"{ALARM}: 4 actions within an hour from 0 s"
    ]
