"""Each doctor check is a pure function of one snapshot: a passing and a failing case for every one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from autopilot.models.records import Lease
from autopilot.models.replica import InstanceSnapshot
from autopilot.models.scaling import ServiceSnapshot, TargetSnapshot
from autopilot_cli.doctor import checks_config, checks_database, checks_scaling
from autopilot_cli.doctor.checks import CHECKS, run_checks
from autopilot_cli.doctor.model import Activity, AlarmView, CheckResult, DoctorSnapshot, Policy, PoolConfig
from autopilot_cli.doctor.render import exit_code

NOW = datetime.fromisoformat("2026-11-27T14:00:00+00:00")
RID = "service/sensor-app-cluster/sensor-app-service"


def db(instance_id: str, cls: str = "db.t3.medium", **extra: Any) -> InstanceSnapshot:
    return InstanceSnapshot(
        instance_id=instance_id, status="available", instance_class=cls, storage_type="gp3", allocated_gb=100, **extra
    )


def snapshot(**changes: Any) -> DoctorSnapshot:
    """The README's stack at its baseline: everything a check looks at is healthy."""
    base: dict[str, Any] = {
        "now": NOW,
        "service": ServiceSnapshot(cluster="c", service="s", desired=3, running=3, pending=0),
        "target": TargetSnapshot(resource_id=RID, min=3, max=20),
        "alarms": [
            AlarmView(name="sensor-autopilot-cpu-emergency", state="OK", period=60, datapoints_to_alarm=2),
            AlarmView(name="sensor-autopilot-p99-latency", state="OK", period=60, datapoints_to_alarm=3),
        ],
        "activities": [],
        "baseline_min": 3,
        "capacity_ceiling": 30,
        "primary": db("primary"),
        "replica": db("replica"),
        "primary_cpu": 35.0,
        "primary_connections": 120.0,
        "replica_lag": 0.4,
        "pool": PoolConfig(workers=4, budget=300, max_tasks=30),
        "stickiness": True,
        "target_cpu": 60.0,
    }
    return DoctorSnapshot(**(base | changes))


def lease(expires_in_minutes: int, leased: int = 8) -> Lease:
    return Lease(
        resource_id=RID,
        original_min=3,
        leased_min=leased,
        raised_at=NOW - timedelta(hours=1),
        expires_at=NOW + timedelta(minutes=expires_in_minutes),
        alarm_name="manual:sre",
        episode="ops|t",
    )


def activity(minutes_ago: int, count: int, status: str = "Successful", **extra: Any) -> Activity:
    return Activity(
        start=NOW - timedelta(minutes=minutes_ago),
        status=status,
        description=f"Setting desired count to {count}.",
        **extra,
    )


