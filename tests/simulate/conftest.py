"""One control plane (moto with the seed stack from template.yaml) per test module; each run resets it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from autopilot_cli.simulate.control import ControlPlane, control_plane


@pytest.fixture(scope="module")
def plane() -> Iterator[ControlPlane]:
    with control_plane(fast=True) as built:
        yield built
