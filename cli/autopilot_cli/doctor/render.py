"""The doctor's report: one row per check, OK / WARN / FAIL with its evidence and the fix."""

from __future__ import annotations

from rich.table import Table

from autopilot_cli.doctor.model import CheckResult

STYLE = {"OK": "green", "WARN": "yellow", "FAIL": "bold red"}


def render(results: list[CheckResult]) -> Table:
    table = Table(title="autopilot doctor: the scaling guide's troubleshooting, checked", show_lines=True)
    for column in ("status", "check", "issue", "evidence", "fix"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(f"[{STYLE[r.status]}]{r.status}[/]", r.check, r.issue, r.evidence, r.fix)
    return table


def exit_code(results: list[CheckResult]) -> int:
    """0 all OK, 1 a warning, 2 a failure."""
    statuses = {r.status for r in results}
    return 2 if "FAIL" in statuses else 1 if "WARN" in statuses else 0
