"""Restoring a leased floor: cooldown, expiry, baseline, and floors changed by someone else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autopilot.logic.restore import decide_restore
from autopilot.models.records import Lease
from autopilot.models.scaling import RestoreInput, TargetSnapshot

T0 = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def lease(original: int = 3, leased: int = 6) -> Lease:
    return Lease(
        resource_id="service/c/s",
        original_min=original,
        leased_min=leased,
        raised_at=T0,
        expires_at=T0 + timedelta(hours=1),
        alarm_name="cpu",
        episode="e",
    )


def restore_input(min_: int = 6, ok_for: float | None = 200, state: str | None = "OK", **extra: object) -> RestoreInput:
    now = T0 + timedelta(minutes=30)
    return RestoreInput(
        now=now,
        target=TargetSnapshot(resource_id="service/c/s", min=min_, max=20),
        lease=extra.pop("lease_", lease()),
        alarm_state=state,  # type: ignore[arg-type]
        ok_since=None if ok_for is None else now - timedelta(seconds=ok_for),
        baseline_min=3,
        cooldown_seconds=180,
        task_hourly_usd=0.04937,
        **extra,  # type: ignore[arg-type]
    )


def test_restores_after_the_cooldown() -> None:
    decision = decide_restore(restore_input())
    assert (decision.action, decision.taken, decision.from_min, decision.to_min) == ("restore_floor", True, 6, 3)
    assert decision.cost_impact.tasks_delta == -3


def test_waits_while_ok_for_less_than_the_cooldown() -> None:
    assert decide_restore(restore_input(ok_for=179)).action == "none"
    assert decide_restore(restore_input(ok_for=180)).action == "restore_floor"


def test_alarm_not_ok_keeps_the_floor() -> None:
    decision = decide_restore(restore_input(state="ALARM", ok_for=None))
    assert decision.action == "none" and "ALARM" in decision.reason


def test_never_below_the_baseline() -> None:
    decision = decide_restore(restore_input(lease_=lease(original=1, leased=6)))
    assert decision.to_min == 3


def test_floor_changed_by_someone_else_is_left_and_reported() -> None:
    decision = decide_restore(restore_input(min_=8))
    assert decision.action == "drop_lease" and decision.to_min == 8
    assert "someone changed it" in decision.reason


def test_no_lease_no_change() -> None:
    decision = decide_restore(restore_input(lease_=None))
    assert decision.action == "none" and "no floor lease" in decision.reason


def test_expiry_restores_whatever_the_alarm_says() -> None:
    decision = decide_restore(restore_input(state=None, ok_for=None, by_expiry=True))
    assert decision.action == "restore_floor" and "expired" in decision.reason


def test_dry_run_restore_changes_nothing() -> None:
    decision = decide_restore(restore_input(dry_run=True))
    assert decision.action == "restore_floor" and not decision.taken
    assert decision.summary.startswith("Would restore")
