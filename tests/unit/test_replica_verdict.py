"""The verdict and the workflow's next step, over whole observations (pure, no AWS)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from autopilot.logic.replica_verdict import assess
from autopilot.models.replica import PriorPromotion, RdsEventSnapshot, ReplicaPolicy, ReplicationStatus

from tests.unit.test_replica_snapshots import (
    CREATED,
    NOW,
    PRIMARY,
    REPLICA,
    healthy_observation,
    instance,
    observation,
    points,
)


def policy(mode: str = "auto", **changes: object) -> ReplicaPolicy:
    return ReplicaPolicy.model_validate({"mode": mode, "max_replica_lag_seconds": 30} | changes)


def test_primary_up_and_replica_close_is_healthy_with_nothing_to_do() -> None:
    verdict = assess(healthy_observation(), policy())
    assert verdict.verdict == "healthy"
    assert verdict.next_step == "none"
    assert not verdict.primary_unavailable
    assert verdict.lag_seconds == 1.0


def test_primary_up_with_high_lag_is_lagging_and_says_reads_go_to_the_primary() -> None:
    verdict = assess(healthy_observation(replica_lag=points(45.0)), policy())
    assert verdict.verdict == "lagging"
    assert verdict.next_step == "notify"
    assert any("reads to the primary" in r for r in verdict.reasons)
    assert not verdict.promotable


def test_lag_between_warning_and_bound_is_already_lagging() -> None:
    verdict = assess(healthy_observation(replica_lag=points(12.0)), policy(replica_lag_warning_seconds=10))
    assert verdict.verdict == "lagging"


def test_primary_up_with_replication_stopped_is_lagging() -> None:
    verdict = assess(healthy_observation(replica_lag=points(-1.0)), policy())
    assert verdict.verdict == "lagging"
    assert "ReplicaLag is -1" in verdict.summary


def test_primary_down_and_every_rule_passing_in_auto_mode_promotes() -> None:
    verdict = assess(observation(), policy("auto"), episode="ep-1")
    assert verdict.verdict == "promotion_recommended"
    assert verdict.promotable
    assert verdict.next_step == "promote"
    assert verdict.episode == "ep-1"
    assert len(verdict.signals) == 3
    assert all(rule.outcome == "pass" for rule in verdict.rules)


@pytest.mark.parametrize(
    ("mode", "step"),
    [("off", "notify"), ("recommend", "recommend"), ("approve", "request_approval"), ("auto", "promote")],
)
def test_next_step_follows_the_mode(mode: str, step: str) -> None:
    verdict = assess(observation(), policy(mode))
    assert verdict.verdict == "promotion_recommended"
    assert verdict.mode == mode
    assert verdict.next_step == step


@pytest.mark.parametrize("mode", ["approve", "auto"])
def test_unknown_lag_is_recommend_only_in_every_mode(mode: str) -> None:
    verdict = assess(observation(replica_lag=[]), policy(mode))
    assert verdict.verdict == "promotion_recommended"
    assert not verdict.promotable
    assert verdict.next_step == "recommend"
    assert any("lag unknown" in r for r in verdict.reasons)


def test_a_primary_still_reporting_available_is_recommend_only() -> None:
    # an RDS event and no connections (2 signals) but DescribeDBInstances still says available
    verdict = assess(observation(primary=instance(PRIMARY)), policy("auto"))
    assert verdict.verdict == "promotion_recommended"
    assert verdict.next_step == "recommend"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"primary": instance(PRIMARY, status="failed", multi_az=True)}, "Multi-AZ"),
        ({"replica_lag": points(31.0)}, "MAX_REPLICA_LAG_SECONDS"),
        ({"replica": instance(REPLICA, status="backing-up")}, "backing-up"),
        ({"replica": instance(REPLICA, instance_class="db.t3.small")}, "smaller"),
        ({"replica": instance(REPLICA, status_infos=[ReplicationStatus(normal=False, status="error")])}, "error"),
    ],
)
def test_primary_down_but_a_rule_failing_is_unsafe(changes: dict[str, object], expected: str) -> None:
    verdict = assess(observation(**changes), policy("auto"))
    assert verdict.verdict == "promotion_unsafe"
    assert verdict.next_step == "notify"
    assert not verdict.promotable
    assert expected in " ".join(verdict.reasons)


def test_an_observation_with_api_errors_says_cannot_observe_and_does_nothing() -> None:
    verdict = assess(observation(errors=["AWS API error after retries: ServiceUnavailable"]), policy("auto"))
    assert verdict.verdict == "promotion_unsafe"
    assert not verdict.observable
    assert verdict.next_step == "notify"
    assert "Cannot observe" in verdict.summary
    assert "nothing" in verdict.summary.lower()


def test_a_missing_replica_is_cannot_observe() -> None:
    assert not assess(observation(replica=None), policy()).observable


def test_already_promoted_replica_is_unsafe_to_promote_again() -> None:
    prior = PriorPromotion(episode="ep-0", at=NOW - timedelta(minutes=20), replica_created_at=CREATED)
    verdict = assess(observation(), policy("auto"), prior=prior, episode="ep-1")
    assert verdict.verdict == "promotion_unsafe"
    assert "already promoted" in verdict.summary


def test_same_observation_same_verdict() -> None:
    assert assess(observation(), policy()) == assess(observation(), policy())


@pytest.mark.parametrize("status", ["upgrading", "rebooting", "maintenance", "modifying"])
def test_no_promotion_while_the_primary_is_in_a_planned_state(status: str) -> None:
    down = observation(primary=instance(PRIMARY, status=status))
    verdict = assess(down, policy("auto"))
    assert verdict.next_step != "promote" and not verdict.promotable
    assert any("planned or transient" in reason for reason in verdict.reasons)


def test_no_promotion_during_a_maintenance_event_on_the_primary() -> None:
    maintenance = RdsEventSnapshot(
        source_identifier=PRIMARY, at=NOW - timedelta(minutes=2), categories=["maintenance"], message="patching"
    )
    verdict = assess(observation(primary_events=[maintenance]), policy("auto"))
    assert verdict.next_step != "promote" and any("maintenance event" in r for r in verdict.reasons)


@pytest.mark.parametrize(
    ("status", "advice"),
    [("storage-full", "raise its allocated storage"), ("inaccessible-encryption-credentials", "KMS key")],
)
def test_states_with_their_own_remedy_get_that_advice_not_a_promotion(status: str, advice: str) -> None:
    verdict = assess(observation(primary=instance(PRIMARY, status=status)), policy("auto"))
    assert verdict.verdict == "promotion_unsafe" and verdict.next_step == "notify"
    assert any(advice in reason and "do not promote" in reason for reason in verdict.reasons)
