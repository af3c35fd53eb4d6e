"""``autopilot dashboard`` while a simulation runs: frames read from the emulated AWS mid-run, in virtual time,
show the floor the autopilot raised. The refresh is driven by the simulation's own progress hook; nothing sleeps."""

from __future__ import annotations

import io
import re

from autopilot.settings.cache import clear_all
from autopilot.settings.ops import get_ops_settings
from autopilot_cli.dashboard import render
from autopilot_cli.dashboard_data import collect_frame
from autopilot_cli.embedded.server import patched_environ
from autopilot_cli.simulate.config import Assumptions, Strategy, read_policies
from autopilot_cli.simulate.control import ControlPlane
from autopilot_cli.simulate.events import at
from autopilot_cli.simulate.profiles import flash_crowd
from autopilot_cli.simulate.runner import Simulation
from autopilot_cli.template_model import function_environment
from rich.console import Console

from tests.helpers.clients import clients

POLICIES = read_policies({"TargetRequestsPerTarget": "7600"})


def test_dashboard_frames_during_a_simulation_show_the_raised_floor(plane: ControlPlane) -> None:
    frames: dict[int, str] = {}

    def frame(second: int) -> None:
        if second not in (600, 900):  # before the crowd is noticed, and after the autopilot's raise (740 s)
            return
        with patched_environ(function_environment(plane.stack.resolver, "OpsApiFunction")):
            clear_all()
            shown = render(collect_frame(clients(), get_ops_settings(), at(second), 300))
        console = Console(file=io.StringIO(), width=200, record=True)
        console.print(shown)
        frames[second] = re.sub(r"[ \t]+", " ", console.export_text())

    strategy = Strategy.parse("native-20s+autopilot")
    record = Simulation(flash_crowd(), strategy, POLICIES, Assumptions(capacity_rps=212.0), plane).run(frame, 300)
    clear_all()

    raised = next(low for second, low, _ in record.bounds if 600 < second <= 900 and low > 3)
    before, after = frames[600], frames[900]
    assert "min / max │ 3 / 20" in before and "floor leases │ none" in before
    assert f"min / max │ {raised} / 20" in after and f"floor {raised} until" in after and "(was 3)" in after
    assert "raise_floor" in after and "raise_floor" not in before
