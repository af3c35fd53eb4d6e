"""Hand-worked cases: a step of load gives the alarm times and desired counts AWS's documented rules give.

Conventions in the arithmetic: a 60 s datapoint for [k*60, (k+1)*60) is visible at (k+1)*60 + delay; the
default delays are 150 s (60 s metrics) and 20 s (20 s metrics). CPU steps from 30 % to 100 % at second 600.
"""

from __future__ import annotations

import pytest
from autopilot_cli.simulate.aas import AutoScaling, ScalableTarget, StepPolicy, TargetTrackingPolicy
from autopilot_cli.simulate.cloudwatch import Alarm, AlarmDefinition, AlarmDefinitionError, Metric

EMERGENCY = AlarmDefinition("cpu-emergency", 60, 2, 2, 85.0, "GreaterThanOrEqualToThreshold")


def cpu(second: int) -> float:
    return 100.0 if second >= 600 else 30.0


def first_alarm(alarm: Alarm, metric: Metric, until: int = 2000) -> int | None:
    for t in range(until):
        metric.add(t, cpu(t))
        if alarm.observe(t, metric.visible(t)) == "ALARM":
            return t
    return None


def test_emergency_alarm_with_60_second_metrics_fires_two_periods_and_the_delay_after_the_step() -> None:
    # [600,660) = 100 % visible at 660 + 150 = 810, but [540,600) = 30 % is still in the 2-datapoint window;
    # [660,720) visible at 720 + 150 = 870: two of two >= 85 % -> ALARM at 870 = 600 + 2 x 60 + 150.
    assert first_alarm(Alarm(EMERGENCY, state="OK"), Metric(60, 150)) == 870


def test_emergency_alarm_on_20_second_published_metrics_fires_at_740() -> None:
    # Same 60 s alarm, but the service publishes with a 20 s delay: 600 + 2 x 60 + 20 = 740.
    assert first_alarm(Alarm(EMERGENCY, state="OK"), Metric(60, 20)) == 740


def test_alarm_returns_to_ok_when_fewer_than_datapoints_to_alarm_breach() -> None:
    alarm = Alarm(EMERGENCY, state="OK")
    assert alarm.observe(10, [(0, 90.0), (60, 90.0)]) == "ALARM"
    # Window [90, 40]: one breaching of the two needed -> OK, stamped with the second it was evaluated.
    assert alarm.observe(20, [(120, 40.0)]) == "OK"
    assert (alarm.state, alarm.state_since) == ("OK", 20)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("comparison", "Bigger", "ComparisonOperator"),
        ("treat_missing", "sometimes", "TreatMissingData"),
        ("datapoints_to_alarm", 5, "DatapointsToAlarm 5"),
    ],
)
def test_an_alarm_definition_the_simulator_cannot_evaluate_is_refused(field: str, value: object, message: str) -> None:
    args = {"name": "x", "period": 60, "evaluation_periods": 2, "datapoints_to_alarm": 2, "threshold": 1.0}
    args |= {"comparison": "GreaterThanThreshold", field: value}
    with pytest.raises(AlarmDefinitionError, match=message):
        AlarmDefinition(**args)  # type: ignore[arg-type]


def test_metric_statistics_aggregate_one_period() -> None:
    for stat, expected in (("Average", 2.0), ("Maximum", 3.0), ("Sum", 6.0), ("Minimum", 1.0)):
        metric = Metric(3, 0, stat)
        for t, value in enumerate((1.0, 2.0, 3.0)):
            metric.add(t, value)
        assert metric.visible(3) == [(0, expected)]


def cpu_tracking(period: int, delay: int, tasks: int = 3) -> tuple[AutoScaling, Metric, TargetTrackingPolicy]:
    policy = TargetTrackingPolicy("cpu", "cpu", 60.0, period, 60, 180)
    return AutoScaling(ScalableTarget(3, 20, tasks), [policy]), Metric(period, delay), policy


def first_scale_out(aas: AutoScaling, metric: Metric, policy: TargetTrackingPolicy) -> tuple[int, int]:
    for t in range(2000):
        metric.add(t, cpu(t))
        points = metric.visible(t)
        if points:
            policy.observe(t, points)
            aas.evaluate(t, {policy.name})
        if aas.activities:
            return aas.activities[0].at, aas.activities[0].to_desired
    raise AssertionError("no scale-out")


