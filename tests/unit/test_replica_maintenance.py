"""Rule 7, pending maintenance: the primary is not replaced while RDS may be applying maintenance to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from autopilot.logic.replica_maintenance import no_pending_maintenance, window_open
from autopilot.logic.replica_verdict import assess
from autopilot.models.replica import PendingMaintenance, ReplicaPolicy

from tests.unit.test_replica_snapshots import NOW, PRIMARY, instance, observation

ARN = f"arn:aws:rds:us-east-2:123456789012:db:{PRIMARY}"  # NOW is Friday 2026-11-27 12:00 UTC


def pending(**fields: Any) -> PendingMaintenance:
    return PendingMaintenance.model_validate({"action": "system-update", "description": "OS patch"} | fields)


def with_maintenance(*actions: PendingMaintenance, window: str = "wed:06:38-wed:07:08") -> Any:
    primary = instance(PRIMARY, status="failed", arn=ARN, maintenance_window=window)
    return observation(primary=primary, primary_maintenance=list(actions))


@pytest.mark.parametrize(
    ("window", "at", "expected"),
    [
        ("fri:11:30-fri:12:30", NOW, True),
        ("fri:12:00-fri:12:30", NOW, True),
        ("fri:11:00-fri:12:00", NOW, False),  # the end is not in the window
        ("wed:06:38-wed:07:08", NOW, False),
        ("sun:23:30-mon:00:30", datetime(2026, 11, 30, 0, 10, tzinfo=UTC), True),  # wraps the week
        ("sun:23:30-mon:00:30", datetime(2026, 11, 29, 23, 45, tzinfo=UTC), True),
        ("sun:23:30-mon:00:30", NOW, False),
        ("FRI:11:30-FRI:12:30", NOW, True),
        ("", NOW, False),
        ("someday", NOW, False),
        ("xyz:11:30-fri:12:30", NOW, False),
    ],
)
def test_the_maintenance_window_is_read_in_utc_across_the_week(window: str, at: datetime, expected: bool) -> None:
    assert window_open(window, at) is expected


@pytest.mark.parametrize(
    ("action", "why"),
    [
        (pending(forced_apply=NOW - timedelta(hours=1)), "forced-apply date"),
        (pending(auto_applied_after=NOW - timedelta(days=2)), "auto-apply date"),
        (pending(current_apply=NOW), "current apply date"),
        (pending(opt_in_status="immediate"), "opted in to apply immediately"),
    ],
)
def test_an_action_that_is_due_refuses_promotion_and_says_what_to_do(action: PendingMaintenance, why: str) -> None:
    result = no_pending_maintenance(with_maintenance(action), with_maintenance(action).primary)
    assert result.outcome == "fail"
    assert result.reason.startswith("pending maintenance event: system-update (OS patch) on the primary")
    assert why in result.reason
    assert "comes back by itself" in result.reason and ARN in result.reason


def test_an_action_set_for_the_next_window_counts_only_while_that_window_is_open() -> None:
    action = pending(opt_in_status="next-maintenance")
    assert no_pending_maintenance(with_maintenance(action), with_maintenance(action).primary).outcome == "pass"
    open_now = with_maintenance(action, window="fri:11:30-fri:12:30")
    result = no_pending_maintenance(open_now, open_now.primary)
    assert result.outcome == "fail" and "next maintenance window, which is open now" in result.reason


def test_future_maintenance_does_not_block_a_promotion() -> None:
    later = pending(auto_applied_after=NOW + timedelta(days=7), forced_apply=NOW + timedelta(days=30))
    obs = with_maintenance(later)
    result = no_pending_maintenance(obs, obs.primary)
    assert (result.outcome, result.reason) == ("pass", "1 pending maintenance action(s), none due now")
    assert no_pending_maintenance(with_maintenance(), obs.primary).reason == "no pending maintenance on the primary"


def test_the_verdict_is_unsafe_while_maintenance_is_under_way() -> None:
    policy = ReplicaPolicy(mode="auto")
    assert assess(with_maintenance(pending(current_apply=NOW + timedelta(days=1))), policy).next_step == "promote"
    verdict = assess(with_maintenance(pending(forced_apply=NOW - timedelta(minutes=5))), policy)
    assert (verdict.verdict, verdict.next_step, verdict.promotable) == ("promotion_unsafe", "notify", False)
    assert "primary.no_pending_maintenance" in {r.rule for r in verdict.rules if r.outcome == "fail"}
