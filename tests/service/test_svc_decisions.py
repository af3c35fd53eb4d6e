"""Pure decisions: pool sizing from the budget, and read routing over replica snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sensor_api.budget import BudgetError, plan_pools
from sensor_api.routing import (
    ReplicaSnapshot,
    choose_read_route,
    lag_behind_primary,
    lsn_number,
    replica_lag_seconds,
    unreplayed,
)

NOW = 1000.0
CLOCK = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_default_budget_gives_three_connections_per_worker() -> None:
    plan = plan_pools(budget=300, max_tasks=20, workers=4)
    assert (plan.per_worker, plan.per_task, plan.fleet_total) == (3, 12, 240)


def test_seed_figure_of_100_connections_per_task_is_refused() -> None:
    with pytest.raises(BudgetError, match=r"2000 connections exceeds DB_CONNECTION_BUDGET=300"):
        plan_pools(budget=300, max_tasks=20, workers=4, override=25)


def test_override_within_budget_is_accepted() -> None:
    assert plan_pools(budget=300, max_tasks=10, workers=4, override=7).fleet_total == 280


def test_budget_too_small_for_the_fleet_is_refused_with_the_minimum_needed() -> None:
    with pytest.raises(BudgetError, match=r"at least 160"):
        plan_pools(budget=100, max_tasks=20, workers=4)


def test_pool_size_below_two_is_refused() -> None:
    with pytest.raises(BudgetError, match="DB_POOL_SIZE=1"):
        plan_pools(budget=300, max_tasks=1, workers=1, override=1)


def snapshot(**fields: object) -> ReplicaSnapshot:
    values: dict[str, object] = {
        "observed_at": NOW,
        "reachable": True,
        "in_recovery": True,
        "unapplied_bytes": 0,
        "last_replay_at": CLOCK - timedelta(hours=1),
        "replica_clock": CLOCK,
        "receiver_status": "streaming",
    }
    values.update(fields)
    return ReplicaSnapshot(**values)  # type: ignore[arg-type]


def route(snap: ReplicaSnapshot | None, strong: bool = False, configured: bool = True) -> tuple[str, str]:
    decision = choose_read_route(
        snap, replica_configured=configured, strong=strong, max_lag_seconds=5.0, now=NOW, max_snapshot_age=2.0
    )
    return decision.target, decision.reason


def test_idle_primary_is_not_lag_when_everything_received_is_replayed() -> None:
    snap = snapshot(unapplied_bytes=0, last_replay_at=CLOCK - timedelta(hours=1))
    assert replica_lag_seconds(snap) == 0.0
    assert route(snap) == ("replica", "replica-within-lag-bound")


def test_unreplayed_wal_counts_the_age_of_the_last_replayed_transaction() -> None:
    snap = snapshot(unapplied_bytes=8192, last_replay_at=CLOCK - timedelta(seconds=12))
    assert replica_lag_seconds(snap) == 12.0
    assert route(snap) == ("primary", "replica-lag-above-bound")


def test_small_lag_within_the_bound_reads_the_replica() -> None:
    snap = snapshot(unapplied_bytes=100, last_replay_at=CLOCK - timedelta(seconds=2))
    assert route(snap) == ("replica", "replica-within-lag-bound")


def test_unknown_receive_position_falls_back_to_timestamp_lag() -> None:
    snap = snapshot(unapplied_bytes=None, last_replay_at=CLOCK - timedelta(seconds=30))
    assert route(snap) == ("primary", "replica-lag-above-bound")


def test_lag_that_cannot_be_measured_reads_the_primary() -> None:
    snap = snapshot(unapplied_bytes=4096, last_replay_at=None)
    assert route(snap) == ("primary", "replica-lag-unknown")


@pytest.mark.parametrize(
    ("snap", "expected"),
    [
        (None, "replica-state-unknown"),
        (snapshot(observed_at=NOW - 10), "replica-state-unknown"),
        (snapshot(reachable=False, error="ConnectionRefusedError"), "replica-unreachable"),
        (snapshot(in_recovery=False), "replica-not-in-recovery"),
        (snapshot(receiver_status="stopped"), "replica-not-streaming"),
    ],
)
def test_replica_not_known_to_be_healthy_sends_reads_to_the_primary(
    snap: ReplicaSnapshot | None, expected: str
) -> None:
    assert route(snap) == ("primary", expected)


def test_hidden_receiver_status_is_not_held_against_the_replica() -> None:
    assert route(snapshot(receiver_status=None)) == ("replica", "replica-within-lag-bound")


def test_strong_consistency_always_reads_the_primary() -> None:
    assert route(snapshot(), strong=True) == ("primary", "strong-consistency")


def test_without_a_replica_reads_go_to_the_primary() -> None:
    assert route(None, configured=False) == ("primary", "no-replica-configured")


def test_lag_against_the_primary_is_the_age_of_the_oldest_unreplayed_sample() -> None:
    samples = [(990.0, 100), (995.0, 200), (999.0, 300)]
    assert lag_behind_primary(samples, replayed=100, now=NOW) == 5.0  # 200 arrived at 995, not replayed
    assert lag_behind_primary(samples, replayed=300, now=NOW) == 0.0
    assert unreplayed(samples, replayed=100) == [(995.0, 200), (999.0, 300)]


def test_kept_samples_are_bounded_without_understating_the_lag() -> None:
    samples = [(float(t), t + 1) for t in range(10)]
    kept = unreplayed(samples, replayed=0, keep=3)
    assert len(kept) == 3 and kept[0] == (0.0, 1)
    assert lag_behind_primary(kept, replayed=0, now=NOW) == NOW


def test_lag_measured_against_the_primary_wins_over_the_replicas_own_view() -> None:
    """A stalled receiver: nothing unapplied on the replica, yet 8 s behind the primary."""
    stalled = snapshot(unapplied_bytes=0, primary_lag_seconds=8.0)
    assert replica_lag_seconds(stalled) == 8.0
    assert route(stalled) == ("primary", "replica-lag-above-bound")


def test_lsn_text_becomes_its_position() -> None:
    assert lsn_number("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn_number("0/0") == 0
