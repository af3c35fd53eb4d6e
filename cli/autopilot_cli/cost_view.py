"""The cost report drawn for a terminal of 80 columns: what ``make demo`` shows of the daily report.

The Markdown report (in S3, or ``autopilot cost --format md``) has every column; here each table keeps the
columns that fit, names and prices are never cut (they do not wrap; descriptions do), and the report's
location is given for the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

from autopilot.models.cost import CostReport, LineItem, Recommendation
from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text


def usd(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def unit_price(value: float) -> str:
    """A unit price without exponent notation: $0.0000133334, $0.072."""
    return "$" + (f"{value:.10f}".rstrip("0").rstrip(".") or "0")


def _table(title: str, *columns: tuple[str, str]) -> Table:
    """A borderless table. Column kinds: ``name`` and ``money`` never wrap (money right-aligned), ``text`` wraps."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for header, kind in columns:
        if kind == "text":
            table.add_column(header, overflow="fold", ratio=1)
        else:
            table.add_column(header, no_wrap=True, justify="right" if kind == "money" else "left")
    return table


def scenarios_table(report: CostReport) -> Table:
    table = _table(
        "Scenarios",
        ("Scenario", "name"),
        ("Tasks", "money"),
        ("Fargate", "money"),
        ("RDS", "money"),
        ("ALB", "money"),
        ("Per month", "money"),
    )
    labels = {"now": "now", "min": "at min capacity", "max": "at max capacity"}
    for scenario in report.scenarios:
        rds = sum(scenario.by_category.get(c, 0.0) for c in ("rds_instance", "rds_storage", "rds_iops"))
        table.add_row(
            labels[scenario.name],
            str(scenario.tasks),
            usd(scenario.by_category.get("tasks", 0.0)),
            usd(rds),
            usd(scenario.by_category.get("load_balancer", 0.0)),
            usd(scenario.monthly_usd),
        )
    return table


def _what(item: LineItem) -> str:
    flag = "" if item.price_verified else " (unverified)"
    return f"{item.description} at {unit_price(item.unit_price_usd)} per {item.unit}{flag}"


def items_table(title: str, items: Iterable[LineItem]) -> Table:
    table = _table(title, ("Resource", "name"), ("What", "text"), ("Per month", "money"))
    for item in items:
        table.add_row(escape(item.resource), escape(_what(item)), usd(item.monthly_usd))
    return table


def seed_table(report: CostReport) -> Table:
    seed = report.seed_check
    table = _table(
        "Seed check: the guide's configuration",
        ("Item", "name"),
        ("Guide", "money"),
        ("Priced", "money"),
        ("Why", "text"),
    )
    for row in seed.rows:
        table.add_row(row.item, usd(row.seed_monthly_usd), usd(row.honest_monthly_usd), row.why)
    table.add_row("Total", f"~{usd(seed.seed_total_usd)}", usd(seed.honest_total_usd), "", style="bold")
    return table


def _recommendation(rec: Recommendation) -> Text:
    checked = "" if rec.prices_verified else " (prices unverified)"
    return Text.assemble(
        ("• ", "bold"), (rec.title, "bold"), f": saves {usd(rec.monthly_saving_usd)}/month{checked}. {rec.detail}"
    )


def _autopilot_lines(report: CostReport) -> list[RenderableType]:
    lines: list[RenderableType] = [
        Text(f"• floor lease on {lease.resource_id}: {lease.cost_impact.summary}") for lease in report.leases
    ]
    lines += [
        Text(f"• {action.at:%H:%M} {action.action} ({action.function}): {action.cost_impact.summary}")
        for action in report.recent_actions
    ]
    return [Text("Autopilot actions", style="bold"), *lines] if lines else []


def cost_view(report: CostReport, location: str) -> Group:
    """The report's figures for an 80-column terminal; ``location`` says where the full report is."""
    plane = report.control_plane
    parts: list[RenderableType] = [
        Text(f"Cost report, {report.region}, {report.generated_at:%Y-%m-%d %H:%M} UTC", style="bold"),
        Text(f"Workload now: {usd(report.monthly_total_usd)}/month (${report.hourly_total_usd:.4f}/h, on-demand)."),
        Text(report.summary),
        scenarios_table(report),
        items_table("Line items now", report.scenario("now").line_items),
        items_table(f"Control plane, not in the total: about {usd(plane.monthly_usd)}/month", plane.line_items),
        Text("Assumptions: " + "; ".join(plane.assumptions) + ".", style="dim"),
        Text("Recommendations", style="bold"),
        *(_recommendation(rec) for rec in report.recommendations),
        *_autopilot_lines(report),
        seed_table(report),
        Text(" ".join(report.seed_check.explanation)),
        Text(location),
    ]
    return Group(*parts)
