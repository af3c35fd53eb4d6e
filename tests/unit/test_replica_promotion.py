"""Pure promotion decisions: which modes may promote, what the audit trail says was done, what is left."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from autopilot.logic.replica_audit import check_record
from autopilot.logic.replica_promotion import (
    STEP_DEPLOY,
    STEP_PROMOTE,
    STEP_WRITER,
    mode_refusal,
    operator_instructions,
    prior_promotion,
    record_id,
    remaining_steps,
)
from autopilot.logic.replica_verdict import assess
from autopilot.models.approval import Approval
from autopilot.models.records import AuditRecord
from autopilot.models.replica import ReplicaPolicy

from tests.unit.test_replica_snapshots import CREATED, NOW, PRIMARY, REPLICA, observation


def record(action: str, episode: str, minutes_ago: int = 10, taken: bool = True, **extra: Any) -> AuditRecord:
    return AuditRecord(
        record_id=record_id(action, episode),
        resource_id=REPLICA,
        at=NOW - timedelta(minutes=minutes_ago),
        function="PromoteReplicaFunction",
        action=action,
        taken=taken,
        reason="test",
        episode=episode,
        **extra,
    )


@pytest.mark.parametrize("mode", ["off", "recommend"])
def test_off_and_recommend_never_promote_even_with_an_approval(mode: Any) -> None:
    refusal = mode_refusal(mode, Approval(approved=True, by="sre"))
    assert refusal is not None and mode in refusal


def test_approve_mode_needs_an_approval() -> None:
    assert "no approval" in (mode_refusal("approve", None) or "")


def test_approve_mode_refuses_a_rejection_and_names_who_said_no() -> None:
    assert "not approved (answer by sre)" in (mode_refusal("approve", Approval(approved=False, by="sre")) or "")


def test_approve_mode_with_an_approval_may_promote() -> None:
    assert mode_refusal("approve", Approval(approved=True, by="sre")) is None


def test_auto_mode_needs_no_approval() -> None:
    assert mode_refusal("auto", None) is None


def test_no_records_means_no_prior_promotion_and_every_step_left() -> None:
    assert prior_promotion([]) is None
    assert remaining_steps(None) == [STEP_PROMOTE, STEP_WRITER, STEP_DEPLOY]


def test_prior_promotion_lists_the_steps_done_for_its_episode_only() -> None:
    records = [
        record("replica_check", "ep-1", taken=False),
        record(
            STEP_PROMOTE,
            "ep-1",
            inputs={"replica_created_at": CREATED.isoformat()},
            changes={"new_writer_host": "replica.example"},
        ),
        record(STEP_WRITER, "ep-1"),
        record(STEP_DEPLOY, "ep-other"),
    ]
    prior = prior_promotion(records)
    assert prior is not None
    assert prior.episode == "ep-1"
    assert prior.steps_done == [STEP_PROMOTE, STEP_WRITER]
    assert prior.replica_created_at == CREATED
    assert prior.new_writer_host == "replica.example"
    assert remaining_steps(prior) == [STEP_DEPLOY]


def test_a_failed_promotion_record_is_not_a_promotion() -> None:
    assert prior_promotion([record(STEP_PROMOTE, "ep-1", taken=False)]) is None


def test_the_latest_promotion_wins() -> None:
    records = [record(STEP_PROMOTE, "ep-old", minutes_ago=600), record(STEP_PROMOTE, "ep-new", minutes_ago=5)]
    prior = prior_promotion(records)
    assert prior is not None and prior.episode == "ep-new"


def test_record_ids_are_deterministic_per_action_and_episode() -> None:
    assert record_id(STEP_PROMOTE, "ep-1") == record_id(STEP_PROMOTE, "ep-1")
    assert record_id(STEP_PROMOTE, "ep-1") != record_id(STEP_PROMOTE, "ep-2")
    assert record_id(STEP_PROMOTE, "ep-1") != record_id(STEP_WRITER, "ep-1")


def test_operator_instructions_cover_fencing_a_new_replica_and_rds_proxy() -> None:
    text = " ".join(operator_instructions(PRIMARY, REPLICA, "replica.example", "/stack/db/writer-host"))
    assert f"Fence the old primary {PRIMARY}" in text
    assert "new read replica" in text
    assert "RDS Proxy" in text
    assert "replica.example" in text and "/stack/db/writer-host" in text


def test_check_record_changes_nothing_and_keeps_the_rules() -> None:
    verdict = assess(observation(), ReplicaPolicy(mode="recommend"), episode="ep-1")
    first = check_record(verdict, NOW, "ReplicaCheckFunction")
    assert first.taken is False
    assert first.action == "replica_check" and first.resource_id == REPLICA
    assert first.reason.startswith("promotion_recommended -> recommend")
    assert first.inputs["rules"][0]["rule"] == "primary.unavailable"
    assert check_record(verdict, NOW, "ReplicaCheckFunction").record_id == first.record_id
