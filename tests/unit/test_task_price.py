"""One task's price and an action's cost impact, as every decision states them."""

from __future__ import annotations

import pytest
from autopilot.errors import ConfigurationError
from autopilot.logic.cost_prices import fargate_task_hourly, price_book
from autopilot.logic.task_price import tasks_cost_impact
from autopilot.models.records import CostImpact


def test_a_raise_and_a_restore_state_their_cost_both_ways() -> None:
    raised = tasks_cost_impact(5, 0.04937)
    assert (raised.tasks_delta, raised.hourly_usd, raised.monthly_usd) == (5, 0.24685, 180.2)
    assert raised.summary == "+5 tasks = +$0.25/h (+$180/month while it lasts)"
    lowered = tasks_cost_impact(-3, 0.04937)
    assert (lowered.tasks_delta, lowered.hourly_usd, lowered.monthly_usd) == (-3, -0.14811, -108.12)
    assert lowered.summary == "-3 tasks = -$0.15/h (-$108/month while it lasts)"
    assert tasks_cost_impact(0, 0.04937) == CostImpact()


def test_a_task_is_priced_by_vcpu_and_memory_per_architecture() -> None:
    book = price_book("us-east-2")
    assert fargate_task_hourly(book, 1, 2) == pytest.approx(0.04937)
    assert fargate_task_hourly(book, 1, 2, "arm64") == pytest.approx(0.0395)
    assert fargate_task_hourly(book, 2, 4) == pytest.approx(2 * 0.04937)


def test_an_unknown_region_or_architecture_is_named() -> None:
    with pytest.raises(ConfigurationError, match=r"no prices for region 'mars-1'; the price table has .*us-east-2"):
        price_book("mars-1")
    with pytest.raises(ConfigurationError, match=r"unknown Fargate architecture 'RISCV'; use X86_64 or ARM64"):
        fargate_task_hourly(price_book("us-east-2"), 1, 2, "RISCV")
