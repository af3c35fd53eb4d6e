"""``autopilot dashboard`` frames on the embedded stack: two frames around a floor raise differ as they should.

The refresh is driven explicitly: ``run`` calls ``wait`` between frames, and here ``wait`` raises the floor
(through the ops API's operation) and plays Application Auto Scaling's part; nothing sleeps.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime

import pytest
from autopilot.models.ops import Caller, ScaleRequest
from autopilot.operations.ops_scale import request_floor
from autopilot.settings.ops import get_ops_settings
from autopilot_cli.dashboard import render, run
from autopilot_cli.dashboard_data import collect_frame
from autopilot_cli.embedded.actuator import reconcile_capacity
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from rich.console import Console, RenderableType

from tests.helpers.clients import clients

NOW = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
SRE = Caller(arn="arn:aws:iam::123456789012:user/sre-on-call")


def text_of(renderable: RenderableType) -> str:
    console = Console(file=io.StringIO(), width=200, record=True)
    console.print(renderable)
    return re.sub(r"[ \t]+", " ", console.export_text())


@pytest.fixture
def env(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> EmbeddedStack:
    function_env("OpsApiFunction")
    return stack


def test_two_frames_around_a_floor_raise(env: EmbeddedStack) -> None:
    frames: list[str] = []

    def raise_floor() -> None:
        request = ScaleRequest(tasks=8, duration_minutes=30, reason="load test", client_token="dash-0001")
        request_floor(clients(), request, SRE, NOW, get_ops_settings())
        reconcile_capacity(env.resource_id, env.region)

    shown = run(
        read=lambda: collect_frame(clients(), get_ops_settings(), NOW, 300),
        show=lambda r: frames.append(text_of(r)),
        frames=2,
        wait=raise_floor,
    )

    assert shown == 2
    before, after = frames
    assert "running / desired │ 3 / 3" in before and "min / max │ 3 / 20" in before
    assert "floor leases │ none" in before and "raise_floor" not in before
    assert "running / desired │ 8 / 8" in after and "min / max │ 8 / 20" in after
    assert "floor 8 until 2026-11-27T14:30:10Z (was 3)" in after
    assert "ops-scale" in after and "raise_floor" in after
    hourly = [float(m) for m in re.findall(r"cost now │ \$(\d+\.\d+)/h", before + after)]
    assert hourly[1] == pytest.approx(hourly[0] + 5 * 0.04937, abs=0.001)


def test_a_frame_without_metrics_says_no_data(env: EmbeddedStack) -> None:
    frame = text_of(render(collect_frame(clients(), get_ops_settings(), NOW, 300)))
    assert "CPU / memory │ no data / no data" in frame and "DB connections │ no data of budget 300" in frame
    assert "alarms in ALARM: none" in frame


def test_run_stops_after_the_frames_asked_for(env: EmbeddedStack) -> None:
    waits: list[int] = []
    shown = run(
        read=lambda: collect_frame(clients(), get_ops_settings(), NOW, None),
        show=lambda r: None,
        frames=3,
        wait=lambda: waits.append(1),
    )
    assert (shown, len(waits)) == (3, 2)
