"""Environment for running the functions against moto: fake credentials, region, settings caches cleared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from autopilot.settings.cache import clear_all
from autopilot_cli.embedded.service_models import share_service_models

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
    # moto loads thousands of public AMIs into every EC2 backend it creates; the stack uses none.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def speed_up_emulation() -> None:
    """Make each moto start cheap, for the whole test session (and the embedded daemons it spawns): EC2 backends
    skip the public AMI catalogue, and botocore's sessions share their parsed service models (as the embedded AWS
    does: :mod:`autopilot_cli.embedded.service_models`)."""
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    share_service_models()


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
