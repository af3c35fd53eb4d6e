"""The autopilot in the simulation: the real handlers on moto, driven by the virtual clock.

Profile: 150 req/s, 1,500 req/s from 600 s to 1,800 s, then 150 req/s; 212 req/s per task; 20-second metrics
(the cpu-emergency alarm fires at 600 + 2 x 60 + 20 = 740 s); requests target matched to the CPU target.
"""

from __future__ import annotations

from datetime import timedelta

import boto3
from autopilot_cli.simulate.config import Assumptions, Strategy, read_policies
from autopilot_cli.simulate.control import EPOCH, ControlPlane
from autopilot_cli.simulate.invariants import Limits, check
from autopilot_cli.simulate.profiles import LoadProfile, flash_crowd
from autopilot_cli.simulate.runner import RunRecord, Simulation

POLICIES = read_policies({"TargetRequestsPerTarget": "7600"})
ASSUME = Assumptions(capacity_rps=212.0)
LIMITS = Limits(baseline=3, ceiling=30, cooldown_s=180, sweep_every_s=300, max_actions_per_hour=3)


def run(plane: ControlPlane, profile: LoadProfile | None = None, **changes: int) -> RunRecord:
    assume = Assumptions(capacity_rps=212.0, **changes)  # type: ignore[arg-type]
    strategy = Strategy.parse("native-20s+autopilot")
    return Simulation(profile or flash_crowd(), strategy, POLICIES, assume, plane).run()


def test_the_alarm_in_moto_carries_the_virtual_time_of_its_change(plane: ControlPlane) -> None:
    plane.reset(3, 20)
    plane.set_alarm(POLICIES.emergency, "ALARM", 870, [95.0, 97.0])
    alarm = boto3.client("cloudwatch").describe_alarms(AlarmNames=[POLICIES.emergency.name])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateUpdatedTimestamp"] == EPOCH + timedelta(seconds=870)


def test_a_reset_empties_the_state_table_a_run_filled(plane: ControlPlane) -> None:
    run(plane)
    table = boto3.resource("dynamodb", region_name=plane.stack.region).Table(plane.stack.table_name)
    assert table.scan()["Items"], "the run recorded nothing: there is nothing to empty"
    plane.reset(3, 20)
    assert table.scan()["Items"] == []
    assert table.get_item(Key={"pk": "probe", "sk": "probe"}).get("Item") is None
    table.put_item(Item={"pk": "probe", "sk": "probe"})
    assert table.get_item(Key={"pk": "probe", "sk": "probe"})["Item"] == {"pk": "probe", "sk": "probe"}


def test_flash_crowd_raises_the_floor_proportionally_with_a_lease_and_an_audit_record(plane: ControlPlane) -> None:
    record = run(plane)
    raise_floor = next(a for a in record.actions if a.action == "raise_floor")
    # At 740 s target tracking (680 s) has 5 tasks healthy (started 680 + 60 = 740); the alarm's datapoints are
    # 100 %: needed = ceil(5 x 100 / 60 x 1.1) = ceil(9.17) = 10.
    assert (raise_floor.second, raise_floor.taken) == (740, True)
    assert (740, 10, 20) in record.bounds
    found = check(record, LIMITS)
    assert found["within_ceiling"] == found["leased_and_audited"] == found["no_stale_action"] == []
    assert found["flapping_limit"] == []
    assert record.leases_at_raise == [True]


def test_floor_raised_in_a_flash_crowd_is_restored_within_cooldown_and_one_sweep(plane: ControlPlane) -> None:
    record = run(plane)
    # The alarm returns to OK once capacity catches up (920 s in this run: 20 tasks serve 1,500 req/s at about
    # 37 % CPU); the floor must be back to 3 by OK + 180 s cooldown + 300 s (one sweep), here 1,400 s.
    ok = next(s for s, name, state in record.alarm_changes if "emergency" in name and state == "OK")
    floor = next(low for s, low, _ in reversed(record.bounds) if s <= ok + 180 + 300)
    restores = [(a.second, a.function, a.summary) for a in record.actions if a.action != "raise_floor"]
    assert floor == 3, f"floor still {floor} at {ok + 480} s; restore attempts: {restores}"


def test_a_lost_ok_event_leaves_the_floor_to_the_first_sweep_after_the_cooldown(plane: ControlPlane) -> None:
    record = run(plane, lose_ok_events=True)
    raised = [a for a in record.actions if a.action == "raise_floor" and a.taken]
    ok_at = next(t for t, name, state in record.alarm_changes if name == POLICIES.emergency.name and state == "OK")
    # No OK event reaches RestoreCapacity; the sweeper (every 300 s) sees the lease's own alarm OK for at least
    # the 180 s cooldown at the first multiple of 300 s at or after ok_at + 180.
    due = -(-(ok_at + 180) // 300) * 300
    sweeps = [a for a in record.actions if a.function == "SweeperFunction" and a.taken]
    assert raised and not [a for a in record.actions if a.function == "RestoreCapacityFunction"]
    assert [a.second for a in sweeps] == [due], record.actions
    assert record.bounds[-1] == (due, 3, 20)


def test_every_alarm_event_delivered_twice_changes_nothing_more(plane: ControlPlane) -> None:
    once = run(plane)
    twice = run(plane, redeliver_after_s=30)
    assert [a for a in twice.actions if a.taken and a.function == "EmergencyScaleFunction"] == [
        a for a in once.actions if a.taken and a.function == "EmergencyScaleFunction"
    ]
    assert check(twice, LIMITS)["no_stale_action"] == []
