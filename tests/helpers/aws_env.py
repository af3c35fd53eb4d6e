"""Environment for running the functions against moto: fake credentials, region, settings caches cleared."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager

import botocore.loaders
import botocore.session
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
    # moto loads thousands of public AMIs into every EC2 backend it creates; the stack uses none.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def speed_up_emulation() -> None:
    """Make each moto start cheap, for the whole test session (and the embedded daemons it spawns).

    moto replaces boto3's default session on every start, and each new botocore session parses the service
    models' JSON again (most of a stack fixture's time). One shared, read-only model loader keeps what botocore
    would cache within one session across all of them; EC2 backends skip the public AMI catalogue.
    """
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    if not hasattr(botocore.session.create_loader, "cache_info"):  # not shared yet
        botocore.session.create_loader = functools.lru_cache(maxsize=None)(botocore.loaders.create_loader)


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
