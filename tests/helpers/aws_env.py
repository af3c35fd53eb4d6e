"""Environment for running the functions against moto: fake credentials, region, settings caches cleared."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from autopilot.settings.cache import clear_all

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
    clear_all()


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
