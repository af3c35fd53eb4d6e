"""``autopilot simulate``: the four outputs, the verdict, the workflow mode, and bad options refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from autopilot_cli.main import app
from autopilot_cli.simulate.config import Assumptions, Strategy, read_policies
from autopilot_cli.simulate.control import control_plane
from autopilot_cli.simulate.profiles import LoadProfile, flash_crowd
from autopilot_cli.simulate.report import verdict
from autopilot_cli.simulate.runner import Simulation
from autopilot_cli.simulate.session import simulate
from typer.testing import CliRunner

NATIVE = "native-1min,native-20s"


def test_simulate_prints_the_tables_and_writes_json_markdown_and_png(tmp_path: Path) -> None:
    args = ["simulate", "--profile", "flash-crowd", "--strategies", NATIVE, "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--param", "TargetRequestsPerTarget=7600", "--capacity", "212"])
    assert result.exit_code == 0, result.output
    assert "Profile flash-crowd: 1:00:00 simulated" in result.output  # the comparison table's title
    assert "native-1min: Time | Load | Tasks | Action" in result.output  # the seed-style timeline
    assert result.output.count("wrote") == 3
    data = json.loads((tmp_path / "simulation-flash-crowd.json").read_text())
    assert [row["strategy"] for row in data["summary"]] == ["native-1min", "native-20s"]
    assert data["assumptions"]["capacity_rps"] == 212.0
    assert "| native-20s |" in (tmp_path / "simulation-flash-crowd.md").read_text()
    assert (tmp_path / "simulation-flash-crowd.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--profile", "tsunami"], "unknown profile"),
        (["--profile", "seed", "--strategies", "native-5min"], "unknown native-5min"),
        (["--profile", "seed", "--param", "TargetCpuPercent"], "Name=Value"),
        (["--profile", "seed", "--param", "NoSuchParameter=1"], "no parameter NoSuchParameter"),
        (["--profile", "seed", "--capacity", "0"], "capacity must be > 0"),
    ],
)
def test_bad_options_exit_2_with_the_reason_and_write_nothing(tmp_path: Path, extra: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["simulate", *extra, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_the_verdict_says_plainly_when_the_autopilot_adds_nothing_over_20_second_metrics() -> None:
    comparison = simulate(
        flash_crowd(),
        ["native-1min", "native-20s"],
        parameters={"TargetRequestsPerTarget": "7600"},
        assumptions=Assumptions(capacity_rps=212.0),
    )
    # Pretend the autopilot run matched native-1min exactly (no gain): the verdict must say "not met".
    twin = Simulation(flash_crowd(), Strategy.parse("native-1min"), comparison.policies, comparison.assumptions)
    copy = twin.run()
    copy.strategy = "native-1min+autopilot"
    comparison.runs.append(copy)
    text = verdict(comparison)
    assert "is not met" in text and "adds nothing over 20-second metrics" in text


def test_workflow_mode_runs_the_real_state_machine_with_the_handlers() -> None:
    policies = read_policies({"TargetRequestsPerTarget": "7600"})
    crowd = LoadProfile("short-crowd", ((0, 150), (599, 150), (600, 1500), (1300, 1500), (1301, 150), (1500, 150)))
    with control_plane(fast=False) as plane:
        record = Simulation(
            crowd, Strategy.parse("native-20s+autopilot"), policies, Assumptions(capacity_rps=212.0), plane
        ).run()
    # Same decision as the fast path: at 740 s, ceil(5 x 100 / 60 x 1.1) = 10; the raise of MaxCapacity at
    # 1,170 s asks for an approval nobody gives, so it is not applied. The alarm's OK at 920 s runs the recovered
    # path: Wait states take no time here, so RecheckRestore decides for 920 + 180 s within that same execution
    # and the simulation applies the restored floor when the execution ends (the fast path applies it at 1,100 s).
    assert record.bounds == [(0, 3, 20), (740, 10, 20), (920, 3, 20)]
    assert [a.action for a in record.actions if a.function == "EmergencyScaleFunction"] == ["raise_floor", "none"]


def test_the_demo_gets_a_comparison_table_and_a_verdict_per_profile_within_80_columns() -> None:
    from autopilot_cli.simulate.showcase import demo_renderable
    from rich.console import Console

    console = Console(width=80, record=True)
    console.print(demo_renderable(("seed",)))
    text = console.export_text()
    assert "…" not in text  # no figure or name cut at 80 columns
    assert "Profile seed: 20:00 simulated" in text and "Overloaded s" in text
    assert "native-1min+autopilot" in text and "is not met" in text
