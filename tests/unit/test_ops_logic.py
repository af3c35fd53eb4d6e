"""The ops API's pure decisions: an operator's floor request and a database class change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from autopilot.logic.cost_prices import price_book
from autopilot.logic.db_class import ClassChangeRefusedError, plan_class_change
from autopilot.logic.floor_request import decide_floor_request
from autopilot.models.policy import ScalingPolicy
from autopilot.models.records import Lease
from autopilot.models.scaling import ScaleOutInput, ServiceSnapshot, TargetSnapshot

NOW = datetime.fromisoformat("2026-11-27T14:00:00+00:00")
RID = "service/sensor-app-cluster/sensor-app-service"
SETTINGS = ScalingPolicy(max_step=10, max_actions_per_alarm_per_hour=3)


def inp(**changes: Any) -> ScaleOutInput:
    base: dict[str, Any] = {
        "now": NOW,
        "service": ServiceSnapshot(cluster="c", service="s", desired=3, running=3, pending=0),
        "target": TargetSnapshot(resource_id=RID, min=3, max=20),
        "alarm_name": "manual:arn:aws:iam::1:user/sre",
        "episode": "ops|tok",
        "task_hourly_usd": 0.04937,
    }
    return ScaleOutInput(**(base | changes))


def test_a_floor_request_leases_exactly_the_tasks_asked_for() -> None:
    d = decide_floor_request(inp(), 10, 30, SETTINGS)
    assert (d.action, d.taken, d.from_min, d.to_min, d.to_max) == ("raise_floor", True, 3, 10, 20)
    assert d.lease is not None and d.lease.expires_at == NOW + timedelta(minutes=30) and d.lease.original_min == 3
    assert d.cost_impact.tasks_delta == 7 and "+7 tasks" in d.summary


@pytest.mark.parametrize(
    ("changes", "tasks", "reason"),
    [
        ({}, 21, "above MaxCapacity 20"),
        ({}, 14, "ask for at most 13"),
        ({}, 3, "already 3"),
        ({"actions_last_hour": 3}, 8, "flapping guard"),
        (
            {"service": ServiceSnapshot(cluster="c", service="s", desired=3, running=3, pending=0, rolling_back=True)},
            8,
            "rolling back",
        ),
    ],
)
def test_refusals_change_nothing_and_say_why(changes: dict[str, Any], tasks: int, reason: str) -> None:
    d = decide_floor_request(inp(**changes), tasks, 30, SETTINGS)
    assert (d.action, d.taken, d.to_min) == ("none", False, 3) and reason in d.reason and d.lease is None


def test_a_dry_run_decides_but_takes_nothing() -> None:
    d = decide_floor_request(inp(dry_run=True), 8, 30, SETTINGS)
    assert (d.action, d.taken, d.dry_run) == ("raise_floor", False, True) and d.summary.startswith("Would raise")


def test_a_raise_under_an_existing_lease_keeps_its_original_floor_and_later_expiry() -> None:
    held = Lease(
        resource_id=RID,
        original_min=3,
        leased_min=6,
        raised_at=NOW - timedelta(minutes=5),
        expires_at=NOW + timedelta(minutes=50),
        alarm_name="a",
        episode="e",
    )
    d = decide_floor_request(inp(lease=held, target=TargetSnapshot(resource_id=RID, min=6, max=20)), 9, 10, SETTINGS)
    assert d.lease is not None and d.lease.original_min == 3 and d.lease.expires_at == held.expires_at


def test_a_class_change_states_its_cost_and_restart() -> None:
    change = plan_class_change(
        price_book("us-east-2"), "primary", "postgres", "db.t3.medium", "db.t3.large", False, "replica"
    )
    assert change.cost_impact.hourly_usd == pytest.approx(0.073) and change.cost_impact.monthly_usd == pytest.approx(
        53.29
    )
    assert "restarts primary" in change.restart and "replica keeps its class" in change.restart
    multi_az = plan_class_change(price_book("us-east-2"), "p", "postgres", "db.t3.medium", "db.t3.large", True, "r")
    assert multi_az.cost_impact.hourly_usd == pytest.approx(2 * 0.073) and "Multi-AZ failover" in multi_az.restart


@pytest.mark.parametrize(("wanted", "reason"), [("db.t3.medium", "already"), ("db.q9.giant", "no price")])
def test_a_class_change_that_cannot_be_priced_or_changes_nothing_is_refused(wanted: str, reason: str) -> None:
    with pytest.raises(ClassChangeRefusedError, match=reason):
        plan_class_change(price_book("us-east-2"), "p", "postgres", "db.t3.medium", wanted, False, "r")
