"""Each recommendation, with the saving it claims, and when it must stay silent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from autopilot.logic.cost_prices import price_book
from autopilot.logic.cost_recommendations import (
    arm_tasks,
    connection_pooling,
    expired_leases,
    gp3_storage,
    rds_graviton,
    recommend,
)
from autopilot.models.cost import LeaseCost
from autopilot.models.records import CostImpact

from tests.unit.test_cost_model import db, seed_inventory

BOOK = price_book("us-east-2")
NOW = datetime(2026, 7, 1, 6, tzinfo=UTC)


def lease(expired: bool, monthly: float = 180.20) -> LeaseCost:
    return LeaseCost(
        resource_id="service/sensor-app-cluster/sensor-app-service",
        alarm_name="cpu-emergency",
        original_min=3,
        leased_min=8,
        expires_at=NOW - timedelta(minutes=5) if expired else NOW + timedelta(minutes=5),
        expired=expired,
        cost_impact=CostImpact(tasks_delta=5, hourly_usd=0.24685, monthly_usd=monthly, summary="+5 tasks"),
    )


def test_arm_saves_the_price_difference_for_the_running_tasks() -> None:
    rec = arm_tasks(seed_inventory().service, BOOK)
    assert rec is not None
    per_task_hour = (0.04048 - 0.03238) + 2 * (0.004445 - 0.00356)
    assert rec.monthly_saving_usd == round(per_task_hour * 3 * 730, 2) == 21.62
    assert "20%" in rec.detail
    assert rec.prices_verified is True


def test_arm_is_not_recommended_for_tasks_already_on_arm() -> None:
    assert arm_tasks(seed_inventory(architecture="ARM64").service, BOOK) is None


def test_io1_with_3000_iops_saves_about_301_a_month_on_gp3() -> None:
    rec = gp3_storage(db(storage_type="io1"), BOOK)
    assert rec is not None
    assert rec.monthly_saving_usd == pytest.approx(300 + 12.5 - 11.5)
    assert rec.applies_to == ["db-1"]


def test_io1_above_3000_iops_is_compared_with_a_400_gib_gp3_volume() -> None:
    rec = gp3_storage(db(storage_type="io1", iops=6000), BOOK)
    assert rec is not None
    assert "400 GB gp3" in rec.basis
    assert rec.monthly_saving_usd == pytest.approx(600 + 12.5 - 400 * 0.115)


def test_gp2_to_gp3_claims_no_saving_at_the_same_price_but_explains_the_iops() -> None:
    rec = gp3_storage(db(storage_type="gp2", iops=None), BOOK)
    assert rec is not None
    assert rec.monthly_saving_usd == 0.0
    assert "300" in rec.detail


def test_gp3_storage_needs_no_storage_recommendation() -> None:
    assert gp3_storage(db(), BOOK) is None


def test_pooling_is_measured_against_the_smallest_class_that_fits_2000_connections() -> None:
    rec = connection_pooling(seed_inventory(), BOOK, per_task=100, budget=300)
    assert rec is not None
    assert "db.t3.2xlarge" in rec.basis
    assert rec.monthly_saving_usd == round((0.579 - 0.072) * 730 * 2, 2)
    assert "allows about 410 (at most 450) by default" in rec.detail
    assert "$21.90/month" in rec.detail, "RDS Proxy: 2 vCPU x $0.015 x 730 h"
    assert rec.prices_verified is False


def test_pooling_is_not_recommended_when_the_planned_connections_fit() -> None:
    assert connection_pooling(seed_inventory(), BOOK, per_task=20, budget=300) is None


def test_rds_graviton_sums_both_instances() -> None:
    rec = rds_graviton(seed_inventory(), BOOK)
    assert rec is not None
    assert rec.monthly_saving_usd == round((0.072 - 0.065) * 730 * 2, 2)
    assert rec.applies_to == ["sensor-postgres-high-perf", "sensor-postgres-high-perf-replica"]


def test_only_expired_leases_are_a_recommendation() -> None:
    assert expired_leases([lease(expired=False)]) is None
    rec = expired_leases([lease(expired=True), lease(expired=False)])
    assert rec is not None
    assert rec.monthly_saving_usd == 180.20


def test_recommendations_come_largest_saving_first() -> None:
    recs = recommend(seed_inventory(), BOOK, [lease(expired=True)], per_task=100, budget=300)
    savings = [r.monthly_saving_usd or 0.0 for r in recs]
    assert savings == sorted(savings, reverse=True)
    assert {r.id for r in recs} == {"connection-pooling", "expired-leases", "arm64-tasks", "rds-graviton"}
