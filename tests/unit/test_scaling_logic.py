"""Emergency scaling decisions: the proportional step at its boundaries and every guard rail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from autopilot.logic.scaling import decide_scale_out, proportional_floor
from autopilot.models.policy import ScalingPolicy
from autopilot.models.records import Lease
from autopilot.models.scaling import ScaleOutInput, ServiceSnapshot, TargetSnapshot
from autopilot.settings.scaling import ScalingSettings

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
TASK_HOURLY = 0.04937


def settings(**overrides: object) -> ScalingPolicy:
    return ScalingPolicy(**overrides)  # type: ignore[arg-type]


def inp(
    running: int = 3,
    desired: int | None = None,
    min_: int = 3,
    max_: int = 20,
    cpu: float | None = 95.0,
    **extra: object,
) -> ScaleOutInput:
    desired = running if desired is None else desired
    return ScaleOutInput(
        now=NOW,
        service=ServiceSnapshot(cluster="c", service="s", desired=desired, running=running, pending=0),
        target=TargetSnapshot(resource_id="service/c/s", min=min_, max=max_),
        observed_cpu=cpu,
        alarm_name="cpu-emergency",
        episode="arn|t",
        task_hourly_usd=TASK_HOURLY,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("running", "cpu", "expected"),
    [
        (3, 95.0, 6),  # 3 x 95/60 x 1.1 = 5.23 -> 6
        (3, 60.0, 4),  # exactly at target: headroom gives 3.3 -> 4
        (3, 40.0, 4),  # below target: still at least running + min_step
        (10, 90.0, 17),  # 10 x 1.5 x 1.1 = 16.5 -> 17
        (0, 95.0, 2),  # nothing running counts as one task: 1.74 -> 2
    ],
)
def test_proportional_floor(running: int, cpu: float, expected: int) -> None:
    assert proportional_floor(running, cpu, settings()) == expected


def test_proportional_floor_exact_multiple_is_not_rounded_up() -> None:
    # 4 x 90/60 x 1.0 = 6.0 exactly: floating error must not make it 7
    assert proportional_floor(4, 90.0, settings(headroom=1.0)) == 6


def test_raises_floor_proportionally_with_lease_and_cost() -> None:
    decision = decide_scale_out(inp(), settings())
    assert (decision.action, decision.taken, decision.from_min, decision.to_min) == ("raise_floor", True, 3, 6)
    assert decision.lease is not None
    assert decision.lease.original_min == 3 and decision.lease.leased_min == 6
    assert decision.lease.expires_at == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert decision.cost_impact.tasks_delta == 3
    assert decision.cost_impact.hourly_usd == pytest.approx(3 * TASK_HOURLY, abs=1e-5)
    assert "+3 tasks = +$0.15/h" in decision.summary


def test_largest_step_caps_the_raise() -> None:
    decision = decide_scale_out(inp(running=10, cpu=100.0), settings(max_step=4))
    assert decision.to_min == 14
    assert "largest step 4" in decision.reason


def test_clamped_to_max_capacity() -> None:
    decision = decide_scale_out(inp(running=15, cpu=100.0), settings())
    assert decision.to_min == 20
    assert "MaxCapacity 20" in decision.reason


def test_floor_already_high_enough_is_a_skip() -> None:
    skip = decide_scale_out(inp(min_=9, running=3, cpu=95.0), settings())
    assert skip.action == "none" and not skip.taken
    assert "already 9" in skip.reason


def test_unknown_cpu_assumes_the_alarm_level_and_says_so() -> None:
    decision = decide_scale_out(inp(cpu=None), settings())
    assert decision.cpu_used == 85.0
    assert decision.to_min == 5  # 3 x 85/60 x 1.1 = 4.675 -> 5
    assert "assumed the alarm level" in decision.reason


def test_dry_run_decides_but_takes_nothing() -> None:
    decision = decide_scale_out(inp(dry_run=True), settings())
    assert decision.action == "raise_floor" and decision.to_min == 6
    assert not decision.taken and decision.dry_run
    assert decision.summary.startswith("Would raise")


def test_rolling_back_deployment_blocks_scaling() -> None:
    data = inp()
    data.service.rolling_back = True
    decision = decide_scale_out(data, settings())
    assert decision.action == "none" and "rolling back" in decision.reason


def test_flapping_guard_at_the_limit() -> None:
    assert decide_scale_out(inp(actions_last_hour=2), settings()).taken
    blocked = decide_scale_out(inp(actions_last_hour=3), settings())
    assert blocked.action == "none" and "flapping" in blocked.reason


def test_repeat_raise_keeps_the_original_floor_in_the_lease() -> None:
    earlier = Lease(
        resource_id="service/c/s",
        original_min=3,
        leased_min=6,
        raised_at=NOW,
        expires_at=NOW,
        alarm_name="cpu-emergency",
        episode="e1",
    )
    decision = decide_scale_out(inp(running=6, min_=6, cpu=99.0, lease=earlier), settings())
    assert decision.lease is not None and decision.lease.original_min == 3


def test_at_max_proposes_raising_max_behind_approval() -> None:
    decision = decide_scale_out(inp(running=20, min_=3, max_=20, cpu=97.0), settings())
    assert decision.action == "raise_max" and decision.needs_approval and not decision.taken
    assert (decision.from_max, decision.to_max) == (20, 25)
    assert decision.summary.startswith("Approval needed")


def test_approved_raise_of_max_never_passes_the_ceiling() -> None:
    decision = decide_scale_out(inp(running=28, max_=28, cpu=97.0, approval=True), settings())
    assert decision.taken and decision.to_max == 30


def test_rejected_raise_of_max_changes_nothing() -> None:
    decision = decide_scale_out(inp(running=20, max_=20, approval=False), settings())
    assert decision.action == "none" and "not approved" in decision.reason


def test_at_ceiling_nothing_more() -> None:
    decision = decide_scale_out(inp(running=30, max_=30, approval=True), settings())
    assert decision.action == "none" and "hard ceiling 30" in decision.reason


def test_raise_max_without_approval_when_configured() -> None:
    decision = decide_scale_out(inp(running=20, max_=20), settings(max_raise_requires_approval=False))
    assert decision.taken and not decision.needs_approval and decision.to_max == 25


def test_inconsistent_settings_are_refused_with_the_names() -> None:
    with pytest.raises(ValueError, match="MIN_STEP"):
        settings(min_step=5, max_step=2)
    with pytest.raises(ValueError, match="BASELINE_MIN_CAPACITY"):
        ScalingSettings(baseline_min_capacity=40, capacity_ceiling=30)


def test_the_decision_depends_on_the_policy_passed_not_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADROOM", "1.5")
    monkeypatch.setenv("MAX_STEP", "2")
    from_env = ScalingSettings().policy
    assert (from_env.headroom, from_env.max_step) == (1.5, 2)  # the settings do read it ...
    decision = decide_scale_out(inp(running=10, cpu=90.0), settings())
    assert decision.to_min == 17  # ... the logic does not: 10 x 90/60 x 1.1 = 16.5 -> 17, no clamp by 2
    assert decide_scale_out(inp(running=10, cpu=90.0), from_env).to_min == 12  # 10 + the policy's step 2


@pytest.mark.parametrize("cpu", [5.0, 50.0, 60.0])
def test_cpu_at_or_below_the_target_changes_nothing(cpu: float) -> None:
    decision = decide_scale_out(inp(min_=8, running=8, cpu=cpu), settings())
    assert (decision.action, decision.taken, decision.to_min) == ("none", False, 8)
    assert "at or below the target 60 %" in decision.reason


def test_cpu_at_or_below_the_target_proposes_no_higher_maximum() -> None:
    decision = decide_scale_out(inp(running=20, desired=20, min_=3, max_=20, cpu=40.0), settings())
    assert (decision.action, decision.needs_approval, decision.to_max) == ("none", False, 20)


def test_approval_text_says_what_was_measured() -> None:
    measured = inp(running=20, desired=20, max_=20, cpu=91.0, cpu_source="service CPU (CloudWatch)")
    decision = decide_scale_out(measured, settings())
    assert decision.needs_approval and "measured: service CPU (CloudWatch) 91.0 %" in decision.summary
