"""Native strategies end to end (no moto): the template's policies on a flash crowd, hand-worked times."""

from __future__ import annotations

import pytest
from autopilot_cli.simulate.config import Assumptions, Strategy, read_policies
from autopilot_cli.simulate.profiles import flash_crowd
from autopilot_cli.simulate.runner import Simulation
from autopilot_cli.simulate.session import simulate
from autopilot_cli.template_model import TemplateError

# The requests policy's target matched to the CPU target: 212 req/s x 60 % x 60 s ~ 7,600 per target-minute.
MATCHED = {"TargetRequestsPerTarget": "7600"}
ASSUME = Assumptions(capacity_rps=212.0)


def run(name: str, params: dict[str, str]):  # type: ignore[no-untyped-def]
    return Simulation(flash_crowd(), Strategy.parse(name), read_policies(params), ASSUME).run()


def test_flash_crowd_first_native_action_is_the_step_policy_at_870_s_with_one_minute_metrics() -> None:
    record = run("native-1min", MATCHED)
    # The cpu-emergency alarm (2 of 2 >= 85 %, 60 s): 600 + 2 x 60 + 150 = 870 s. Step: 3 + max(2, 1) = 5.
    first = record.activities[0]
    assert (first.at, first.by, first.from_desired, first.to_desired) == (870, "step policy", 3, 5)
    assert record.totals.overloaded_s > 0


def test_twenty_second_metrics_scale_out_250_s_earlier_and_halve_the_overload() -> None:
    slow, fast = run("native-1min", MATCHED), run("native-20s", MATCHED)
    # CPU target tracking with 20 s metrics: 600 + 3 x 20 + 20 = 680 s, desired ceil(3 x 100 / 60) = 5.
    assert (fast.activities[0].at, fast.activities[0].to_desired) == (680, 5)
    assert fast.totals.overloaded_s < slow.totals.overloaded_s * 0.6


def test_the_templates_500_requests_per_target_minute_holds_the_service_near_max_at_base_load() -> None:
    record = run("native-1min", {})
    # 150 req/s = 9,000 requests a minute over 3 targets = 3,000 each, target 500: ceil(3 x 3000 / 500) = 18
    # at 180 + 150 = 330 s, before any flash crowd.
    first = record.activities[0]
    assert (first.at, first.to_desired, first.by) == (330, 18, "target tracking (RequestsTargetTrackingPolicy)")


def test_an_unknown_template_parameter_is_refused() -> None:
    with pytest.raises(TemplateError, match="no parameter TargetRequestsPerMinute"):
        read_policies({"TargetRequestsPerMinute": "1"})


def test_native_strategies_need_no_control_plane_and_unknown_strategies_are_refused() -> None:
    comparison = simulate(flash_crowd(), ["native-1min"], assumptions=ASSUME, parameters=MATCHED)
    assert [r.strategy for r in comparison.runs] == ["native-1min"]
    with pytest.raises(ValueError, match="unknown strategy"):
        Strategy.parse("native-5min")
    with pytest.raises(ValueError, match="needs the control plane"):
        Simulation(flash_crowd(), Strategy.parse("native-1min+autopilot"), read_policies(), ASSUME)
