"""Fixtures of the functional suite: the ``autopilot`` CLI's embedded AWS daemon, the promotion function's
environment."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from autopilot.handlers import emergency_scale
from autopilot_cli.embedded import session
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.aws_env import clear_settings_caches
from tests.helpers.faults import Faults, install_faults
from tests.helpers.stack_state import target

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One embedded AWS daemon for the module (starting one costs seconds); stopped at the end."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOPILOT_STATE_DIR", str(tmp_path_factory.mktemp("embedded")))
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        yield
        session.stop()


@pytest.fixture
def promote_env(
    function_env: Callable[[str], dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], None]:
    """PromoteReplicaFunction's template environment, with PROMOTION_MODE as the test needs it."""
    function_env("PromoteReplicaFunction")

    def mode(value: str) -> None:
        monkeypatch.setenv("PROMOTION_MODE", value)
        clear_settings_caches()

    return mode


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """AWS errors injected into chosen calls, and a count of the calls made (tests/helpers/faults.py)."""
    return install_faults(monkeypatch)


@pytest.fixture
def raised(
    stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]], lambda_context: LocalLambdaContext
) -> EmbeddedStack:
    """The floor raised from 3 to 6 by a CPU emergency at 14:00:05 (lease until 15:00:05), with
    RestoreCapacityFunction's environment applied."""
    function_env("EmergencyScaleFunction")
    event = json.loads((EVENTS / "alarm-cpu-emergency.json").read_text())
    mirror_alarm_state(event, "us-east-2")
    emergency_scale.handler(event, lambda_context)
    assert target(stack)["MinCapacity"] == 6
    function_env("RestoreCapacityFunction")
    return stack
