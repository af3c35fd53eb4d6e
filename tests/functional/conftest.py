"""Fixtures of the functional suite that talk to the ``autopilot`` CLI's embedded AWS daemon."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from autopilot_cli.embedded import session


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One embedded AWS daemon for the module (starting one costs seconds); stopped at the end."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOPILOT_STATE_DIR", str(tmp_path_factory.mktemp("embedded")))
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        yield
        session.stop()
