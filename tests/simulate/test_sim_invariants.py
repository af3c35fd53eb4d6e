"""The control loop's invariants over many random load profiles (hypothesis), with the real handlers on moto.

Every example is a staircase of 3 to 6 load levels (2 to 15 minutes each, 50 to 2,500 req/s), sometimes with
every alarm event delivered a second time later (EventBridge delivers at least once). The examples are
generated from one fixed seed, so every test below sees the same runs (cached) and checks one invariant on them.
"""

from __future__ import annotations

from typing import Any

from autopilot_cli.simulate.config import Assumptions, Strategy, read_policies
from autopilot_cli.simulate.control import ControlPlane
from autopilot_cli.simulate.invariants import (
    Limits,
    flapping_limit,
    floors_come_back,
    leased_and_audited,
    no_stale_action,
    within_ceiling,
)
from autopilot_cli.simulate.profiles import LoadProfile
from autopilot_cli.simulate.runner import RunRecord, Simulation
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

POLICIES = read_policies({"TargetRequestsPerTarget": "7600"})
LIMITS = Limits(baseline=3, ceiling=30, cooldown_s=180, sweep_every_s=300, max_actions_per_hour=3)
_RUNS: dict[Any, RunRecord] = {}

levels = st.lists(
    st.tuples(st.integers(min_value=2, max_value=15), st.integers(min_value=50, max_value=2500)),
    min_size=3,
    max_size=6,
)
examples = st.tuples(
    levels, st.sampled_from(["native-20s+autopilot", "native-1min+autopilot"]), st.none() | st.integers(10, 400)
)
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: every new example is a whole simulated run
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def staircase(steps: list[tuple[int, int]]) -> LoadProfile:
    points: list[tuple[float, float]] = []
    t = 0
    for minutes, rps in steps:
        points += [(t, rps), (t + minutes * 60 - 1, rps)]
        t += minutes * 60
    points.append((t + 900, 100))  # 15 quiet minutes at the end: room for floors to come back
    return LoadProfile("random", tuple(points))


def simulated(plane: ControlPlane, example: tuple[list[tuple[int, int]], str, int | None]) -> RunRecord:
    key = (tuple(example[0]), example[1], example[2])
    if key not in _RUNS:
        steps, strategy, redeliver = example
        assume = Assumptions(capacity_rps=212.0, redeliver_after_s=redeliver)
        _RUNS[key] = Simulation(staircase(steps), Strategy.parse(strategy), POLICIES, assume, plane).run()
    return _RUNS[key]


@seed(20261127)
@SETTINGS
@given(example=examples)
def test_random_profiles_never_take_a_floor_or_maximum_above_the_ceiling(plane: ControlPlane, example: Any) -> None:
    assert within_ceiling(simulated(plane, example), LIMITS) == [], f"example {example}"


@seed(20261127)
@SETTINGS
@given(example=examples)
def test_random_profiles_give_every_floor_change_a_lease_and_an_audit_record(plane: ControlPlane, example: Any) -> None:
    assert leased_and_audited(simulated(plane, example)) == [], f"example {example}"


@seed(20261127)
@SETTINGS
@given(example=examples)
def test_random_profiles_never_act_on_a_stale_event(plane: ControlPlane, example: Any) -> None:
    assert no_stale_action(simulated(plane, example)) == [], f"example {example}"


@seed(20261127)
@SETTINGS
@given(example=examples)
def test_random_profiles_respect_the_flapping_limit(plane: ControlPlane, example: Any) -> None:
    assert flapping_limit(simulated(plane, example), LIMITS) == [], f"example {example}"


@seed(20261127)
@SETTINGS
@given(example=examples)
def test_random_profiles_bring_every_raised_floor_back_within_cooldown_and_one_sweep(
    plane: ControlPlane, example: Any
) -> None:
    assert floors_come_back(simulated(plane, example), LIMITS) == [], f"example {example}"
