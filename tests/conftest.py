"""Shared fixtures: moto with the seed's stack built from template.yaml, a LambdaContext, SNS readers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from autopilot_cli.embedded.seed_stack import EmbeddedStack, seed_stack
from autopilot_cli.lambda_context import LocalLambdaContext
from autopilot_cli.template_model import function_environment, stack_environment
from moto import mock_aws

from tests.helpers.aws_env import BASE_ENV, clear_settings_caches, speed_up_emulation
from tests.helpers.sns import published


def pytest_configure(config: pytest.Config) -> None:
    speed_up_emulation()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``--dist loadgroup``) the suites that use the one local PostgreSQL run in one worker,
    one after the other, while the other worker runs the emulated-AWS suites."""
    for item in items:
        if {"service", "load"} & set(item.path.parts):
            item.add_marker(pytest.mark.xdist_group("postgres"))


MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An active moto mock in us-east-2 with fake credentials and fresh settings."""
    for name, value in BASE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    clear_settings_caches()
    with mock_aws(config=MOTO_CONFIG):
        yield
    clear_settings_caches()


@pytest.fixture
def stack(aws: None, monkeypatch: pytest.MonkeyPatch) -> EmbeddedStack:
    """The seed's stack in moto, with the environment every function gets from template.yaml."""
    built = seed_stack()
    env = stack_environment(built.resolver)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    clear_settings_caches()
    return built


@pytest.fixture
def function_env(stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], dict[str, str]]:
    """Apply one function's environment from template.yaml (as Lambda would), returning it."""

    def apply(logical_id: str) -> dict[str, str]:
        env = function_environment(stack.resolver, logical_id)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        clear_settings_caches()
        return env

    return apply


@pytest.fixture
def lambda_context() -> LocalLambdaContext:
    return LocalLambdaContext(function_name="test-function")


@pytest.fixture
def sns_messages() -> Callable[[str], list[dict[str, Any]]]:
    return published
