"""Run several strategies over one profile, side by side, and check the invariants on each autopilot run."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from autopilot_cli.simulate.config import Assumptions, Policies, Strategy, default_assumptions, read_policies
from autopilot_cli.simulate.control import ControlPlane, control_plane
from autopilot_cli.simulate.invariants import Limits, check
from autopilot_cli.simulate.profiles import LoadProfile, load_profile
from autopilot_cli.simulate.runner import RunRecord, Simulation

Progress = Callable[[str, int, int], None]  # (strategy, second, duration)


@dataclass
class Comparison:
    profile: LoadProfile
    policies: Policies
    assumptions: Assumptions
    fast: bool
    runs: list[RunRecord] = field(default_factory=list)
    invariants: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def run(self, name: str) -> RunRecord:
        return next(r for r in self.runs if r.strategy == name)


def limits(policies: Policies, assumptions: Assumptions, max_actions: int) -> Limits:
    return Limits(
        baseline=policies.min_capacity,
        ceiling=policies.ceiling,
        cooldown_s=policies.scale_in_cooldown,
        sweep_every_s=assumptions.sweep_every_s,
        max_actions_per_hour=max_actions,
    )


def run_strategies(
    profile: LoadProfile,
    strategies: list[Strategy],
    policies: Policies,
    assumptions: Assumptions,
    plane: ControlPlane | None,
    progress: Progress | None = None,
) -> Comparison:
    """Every strategy over the same profile; ``plane`` is needed when one of them uses the autopilot."""
    comparison = Comparison(profile, policies, assumptions, fast=plane.fast if plane else True)
    max_actions = int(policies.parameters.get("MaxActionsPerAlarmPerHour", "0")) or _template_max_actions()
    for strategy in strategies:

        def tick(second: int, name: str = strategy.name) -> None:
            if progress is not None:
                progress(name, second, profile.duration_s)

        record = Simulation(profile, strategy, policies, assumptions, plane).run(tick)
        comparison.runs.append(record)
        if strategy.autopilot:
            found = check(record, limits(policies, assumptions, max_actions))
            comparison.invariants[strategy.name] = found
            record.violations = [f"{name}: {v}" for name, items in found.items() for v in items]
        tick(profile.duration_s)
    return comparison


def _template_max_actions() -> int:
    from autopilot_cli.template_model import load_template, parameter_defaults

    return int(parameter_defaults(load_template())["MaxActionsPerAlarmPerHour"])


@contextlib.contextmanager
def _plane_if_needed(
    strategies: list[Strategy], fast: bool, parameters: dict[str, str]
) -> Iterator[ControlPlane | None]:
    if not any(s.autopilot for s in strategies):
        yield None
        return
    with control_plane(fast=fast, parameters=parameters) as plane:
        yield plane


def simulate(
    profile: str | LoadProfile,
    strategies: list[str] | None = None,
    *,
    fast: bool = True,
    parameters: dict[str, str] | None = None,
    capacity_rps: float | None = None,
    assumptions: Assumptions | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Run ``profile`` (a name, a file or a profile) for each strategy (all four by default).

    This is what ``autopilot simulate`` and the demo call; render the result with
    :func:`autopilot_cli.simulate.report.comparison_table`.
    """
    from autopilot_cli.simulate.config import STRATEGIES

    chosen = [Strategy.parse(name) for name in (strategies or list(STRATEGIES))]
    loaded = load_profile(profile) if isinstance(profile, str) else profile
    params = dict(parameters or {})
    policies = read_policies(params)
    assume = assumptions or default_assumptions(capacity_rps)
    with _plane_if_needed(chosen, fast, params) as plane:
        return run_strategies(loaded, chosen, policies, assume, plane, progress)
