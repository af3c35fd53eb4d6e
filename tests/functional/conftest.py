"""Fixtures of the functional suite: the ``autopilot`` CLI's embedded AWS daemon, the promotion function's
environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from autopilot_cli.embedded import session

from tests.helpers.aws_env import clear_settings_caches
from tests.helpers.faults import Faults, install_faults


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
