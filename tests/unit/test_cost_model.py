"""The cost model against figures computed by hand from the AWS price pages (730 h a month)."""

from __future__ import annotations

from typing import Any

import pytest
from autopilot.errors import ConfigurationError
from autopilot.logic.cost_model import build_scenarios, db_items, load_balancer_items, task_hourly, task_items
from autopilot.logic.cost_prices import price_book, settings_overrides
from autopilot.models.cost import (
    DbInstanceInventory,
    Inventory,
    LineItem,
    LoadBalancerInventory,
    ServiceInventory,
)
from autopilot.models.prices import PriceOverride


def seed_inventory(**service: Any) -> Inventory:
    """The seed's stack: 3 x86 tasks of 1 vCPU / 2 GB (min 3, max 20), db.t3.medium + replica, gp3 100 GB, ALB."""
    fields: dict[str, Any] = {
        "cluster": "sensor-app-cluster",
        "service": "sensor-app-service",
        "running_tasks": 3,
        "desired_tasks": 3,
        "task_definition": "sensor-app:1",
        "vcpu": 1.0,
        "memory_gb": 2.0,
        "architecture": "X86_64",
        "min_capacity": 3,
        "max_capacity": 20,
    }
    fields.update(service)
    primary = db(instance_id="sensor-postgres-high-perf", role="primary")
    replica = db(instance_id="sensor-postgres-high-perf-replica", role="replica", source_instance=primary.instance_id)
    return Inventory(
        region="us-east-2",
        service=ServiceInventory(**fields),
        databases=[primary, replica],
        load_balancers=[LoadBalancerInventory(name="sensor-app-alb")],
    )


def db(**fields: Any) -> DbInstanceInventory:
    base: dict[str, Any] = {
        "instance_id": "db-1",
        "engine": "postgres",
        "instance_class": "db.t3.medium",
        "storage_type": "gp3",
        "allocated_gb": 100,
        "iops": 3000,
    }
    return DbInstanceInventory(**(base | fields))


def monthly(items: list[LineItem]) -> float:
    return round(sum(i.monthly_usd for i in items), 2)


def test_three_x86_tasks_of_1_vcpu_2_gb_cost_108_12_a_month() -> None:
    book = price_book("us-east-2")
    items = task_items(seed_inventory().service, book, 3)
    assert monthly(items) == 108.12
    assert [i.unit for i in items] == ["vCPU-hour", "GB-hour"], "memory is a line of its own"
    assert task_hourly(seed_inventory().service, book) == pytest.approx(0.04937)


def test_twenty_tasks_cost_0_987_an_hour() -> None:
    book = price_book("us-east-2")
    items = task_items(seed_inventory().service, book, 20)
    assert sum(i.monthly_usd for i in items) / 730 == pytest.approx(0.9874, abs=1e-4)


def test_db_t3_medium_primary_and_replica_cost_105_12_and_their_gp3_storage_23_00() -> None:
    book = price_book("us-east-2")
    items = [item for d in seed_inventory().databases for item in db_items(d, book)[0]]
    assert monthly([i for i in items if i.category == "rds_instance"]) == 105.12
    assert monthly([i for i in items if i.category == "rds_storage"]) == 23.00
    iops = [i for i in items if i.category == "rds_iops"]
    assert [i.monthly_usd for i in iops] == [0.0, 0.0], "3,000 IOPS are included in gp3 below 400 GiB"


def test_alb_at_one_lcu_costs_22_27_a_month() -> None:
    items, unpriced = load_balancer_items(LoadBalancerInventory(name="alb"), price_book("us-east-2"), 1.0)
    assert monthly(items) == 22.27
    assert unpriced == []


def test_seed_workload_total_is_258_51_and_only_tasks_change_between_scenarios() -> None:
    scenarios, unpriced = build_scenarios(seed_inventory(), price_book("us-east-2"), 1.0)
    by_name = {s.name: s for s in scenarios}
    assert by_name["now"].monthly_usd == 258.51
    assert by_name["min"].monthly_usd == 258.51
    assert by_name["max"].tasks == 20
    assert by_name["max"].monthly_usd == round(258.5053 + 17 * 0.04937 * 730, 2)
    assert by_name["now"].by_category == {
        "tasks": 108.12,
        "rds_instance": 105.12,
        "rds_storage": 23.0,
        "rds_iops": 0.0,
        "load_balancer": 22.27,
    }
    assert unpriced == []


