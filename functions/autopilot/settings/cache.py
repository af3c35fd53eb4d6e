"""Forget every cached settings object (tests, and the CLI when it switches environments)."""

from __future__ import annotations

from autopilot.logic.task_price import price_table
from autopilot.settings.common import get_common_settings
from autopilot.settings.cost import get_cost_settings
from autopilot.settings.ops import get_ops_settings
from autopilot.settings.replica import get_replica_settings
from autopilot.settings.scaling import get_scaling_settings


def clear_all() -> None:
    for cached in (
        get_common_settings,
        get_scaling_settings,
        get_replica_settings,
        get_cost_settings,
        price_table,
        get_ops_settings,
    ):
        cached.cache_clear()
