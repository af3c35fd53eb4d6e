"""Tables for ``autopilot approvals`` and ``autopilot actions``."""

from __future__ import annotations

from typing import Any

from autopilot.models.ops import ActionsPage
from rich.console import Group
from rich.table import Table
from rich.text import Text


def render_approvals(rows: list[dict[str, Any]]) -> Table | Text:
    if not rows:
        return Text("no pending approvals")
    table = Table(title="Approvals (answer with: autopilot approve ID / autopilot reject ID)")
    table.add_column("id", no_wrap=True, min_width=12)  # copied into autopilot approve ID
    for column in ("status", "what", "cost", "expires", "requested by"):
        table.add_column(column, overflow="fold")
    for row in rows:
        cost = row["cost_impact"]["summary"]
        table.add_row(
            row["approval_id"],
            row["status"],
            row["summary"] or row["what"],
            cost,
            row["expires_at"],
            row["requested_by"],
        )
    return table


def render_actions(page: ActionsPage) -> Group:
    table = Table(title="Decision log (newest first)")
    for column in ("at", "function", "action", "taken", "reason"):
        table.add_column(column, overflow="fold")
    for item in page.items:
        table.add_row(str(item["at"]), item["function"], item["action"], str(item["taken"]), item["reason"])
    more = Text(f"more: --cursor {page.next_cursor}" if page.next_cursor else "end of the log")
    return Group(table, more)
