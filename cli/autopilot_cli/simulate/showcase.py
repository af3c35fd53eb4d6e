"""What the demo shows: the seed profile and the flash crowd, native one-minute scaling vs the autopilot."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from autopilot_cli.simulate.config import Strategy, default_assumptions, read_policies
from autopilot_cli.simulate.control import control_plane
from autopilot_cli.simulate.profiles import load_profile
from autopilot_cli.simulate.report import comparison_table, verdict
from autopilot_cli.simulate.session import Comparison, run_strategies

# The requests policy's target matched to the CPU target (docs/benchmarks.md explains why the default 500
# holds the service near MaxCapacity at any real load).
DEMO_PARAMETERS = {"TargetRequestsPerTarget": "7600"}
DEMO_STRATEGIES = ("native-1min", "native-1min+autopilot")


def compare_profiles(
    profiles: tuple[str, ...] = ("seed", "flash-crowd"),
    strategies: tuple[str, ...] = DEMO_STRATEGIES,
    parameters: dict[str, str] | None = None,
) -> list[Comparison]:
    """Each profile under each strategy, on one control plane (fast mode)."""
    params = dict(DEMO_PARAMETERS if parameters is None else parameters)
    policies, assumptions = read_policies(params), default_assumptions()
    chosen = [Strategy.parse(name) for name in strategies]
    with control_plane(fast=True, parameters=params) as plane:
        return [run_strategies(load_profile(p), chosen, policies, assumptions, plane) for p in profiles]


def demo_renderable(profiles: tuple[str, ...] = ("seed", "flash-crowd")) -> Group:
    """The comparison tables and their verdicts, ready for ``console.print`` (what ``make demo`` shows)."""
    parts: list[Text | object] = []
    for comparison in compare_profiles(profiles):
        parts += [comparison_table(comparison), Text(verdict(comparison))]
    return Group(*parts)  # type: ignore[arg-type]
