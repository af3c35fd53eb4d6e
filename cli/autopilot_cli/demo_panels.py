"""The demo's panels, built from plain values so each can be drawn (and tested) at 80 columns.

Nothing here is cut: text wraps at spaces, names and prices stay whole, and the notification is shown by its
full headline (the SNS subject is cut at 100 characters by the product, the headline is not).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from autopilot.models.cost import CostReport
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from autopilot_cli.cost_view import cost_view

# Where a state's result is, in the order the notification reads them (logic/notify_format.py).
RESULT_KEYS = ("promotion", "decision", "restore", "verdict", "sweep", "report", "assessment")
HIDDEN_STATES = ("Route", "Read", "Check")


def outcome(output: Mapping[str, Any]) -> str:
    """The execution's outcome as its notification words it: the first result with a summary."""
    for key in RESULT_KEYS:
        result = output.get(key)
        if isinstance(result, dict) and isinstance(result.get("output"), dict):
            result = result["output"]  # a Lambda task's result, kept whole under its ResultPath
        if isinstance(result, dict) and result.get("summary"):
            return str(result["summary"])
    return "no decision was needed"


def execution_panel(title: str, states: Iterable[str], status: str, output: Mapping[str, Any], capacity: str) -> Panel:
    shown = [s for s in states if s[:1].isupper() and not s.startswith(HIDDEN_STATES)]
    lines = [
        f"states: {' → '.join(shown)}",
        f"execution: {escape(status)}",
        f"outcome (notified): [bold]{escape(outcome(output))}[/]",
        f"now: {escape(capacity)}",
    ]
    return Panel("\n".join(lines), title=title, expand=True)


def approval_panel(title: str, summary: str, answer: str) -> Panel:
    return Panel(f"{escape(summary)}\n→ {escape(answer)}", title=title, expand=True)


def audit_table(records: Iterable[Mapping[str, Any]]) -> Table:
    table = Table(title="Audit trail (DynamoDB): every decision, taken or skipped")
    for column, width in (("time", 8), ("function", 16), ("action", 13), ("taken", 5), ("reason", None)):
        table.add_column(column, overflow="fold", min_width=width, no_wrap=column != "reason")
    for item in records:
        table.add_row(
            str(item["at"])[11:19],
            escape(str(item["function"])),
            escape(str(item["action"])),
            str(item["taken"]),
            escape(str(item["reason"])),
        )
    return table


def cost_panel(report: CostReport, location: str) -> Panel:
    return Panel(cost_view(report, location), title="Daily cost report (CostReportFunction → S3)", expand=True)
