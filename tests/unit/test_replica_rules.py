"""Each rule of the promotion checklist on its own (pure functions, no AWS)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from autopilot.logic.replica_rules import (
    failure_event_signal,
    lag_within_bound,
    latest_lag,
    lock_held,
    not_already_promoted,
    not_multi_az,
    primary_not_reporting_available,
    primary_signals,
    primary_unavailable,
    replica_healthy,
)
from autopilot.models.replica import Datapoint, PriorPromotion, ReplicaPolicy, ReplicationStatus

from tests.unit.test_replica_snapshots import (
    CREATED,
    NOW,
    PRIMARY,
    REPLICA,
    failure_event,
    healthy_observation,
    instance,
    observation,
    points,
)

POLICY = ReplicaPolicy(mode="auto", max_replica_lag_seconds=30, min_unavailable_signals=2)


# rule 1: the primary is really unavailable ---------------------------------------------------------------
def test_three_signals_make_the_primary_unavailable() -> None:
    obs = observation()
    assert len(primary_signals(obs)) == 3
    result = primary_unavailable(obs, POLICY)
    assert result.outcome == "pass"
    assert "3 of 3" in result.reason


def test_one_signal_is_not_enough() -> None:
    obs = observation(primary=instance(PRIMARY), trigger_event=None)  # only "no connections" remains
    assert primary_signals(obs) == [
        f"no DatabaseConnections datapoints for the primary since {obs.window_start.isoformat()}"
    ]
    assert primary_unavailable(obs, POLICY).outcome == "fail"


def test_the_threshold_is_the_setting() -> None:
    obs = observation(primary=instance(PRIMARY), trigger_event=None)
    assert primary_unavailable(obs, POLICY.model_copy(update={"min_unavailable_signals": 1})).outcome == "pass"
    assert (
        primary_unavailable(observation(), POLICY.model_copy(update={"min_unavailable_signals": 3})).outcome == "pass"
    )


def test_a_primary_serving_connections_is_up() -> None:
    assert primary_unavailable(healthy_observation(), POLICY).outcome == "fail"
    assert primary_signals(healthy_observation()) == []


def test_api_errors_mean_cannot_observe() -> None:
    obs = observation(errors=["AWS API error after retries: Throttling"])
    result = primary_unavailable(obs, POLICY)
    assert result.outcome == "unknown"
    assert "cannot observe" in result.reason and "Throttling" in result.reason


@pytest.mark.parametrize("status", ["rebooting", "modifying", "stopped", "backing-up", "upgrading"])
def test_transient_or_intended_states_are_not_a_failure_signal(status: str) -> None:
    obs = observation(primary=instance(PRIMARY, status=status), trigger_event=None, primary_connections=points(5))
    assert primary_signals(obs) == []


def test_a_failure_event_outside_the_window_does_not_count() -> None:
    old = failure_event(at=NOW - timedelta(minutes=6))
    assert failure_event_signal(observation(trigger_event=old)) is None


def test_a_failure_event_about_another_instance_does_not_count() -> None:
    other = failure_event(source_identifier=REPLICA)
    assert failure_event_signal(observation(trigger_event=other)) is None


def test_a_restart_after_the_failure_cancels_the_event_signal() -> None:
    restarted = failure_event(
        at=NOW - timedelta(seconds=10), categories=["availability"], message="DB instance restarted", event_id=""
    )
    obs = observation(primary_events=[restarted])
    assert failure_event_signal(obs) is None


def test_a_shutdown_availability_event_is_a_signal() -> None:
    shutdown = failure_event(categories=["availability"], message="DB instance shutdown", event_id="RDS-EVENT-0004")
    assert failure_event_signal(observation(trigger_event=None, primary_events=[shutdown])) is not None


def test_a_backup_event_is_not_a_signal() -> None:
    backup = failure_event(categories=["backup"], message="Backing up DB instance", event_id="")
    assert failure_event_signal(observation(trigger_event=backup)) is None


def test_a_primary_still_reporting_available_leaves_it_to_a_human() -> None:
    assert primary_not_reporting_available(instance(PRIMARY)).outcome == "unknown"
    assert primary_not_reporting_available(instance(PRIMARY, status="failed")).outcome == "pass"


# rule 2: one promoter at a time --------------------------------------------------------------------------
def test_lock_rule() -> None:
    assert lock_held(True, "promote#r").outcome == "pass"
    refused = lock_held(False, "promote#r")
    assert refused.outcome == "fail" and "another promotion" in refused.reason


# rule 3: Multi-AZ ------------------------------------------------------------------------------------------
def test_a_multi_az_primary_is_never_replaced_by_the_replica() -> None:
    result = not_multi_az(instance(PRIMARY, multi_az=True))
    assert result.outcome == "fail"
    assert "fails over" in result.reason
    assert not_multi_az(instance(PRIMARY)).outcome == "pass"


# rule 4: replica health -------------------------------------------------------------------------------------
def test_a_healthy_replica_passes() -> None:
    assert replica_healthy(instance(REPLICA), PRIMARY, 2.0).outcome == "pass"


@pytest.mark.parametrize(
    ("changes", "lag", "expected"),
    [
        ({"status": "backing-up"}, 2.0, "backing-up"),
        ({"status": "storage-full"}, 2.0, "storage-full"),
        ({"read_replica_source": None}, 2.0, "not a read replica"),
        ({"read_replica_source": "someone-else"}, 2.0, "not a read replica"),
        (
            {
                "status_infos": [
                    ReplicationStatus(status_type="read replication", normal=False, status="error", message="WAL gap")
                ]
            },
            2.0,
            "WAL gap",
        ),
        ({}, -1.0, "ReplicaLag is -1"),
    ],
)
def test_replica_health_failures_are_named(changes: dict[str, object], lag: float, expected: str) -> None:
    result = replica_healthy(instance(REPLICA, **changes), PRIMARY, lag)
    assert result.outcome == "fail"
    assert expected in result.reason


def test_a_cross_region_source_arn_counts_as_the_primary() -> None:
    arn = f"arn:aws:rds:us-east-1:123456789012:db:{PRIMARY}"
    assert replica_healthy(instance(REPLICA, read_replica_source=arn), PRIMARY, 1.0).outcome == "pass"


# rule 5: the data-loss bound ----------------------------------------------------------------------------------
def test_lag_below_the_bound_passes() -> None:
    assert lag_within_bound(29.9, POLICY).outcome == "pass"


def test_lag_at_the_bound_fails() -> None:
    result = lag_within_bound(30.0, POLICY)
    assert result.outcome == "fail"
    assert "MAX_REPLICA_LAG_SECONDS=30" in result.reason


def test_unknown_lag_is_recommend_only() -> None:
    result = lag_within_bound(None, POLICY)
    assert result.outcome == "unknown"
    assert "recommend only" in result.reason


def test_not_replicating_lag_fails_the_bound() -> None:
    assert lag_within_bound(-1.0, POLICY).outcome == "fail"


def test_latest_lag_is_the_newest_datapoint_not_the_last_in_the_list() -> None:
    newest = Datapoint(at=NOW - timedelta(seconds=10), value=3.0)
    older = Datapoint(at=NOW - timedelta(minutes=3), value=50.0)
    assert latest_lag(observation(replica_lag=[newest, older])) == 3.0
    assert latest_lag(observation(replica_lag=[])) is None


# not promoted already (the audit trail, not RDS detachment) -------------------------------------------------------
def test_a_replica_promoted_before_is_not_promoted_again() -> None:
    prior = PriorPromotion(episode="rds:x", at=NOW - timedelta(hours=1), replica_created_at=CREATED)
    result = not_already_promoted(prior, instance(REPLICA))
    assert result.outcome == "fail"
    assert "already promoted" in result.reason


def test_a_new_replica_with_the_same_name_may_be_promoted() -> None:
    prior = PriorPromotion(episode="rds:x", at=NOW - timedelta(days=3), replica_created_at=CREATED)
    recreated = instance(REPLICA, created_at=CREATED + timedelta(days=2))
    assert not_already_promoted(prior, recreated).outcome == "pass"
    assert not_already_promoted(None, instance(REPLICA)).outcome == "pass"
