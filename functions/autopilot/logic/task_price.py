"""The bundled price table, and what a change of task count costs (``cost_prices.fargate_task_hourly`` prices one
task)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from autopilot.errors import ConfigurationError
from autopilot.models.records import CostImpact


@lru_cache(maxsize=1)
def price_table() -> dict[str, Any]:
    """The bundled price table (``autopilot/data/prices.json``), read once."""
    text = resources.files("autopilot").joinpath("data/prices.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def region_prices(region: str) -> dict[str, Any]:
    regions: dict[str, Any] = price_table()["regions"]
    if region not in regions:
        known = ", ".join(sorted(regions))
        raise ConfigurationError(f"no prices for region {region!r}; the price table has {known}")
    return regions[region]  # type: ignore[no-any-return]


def tasks_cost_impact(tasks_delta: int, task_hourly: float) -> CostImpact:
    """``+5 tasks = +$0.25/h`` while the change lasts (730 h a month for the monthly figure)."""
    hours = float(price_table()["hours_per_month"])
    hourly = tasks_delta * task_hourly
    if tasks_delta == 0:
        return CostImpact()
    sign = "+" if tasks_delta > 0 else "-"
    monthly = abs(hourly) * hours
    summary = (
        f"{sign}{abs(tasks_delta)} tasks = {sign}${abs(hourly):.2f}/h ({sign}${monthly:,.0f}/month while it lasts)"
    )
    return CostImpact(
        tasks_delta=tasks_delta, hourly_usd=round(hourly, 5), monthly_usd=round(hourly * hours, 2), summary=summary
    )