def test_target_tracking_60_second_metrics_scales_out_after_three_datapoints_and_the_delay() -> None:
    # AlarmHigh: 3 of 3 one-minute datapoints > 60 %. [600,660), [660,720), [720,780) are 100 %; the third is
    # visible at 780 + 150 = 930. Desired = ceil(3 x 100 / 60) = ceil(5.0) = 5.
    assert first_scale_out(*cpu_tracking(60, 150)) == (930, 5)


def test_target_tracking_20_second_metrics_scales_out_at_680() -> None:
    # AlarmHigh: 3 of 3 twenty-second datapoints: [600,620), [620,640), [640,660); visible at 660 + 20 = 680,
    # 250 s earlier than with one-minute metrics. Desired = ceil(3 x 100 / 60) = 5.
    assert first_scale_out(*cpu_tracking(20, 20)) == (680, 5)


def test_target_tracking_scales_in_only_after_fifteen_minutes_below_ninety_percent_of_target() -> None:
    # 20 tasks at 20 % CPU from second 0. AlarmLow: 15 of 15 one-minute datapoints < 54 % (0.9 x 60);
    # the 15th, [840,900), is visible at 900 + 150 = 1050. Desired = ceil(20 x 20 / 60) = ceil(6.67) = 7.
    policy = TargetTrackingPolicy("cpu", "cpu", 60.0, 60, 60, 180)
    aas, metric = AutoScaling(ScalableTarget(3, 20, 20), [policy]), Metric(60, 150)
    for t in range(1200):
        metric.add(t, 20.0)
        points = metric.visible(t)
        if points:
            policy.observe(t, points)
            aas.evaluate(t, {policy.name})
    assert [(a.at, a.from_desired, a.to_desired) for a in aas.activities] == [(1050, 20, 7)]


def test_the_largest_target_tracking_policy_wins() -> None:
    cpu_policy = TargetTrackingPolicy("cpu", "cpu", 60.0, 60, 60, 180)
    req_policy = TargetTrackingPolicy("req", "requests", 500.0, 60, 60, 180)
    aas = AutoScaling(ScalableTarget(3, 20, 4), [cpu_policy, req_policy])
    for policy, value in ((cpu_policy, 90.0), (req_policy, 1000.0)):
        policy.observe(0, [(0, value), (60, value), (120, value)])
    aas.evaluate(0, {"cpu", "req"})
    # cpu: ceil(4 x 90 / 60) = 6; requests: ceil(4 x 1000 / 500) = 8 -> 8.
    assert aas.target.desired == 8


def test_scale_in_needs_every_policy_to_agree() -> None:
    cpu_policy = TargetTrackingPolicy("cpu", "cpu", 60.0, 60, 60, 180)
    req_policy = TargetTrackingPolicy("req", "requests", 500.0, 60, 60, 180)
    aas = AutoScaling(ScalableTarget(3, 20, 10), [cpu_policy, req_policy])
    cpu_policy.observe(0, [(60 * i, 10.0) for i in range(15)])  # cpu's AlarmLow in ALARM
    req_policy.observe(0, [(60 * i, 480.0) for i in range(15)])  # 480 > 450 = 0.9 x 500: not low
    aas.evaluate(0, {"cpu", "req"})
    assert aas.target.desired == 10


def test_step_policy_adds_half_the_tasks_at_least_two_and_waits_its_cooldown() -> None:
    aas = AutoScaling(ScalableTarget(3, 20, 3), [], StepPolicy("cpu-emergency", 50.0, 2, 60))
    aas.step_alarm(0, "ALARM")  # 50 % of 3 = 1.5, rounded down to 1, at least 2 -> 5
    aas.step_alarm(30, "ALARM")  # in cooldown (0 + 60): nothing
    aas.step_alarm(60, "ALARM")  # 50 % of 5 = 2.5 -> 2 -> 7
    aas.step_alarm(120, "OK")
    assert [(a.at, a.to_desired) for a in aas.activities] == [(0, 5), (60, 7)]


def test_register_scalable_target_moves_desired_into_the_new_range_and_clamps_policies() -> None:
    target = ScalableTarget(3, 20, 4)
    target.register(6, 20)  # a floor lease of 6
    assert target.desired == 6
    target.register(3, 5)
    assert target.desired == 5
    aas = AutoScaling(target, [], StepPolicy("a", 500.0, 2, 0))
    aas.step_alarm(0, "ALARM")  # 5 + 25 clamped to MaxCapacity 5: no change
    assert (target.desired, aas.activities) == (5, [])