def test_without_a_scalable_target_min_and_max_are_the_running_count() -> None:
    inventory = seed_inventory(running_tasks=4, min_capacity=None, max_capacity=None)
    scenarios, _ = build_scenarios(inventory, price_book("us-east-2"), 1.0)
    assert [s.tasks for s in scenarios] == [4, 4, 4]


def test_arm_tasks_use_the_arm_rates() -> None:
    items = task_items(seed_inventory(architecture="ARM64").service, price_book("us-east-2"), 1)
    assert monthly(items) == round((0.03238 + 2 * 0.00356) * 730, 2)


def test_multi_az_doubles_the_instance_and_its_storage() -> None:
    items, _ = db_items(db(multi_az=True), price_book("us-east-2"))
    by_category = {i.category: i.monthly_usd for i in items}
    assert by_category["rds_instance"] == pytest.approx(105.12)
    assert by_category["rds_storage"] == pytest.approx(23.0)
    assert "Multi-AZ" in items[0].price_source


def test_io1_with_3000_iops_costs_300_a_month_for_the_iops() -> None:
    items, _ = db_items(db(storage_type="io1"), price_book("us-east-2"))
    by_category = {i.category: i.monthly_usd for i in items}
    assert by_category["rds_iops"] == pytest.approx(300.0)
    assert by_category["rds_storage"] == pytest.approx(12.5)


def test_gp3_from_400_gib_bills_iops_above_12000() -> None:
    items, _ = db_items(db(allocated_gb=500, iops=15000), price_book("us-east-2"))
    iops = next(i for i in items if i.category == "rds_iops")
    assert iops.quantity == 3000
    assert iops.monthly_usd == pytest.approx(60.0)


def test_a_class_or_storage_missing_from_the_table_is_listed_as_unpriced_not_guessed() -> None:
    items, unpriced = db_items(db(instance_class="db.r6g.large", storage_type="aurora"), price_book("us-east-2"))
    assert items == []
    assert len(unpriced) == 2
    assert "db.r6g.large" in unpriced[0]
    nlb_items, nlb_unpriced = load_balancer_items(
        LoadBalancerInventory(name="n", type="network"), price_book("us-east-2"), 1
    )
    assert nlb_items == []
    assert "network" in nlb_unpriced[0]


def test_unverified_prices_say_so_on_their_line_items() -> None:
    items, _ = db_items(db(), price_book("us-east-2"))
    instance = next(i for i in items if i.category == "rds_instance")
    assert instance.price_verified is False
    assert "unverified" in instance.price_source


def test_override_replaces_a_price_and_records_where_it_came_from() -> None:
    book = price_book("us-east-2", settings_overrides({"rds_instance_hour/postgres/db.t3.medium/hour": 0.073}))
    rate = book.rds_hour("postgres", "db.t3.medium")
    assert rate is not None
    assert rate.value == 0.073
    assert rate.source == "PRICE_OVERRIDES setting"
    assert rate.verified is True
    assert book.overrides == ["rds_instance_hour/postgres/db.t3.medium/hour = 0.073 (PRICE_OVERRIDES setting)"]
    assert price_book("us-east-2").rds_hour("postgres", "db.t3.medium").value == 0.072, "table itself unchanged"  # type: ignore[union-attr]


def test_override_may_add_an_rds_class() -> None:
    override = {"rds_instance_hour/postgres/db.r6g.large/hour": PriceOverride(value=0.225, source="Pricing API")}
    rate = price_book("us-east-2", override).rds_hour("postgres", "db.r6g.large")
    assert rate is not None
    assert rate.value == 0.225


@pytest.mark.parametrize(
    "path",
    ["fargate/X86_64/vcpu", "nothing/here", "fargate/X86_64/source", "rds_instance_hour/mysql/db.t3.medium/hour"],
)
def test_override_of_an_unknown_figure_is_refused_with_the_path_named(path: str) -> None:
    with pytest.raises(ConfigurationError, match=path.replace("/", "/")):
        price_book("us-east-2", settings_overrides({path: 1.0}))


def test_a_region_without_prices_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="eu-west-1"):
        price_book("eu-west-1")


def test_gp3_without_reported_iops_has_its_included_baseline() -> None:
    items, _ = db_items(db(iops=None), price_book("us-east-2"))
    iops = next(i for i in items if i.category == "rds_iops")
    assert iops.quantity == 0
    assert iops.description.startswith("3,000 IOPS, 3,000 included")
