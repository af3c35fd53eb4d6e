"""Builders for the replica checks' snapshots (shared by the replica unit tests), and the pure conversions
from a trigger: the episode key and the trigger's RDS event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from autopilot.logic.replica_promotion import episode_of, trigger_event
from autopilot.models.replica import Datapoint, InstanceSnapshot, RdsEventSnapshot, ReplicaObservation
from autopilot.models.triggers import parse_trigger

EVENTS = Path(__file__).resolve().parents[2] / "events"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PRIMARY = "sensor-postgres-high-perf"
REPLICA = "sensor-postgres-high-perf-replica"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def instance(instance_id: str = PRIMARY, **changes: Any) -> InstanceSnapshot:
    fields: dict[str, Any] = {
        "instance_id": instance_id,
        "status": "available",
        "instance_class": "db.t3.medium",
        "storage_type": "gp3",
        "allocated_gb": 100,
        "endpoint_address": f"{instance_id}.example.us-east-2.rds.amazonaws.com",
        "created_at": CREATED,
    }
    if instance_id == REPLICA:
        fields["read_replica_source"] = PRIMARY
    return InstanceSnapshot.model_validate(fields | changes)


def failure_event(at: datetime = NOW - timedelta(seconds=30), **changes: Any) -> RdsEventSnapshot:
    fields: dict[str, Any] = {
        "source_identifier": PRIMARY,
        "at": at,
        "categories": ["failure"],
        "message": "The DB instance has failed due to an incompatible configuration",
        "event_id": "RDS-EVENT-0031",
    }
    return RdsEventSnapshot.model_validate(fields | changes)


def points(*values: float) -> list[Datapoint]:
    return [Datapoint(at=NOW - timedelta(minutes=len(values) - i), value=v) for i, v in enumerate(values)]


def observation(**changes: Any) -> ReplicaObservation:
    """A primary that is down on all three signals and a healthy replica 2 s behind."""
    fields: dict[str, Any] = {
        "now": NOW,
        "window_start": NOW - timedelta(minutes=5),
        "primary_id": PRIMARY,
        "replica_id": REPLICA,
        "primary": instance(PRIMARY, status="failed"),
        "replica": instance(REPLICA),
        "trigger_event": failure_event(),
        "primary_connections": [],
        "replica_lag": points(1.0, 2.0),
    }
    return ReplicaObservation.model_validate(fields | changes)


def healthy_observation(**changes: Any) -> ReplicaObservation:
    """Primary up and serving connections, replica 1 s behind."""
    base: dict[str, Any] = {
        "primary": instance(PRIMARY),
        "trigger_event": None,
        "primary_connections": points(40.0, 42.0),
        "replica_lag": points(1.0),
    }
    return observation(**(base | changes))


def _load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def test_episode_of_an_rds_event_is_stable_across_deliveries() -> None:
    first = episode_of(parse_trigger(_load("rds-primary-failure.json")))
    again = episode_of(parse_trigger(_load("rds-primary-failure.json")))
    assert first == again
    assert first.startswith(f"rds:{PRIMARY}|RDS-EVENT-0031|")


def test_episode_of_differs_for_another_event_time() -> None:
    event = _load("rds-primary-failure.json")
    first = episode_of(parse_trigger(event))
    event["detail"]["Date"] = "2026-11-27T12:30:00Z"
    assert episode_of(parse_trigger(event)) != first


def test_episode_of_a_manual_request_names_the_requester() -> None:
    assert episode_of(parse_trigger(_load("replica-check-manual.json"))).startswith("manual:sre-on-call|")


def test_trigger_event_turns_the_rds_event_into_a_signal_about_the_primary() -> None:
    event = trigger_event(parse_trigger(_load("rds-primary-failure.json")))
    assert event is not None
    assert event.source_identifier == PRIMARY
    assert event.categories == ["failure"]
    assert event.at == datetime(2026, 11, 27, 11, 59, 30, tzinfo=UTC)


def test_trigger_event_is_none_for_a_manual_request() -> None:
    assert trigger_event(parse_trigger(_load("replica-check-manual.json"))) is None
