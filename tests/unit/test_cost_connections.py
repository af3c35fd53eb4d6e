"""One default max_connections per class and one pool-size rule, quoted alike by the report, README and service."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from autopilot.logic.cost_connections import default_max_connections, service_pool_plan
from autopilot.logic.cost_prices import price_book
from autopilot.logic.cost_recommendations import (
    SERVICE_DEFAULT_MAX_TASKS,
    SERVICE_DEFAULT_WORKERS,
    connection_pooling,
)
from autopilot.models.cost import Inventory, ServicePoolSettings
from hypothesis import given, settings
from hypothesis import strategies as st
from sensor_api.budget import BudgetError, plan_pools
from sensor_api.settings import ServiceSettings

from tests.unit.test_cost_model import seed_inventory
from tests.unit.test_cost_report import report

README = Path(__file__).resolve().parents[2] / "README.md"
BOOK = price_book("us-east-2")
# The template's task definition: DB_CONNECTION_BUDGET=DbConnectionBudget, MAX_TASKS=CapacityCeiling, 4 workers.
TEMPLATE_POOLS = ServicePoolSettings(db_connection_budget=300, max_tasks=30, web_concurrency=4)
# "about 410 (at most 450)", "about 410", "about 450", followed by "[connections] by default": how a text
# states the default of a class.
# "300 / (30 tasks x 4 workers) = 2 per worker[, 8 per task]", with the README's multiplication sign.
POOL_FIGURES = re.compile(r"(\d+) / \((\d+) tasks \u00d7 (\d+) workers\)\)? = (\d+) per worker(?:, (\d+) per task)?")
FIGURE = re.compile(r"(about \d+(?: \(at most \d+\))?) (?:connections )?by default")


def with_pools(pools: ServicePoolSettings) -> Inventory:
    inventory = seed_inventory()
    inventory.service.pool_settings = pools
    return inventory


def pooling_detail(inventory: Inventory) -> str:
    [rec] = [r for r in report(inventory=inventory).recommendations if r.id == "connection-pooling"]
    return rec.detail


def test_a_db_t3_medium_allows_about_410_at_most_450() -> None:
    medium = default_max_connections(4)
    assert (medium.expected, medium.upper_bound) == (410, 450)
    assert medium.phrase == "about 410 (at most 450)"


def test_the_expected_figure_matches_the_8_gib_reading_and_the_cap_holds() -> None:
    large = default_max_connections(8)
    assert large.upper_bound == 901
    assert large.expected == 830, "the reading was 832; rounded down to ten"
    assert default_max_connections(1024) == default_max_connections(2048)
    assert default_max_connections(1024).upper_bound == 5000


def test_readme_and_report_quote_one_max_connections_figure_for_a_db_t3_medium() -> None:
    readme = README.read_text(encoding="utf-8")
    in_readme = {match[1] for match in FIGURE.finditer(readme)}
    in_report = {match[1] for match in FIGURE.finditer(pooling_detail(with_pools(TEMPLATE_POOLS)))}
    assert in_readme, "the README states the default max_connections of a db.t3.medium"
    assert in_readme == in_report == {default_max_connections(4).phrase}


@pytest.mark.parametrize(
    ("budget", "max_tasks", "workers"), [(300, 30, 4), (300, 20, 4), (300, 25, 4), (500, 20, 2), (2000, 10, 4)]
)
def test_the_report_quotes_the_pool_sizes_the_service_computes(budget: int, max_tasks: int, workers: int) -> None:
    service = plan_pools(budget, max_tasks, workers)
    pools = ServicePoolSettings(db_connection_budget=budget, max_tasks=max_tasks, web_concurrency=workers)
    detail = pooling_detail(with_pools(pools))
    assert (
        f"{service.per_worker} per worker, {service.per_task} per task, {service.fleet_total:,} at {max_tasks} tasks"
        in detail
    )


def test_at_the_template_settings_the_report_says_2_per_worker_and_8_per_task() -> None:
    detail = pooling_detail(with_pools(TEMPLATE_POOLS))
    assert "floor(300 / (30 tasks x 4 workers)) = 2 per worker, 8 per task, 240 at 30 tasks" in detail
    assert "15 connections per task" not in detail


@settings(max_examples=300, deadline=None)
@given(
    budget=st.integers(min_value=0, max_value=5000),
    max_tasks=st.integers(min_value=0, max_value=60),
    workers=st.integers(min_value=0, max_value=16),
    override=st.none() | st.integers(min_value=0, max_value=50),
)
def test_the_copy_of_the_rule_agrees_with_the_service_on_every_input(
    budget: int, max_tasks: int, workers: int, override: int | None
) -> None:
    ours = service_pool_plan(budget, max_tasks, workers, override)
    try:
        theirs = plan_pools(budget, max_tasks, workers, override)
    except BudgetError:
        assert ours.refusal is not None
        return
    assert ours.refusal is None
    assert (ours.per_worker, ours.per_task) == (theirs.per_worker, theirs.per_task)
    assert ours.fleet_total == theirs.fleet_total


def test_without_settings_in_the_task_definition_the_service_defaults_are_used_and_marked() -> None:
    fields = ServiceSettings.model_fields
    assert (
        fields["max_tasks"].default,
        fields["web_concurrency"].default,
    ) == (SERVICE_DEFAULT_MAX_TASKS, SERVICE_DEFAULT_WORKERS)
    detail = pooling_detail(with_pools(ServicePoolSettings()))
    assert "MAX_TASKS=20 (the service's default)" in detail
    assert "floor(300 / (20 tasks x 4 workers)) = 3 per worker, 12 per task" in detail


def test_a_budget_the_service_would_refuse_is_reported_as_such() -> None:
    rec = connection_pooling(
        with_pools(ServicePoolSettings(db_connection_budget=100, max_tasks=30, web_concurrency=4)),
        BOOK,
        per_task=100,
        budget=300,
    )
    assert rec is not None
    assert "would refuse to start" in rec.detail
    assert "below the minimum of 2" in rec.detail


def test_the_readme_pool_figures_are_the_services() -> None:
    readme = README.read_text(encoding="utf-8")
    quoted = POOL_FIGURES.findall(readme)
    assert len(quoted) >= 2, "the settings table and the connections note both give the pool sizes"
    for budget, tasks, workers, per_worker, per_task in quoted:
        plan = plan_pools(int(budget), int(tasks), int(workers))
        assert int(per_worker) == plan.per_worker
        assert per_task in ("", str(plan.per_task))