Check = Callable[[DoctorSnapshot, Policy], CheckResult]
FAILING: list[tuple[Check, dict[str, Any], str, str]] = [
    (checks_scaling.scaling_suspended, {"suspended": {"DynamicScalingOutSuspended": True}}, "FAIL", "Suspended"),
    (
        checks_scaling.scaling_alarms,
        {"alarms": [AlarmView(name="sensor-autopilot-cpu-emergency", state="ALARM", actions_enabled=False)]},
        "FAIL",
        "actions disabled",
    ),
    (
        checks_scaling.not_scaled_activities,
        {"activities": [activity(5, 20, status="Failed", cause="AccessDenied on ecs:UpdateService")]},
        "FAIL",
        "ecs:UpdateService",
    ),
    (checks_scaling.scaling_role, {"scaling_role": "arn:aws:iam::1:role/my-own"}, "WARN", "custom scaling role"),
    (checks_database.db_cpu, {"primary_cpu": 91.0}, "FAIL", "CPU 91 %"),
    (checks_database.db_connections, {"primary_connections": 430.0}, "FAIL", "430 connections open"),
    (checks_database.replica_use, {"replica_lag": 12.0}, "WARN", "lag 12 s > 5 s"),
    (
        checks_scaling.flapping,
        {"activities": [activity(50, 8), activity(40, 4), activity(30, 8), activity(20, 4)]},
        "WARN",
        "2 out/in reversals",
    ),
    (
        checks_database.connection_budget,
        {"pool": PoolConfig(workers=4, budget=2000, max_tasks=20, pool_size=25)},
        "FAIL",
        "100 connections per task (4 workers x 25): 2,000 at MaxCapacity 20, 3,000 at the ceiling 30",
    ),
    (
        checks_scaling.at_max,
        {
            "service": ServiceSnapshot(cluster="c", service="s", desired=30, running=30, pending=0),
            "target": TargetSnapshot(resource_id=RID, min=3, max=30),
        },
        "FAIL",
        "at the hard ceiling",
    ),
    (
        checks_config.stickiness,
        {"service": ServiceSnapshot(cluster="c", service="s", desired=9, running=9, pending=0)},
        "WARN",
        "clients stay on the old tasks",
    ),
    (checks_database.replica_parity, {"replica": db("replica", "db.t3.small")}, "FAIL", "smaller than the primary"),
    (
        checks_scaling.forgotten_lease,
        {"lease": lease(-30), "target": TargetSnapshot(resource_id=RID, min=8, max=20)},
        "FAIL",
        "is still 8 (was 3)",
    ),
    (
        checks_config.metric_resolution,
        {"alarms": [AlarmView(name="sensor-autopilot-cpu-emergency", state="OK", period=300, datapoints_to_alarm=3)]},
        "WARN",
        "300 s period x 3 = 900 s",
    ),
]


def test_every_check_has_a_failing_case_here() -> None:
    assert {c.__name__ for c, *_ in FAILING} == {c.__name__ for c in CHECKS}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_each_check_passes_on_the_readme_stack(check: Check) -> None:
    result = check(snapshot(), Policy())
    assert result.status == "OK", result.evidence
    assert result.evidence and result.fix == ""


@pytest.mark.parametrize(("check", "changes", "status", "evidence"), FAILING, ids=lambda v: getattr(v, "__name__", ""))
def test_each_check_fails_with_evidence_and_a_fix(
    check: Check, changes: dict[str, Any], status: str, evidence: str
) -> None:
    result = check(snapshot(**changes), Policy())
    assert result.status == status
    assert evidence in result.evidence and result.fix


def test_a_lease_in_force_is_ok_and_a_floor_raised_by_hand_warns() -> None:
    held = snapshot(lease=lease(30), target=TargetSnapshot(resource_id=RID, min=8, max=20))
    assert checks_scaling.forgotten_lease(held, Policy()).status == "OK"
    by_hand = snapshot(target=TargetSnapshot(resource_id=RID, min=8, max=20))
    assert checks_scaling.forgotten_lease(by_hand, Policy()).status == "WARN"


def test_at_max_below_the_ceiling_warns_and_points_at_approvals() -> None:
    at_max = snapshot(service=ServiceSnapshot(cluster="c", service="s", desired=20, running=20, pending=0))
    result = checks_scaling.at_max(at_max, Policy())
    assert result.status == "WARN" and "autopilot approvals" in result.fix


def test_activities_that_cannot_be_read_warn_instead_of_passing() -> None:
    result = checks_scaling.not_scaled_activities(snapshot(activities=None, activities_error="AccessDenied"), Policy())
    assert result.status == "WARN" and "AccessDenied" in result.evidence


def test_old_activities_do_not_count() -> None:
    old = [activity(120, 8), activity(110, 4), activity(100, 8), activity(90, 4)]
    assert checks_scaling.flapping(snapshot(activities=old), Policy()).status == "OK"


def test_exit_code_is_the_worst_status() -> None:
    assert exit_code(run_checks(snapshot())) == 0
    assert exit_code(run_checks(snapshot(replica_lag=12.0))) == 1
    assert exit_code(run_checks(snapshot(primary_cpu=95.0, replica_lag=12.0))) == 2
