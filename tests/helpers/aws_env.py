"""Environment for running the functions against moto: fake credentials, region, settings caches cleared."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from autopilot.logic.task_price import price_table
from autopilot.settings.common import get_common_settings
from autopilot.settings.cost import get_cost_settings
from autopilot.settings.replica import get_replica_settings
from autopilot.settings.scaling import get_scaling_settings

BASE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-2",
    "AWS_REGION": "us-east-2",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "SensorAutopilot",
    "POWERTOOLS_SERVICE_NAME": "tests",
    "POWERTOOLS_DEV": "false",
}


def clear_settings_caches() -> None:
    for cached in (get_common_settings, get_scaling_settings, get_replica_settings, get_cost_settings, price_table):
        cached.cache_clear()


@contextmanager
def settings_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> Iterator[None]:
    """Set environment variables and re-read every settings class."""
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    clear_settings_caches()
    try:
        yield
    finally:
        clear_settings_caches()
