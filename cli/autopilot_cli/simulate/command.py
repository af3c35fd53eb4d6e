"""``autopilot simulate``: parse the options, run with a progress bar, print the tables, write the outputs."""

from __future__ import annotations

from pathlib import Path

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from autopilot_cli import output
from autopilot_cli.simulate.config import STRATEGIES, Assumptions, default_assumptions, with_changes
from autopilot_cli.simulate.report import comparison_table, timeline_table, verdict, write_outputs
from autopilot_cli.simulate.session import Comparison, simulate


class SimulateError(ValueError):
    """Bad options; the message names the option."""


def parse_params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise SimulateError(f"--param takes Name=Value (a template parameter), got {item!r}")
        params[name] = value
    return params


def parse_strategies(text: str | None) -> list[str]:
    if not text:
        return list(STRATEGIES)
    chosen = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in STRATEGIES]
    if unknown or not chosen:
        raise SimulateError(f"--strategies: unknown {', '.join(unknown) or '(none)'}; use {', '.join(STRATEGIES)}")
    return chosen


def _assumptions(capacity: float | None, task_start: int | None, redeliver_after: int | None) -> Assumptions:
    assumptions = default_assumptions(capacity)
    if task_start is not None:
        assumptions = with_changes(assumptions, task_start_s=task_start)
    if redeliver_after is not None:
        assumptions = with_changes(assumptions, redeliver_after_s=redeliver_after)
    return assumptions


def _show(comparison: Comparison, out: Path, timeline_rows: int) -> None:
    output.console.print(comparison_table(comparison))
    for run in comparison.runs:
        output.console.print(timeline_table(run, timeline_rows))
        for violation in run.violations:
            output.errors.print(f"[bold red]invariant broken[/] ({run.strategy}): {violation}", highlight=False)
    output.console.print(verdict(comparison), highlight=False)
    for path in write_outputs(comparison, out):
        output.console.print(f"wrote {path}", highlight=False)


def run_command(
    profile: str,
    strategies: str | None,
    out: Path,
    fast: bool,
    params: list[str],
    capacity: float | None,
    task_start: int | None,
    redeliver_after: int | None,
    timeline_rows: int,
) -> Comparison:
    chosen = parse_strategies(strategies)
    parameters = parse_params(params)
    assumptions = _assumptions(capacity, task_start, redeliver_after)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"))
    with Progress(*columns, TimeElapsedColumn(), console=output.errors) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, second: int, duration: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=duration)
            bar.update(tasks[name], completed=second)

        comparison = simulate(
            profile, chosen, fast=fast, parameters=parameters, assumptions=assumptions, progress=progress
        )
    _show(comparison, out, timeline_rows)
    return comparison
