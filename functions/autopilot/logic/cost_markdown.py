"""The cost report as Markdown, for S3 and the ``autopilot cost --format md`` command."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from autopilot.models.cost import CostReport, LineItem

CATEGORY_LABELS = {
    "tasks": "Fargate tasks",
    "rds_instance": "RDS instances",
    "rds_storage": "RDS storage",
    "rds_iops": "RDS IOPS",
    "load_balancer": "Load balancer",
}


def _usd(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def _price(value: float) -> str:
    """A unit price without exponent notation: $0.0000133334, $0.072."""
    return "$" + (f"{value:.10f}".rstrip("0").rstrip(".") or "0")


def _quantity(value: float) -> str:
    """A quantity written out with thousands separators: 14,600, 2,212.5, 0.25."""
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _item_rows(items: Iterable[LineItem]) -> list[list[str]]:
    return [
        [
            i.resource,
            i.description,
            f"{_quantity(i.quantity)} {i.unit}",
            _price(i.unit_price_usd),
            _usd(i.monthly_usd),
            i.price_source + ("" if i.price_verified else " (unverified)"),
        ]
        for i in items
    ]


def _scenarios(report: CostReport) -> list[str]:
    categories = list(CATEGORY_LABELS)
    header = ["Scenario", "Tasks", *(CATEGORY_LABELS[c] for c in categories), "Per hour", "Per month"]
    rows = [
        [
            s.label,
            str(s.tasks),
            *(_usd(s.by_category.get(c, 0.0)) for c in categories),
            f"${s.hourly_usd:.4f}",
            f"**{_usd(s.monthly_usd)}**",
        ]
        for s in report.scenarios
    ]
    return ["## Scenarios", "", *_table(header, rows)]


def _overview(report: CostReport) -> list[str]:
    lines = [
        f"# Cost report, {report.region}, {report.generated_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"**Workload now: {_usd(report.monthly_total_usd)}/month** (${report.hourly_total_usd:.4f}/h, "
        f"{report.hours_per_month:g} h a month, on-demand {report.currency}).",
        "",
        report.summary,
        "",
        "The total includes: " + "; ".join(report.total_includes) + ".",
        "It leaves out: " + "; ".join(report.total_excludes) + ".",
        "",
    ]
    return lines


def _line_items(report: CostReport) -> list[str]:
    header = ["Resource", "What", "Quantity", "Unit price", "Per month", "Price source"]
    return ["## Line items (now)", "", *_table(header, _item_rows(report.scenario("now").line_items))]


def _control_plane(report: CostReport) -> list[str]:
    plane = report.control_plane
    header = ["Resource", "What", "Quantity", "Unit price", "Per month", "Price source"]
    lines = [f"## Control plane (not in the total): about {_usd(plane.monthly_usd)}/month", ""]
    lines += _table(header, _item_rows(plane.line_items))
    return [*lines, "Assumptions: " + "; ".join(plane.assumptions) + ".", ""]


def _actuals(report: CostReport) -> list[str]:
    actuals = report.actuals
    lines = ["## Month to date (Cost Explorer)", ""]
    if actuals.month_to_date_usd is not None:
        lines.append(f"{_usd(actuals.month_to_date_usd)} from {actuals.start} to {actuals.end} (account-wide).")
        lines += [f"- {name}: {_usd(value)}" for name, value in sorted(actuals.by_service.items())]
    return [*lines, actuals.note, ""]


def _recommendations(report: CostReport) -> list[str]:
    lines = ["## Recommendations", ""]
    if not report.recommendations:
        return [*lines, "None.", ""]
    for rec in report.recommendations:
        checked = "" if rec.prices_verified else " (prices unverified)"
        lines.append(f"- **{rec.title}**: saves {_usd(rec.monthly_saving_usd)}/month{checked} (basis: {rec.basis}).")
        lines.append(f"  {rec.detail}")
    return [*lines, ""]


def _autopilot(report: CostReport) -> list[str]:
    lines = ["## Autopilot leases and actions", ""]
    for lease in report.leases:
        state = "expired, still raised" if lease.expired else f"until {lease.expires_at:%Y-%m-%d %H:%M} UTC"
        lines.append(
            f"- Floor lease on {lease.resource_id}: {lease.original_min} -> {lease.leased_min} ({lease.alarm_name}, "
            f"{state}): {lease.cost_impact.summary}"
        )
    for action in report.recent_actions:
        lines.append(f"- {action.at:%Y-%m-%d %H:%M} {action.action} ({action.function}): {action.cost_impact.summary}")
    if not report.leases and not report.recent_actions:
        lines.append("No active floor lease and no action in the last 24 hours.")
    return [*lines, ""]


def _seed(report: CostReport) -> list[str]:
    seed = report.seed_check
    lines = ["## Seed check: the scaling guide's cost section", "", "The guide says:", ""]
    lines += [f"> {quote}  " for quote in seed.quoted]
    lines += ["", f"Compared for {seed.configuration}:", ""]
    rows = [[r.item, _usd(r.seed_monthly_usd), _usd(r.honest_monthly_usd), r.why] for r in seed.rows]
    rows.append(["Total", f"~{_usd(seed.seed_total_usd)}", f"**{_usd(seed.honest_total_usd)}**", ""])
    lines += _table(["Item", "Seed", "Honest", "Why"], rows)
    return [*lines, *seed.explanation, ""]


def _prices(report: CostReport) -> list[str]:
    notes = report.prices
    lines = ["## Prices", "", f"- Table: {notes.table}. {notes.refresh}"]
    lines += [f"- Override: {item}" for item in notes.overrides]
    lines += [f"- Unverified: {item}" for item in notes.unverified]
    lines += [f"- Not priced (left out of the total): {item}" for item in notes.unpriced]
    lines += [f"- Inventory: {note}" for note in report.inventory.notes]
    return [*lines, ""]


def render_markdown(report: CostReport) -> str:
    parts = [
        _overview,
        _scenarios,
        _line_items,
        _control_plane,
        _actuals,
        _recommendations,
        _autopilot,
        _seed,
        _prices,
    ]
    lines: list[str] = []
    for part in parts:
        lines += part(report)
    return "\n".join(lines).rstrip() + "\n"


def summary_message(report: CostReport, links: Sequence[str]) -> tuple[str, str]:
    """A short SNS subject and plain-text body: what the report found and where the full report is."""
    now, low, high = report.scenario("now"), report.scenario("min"), report.scenario("max")
    service = report.inventory.service
    subject = f"Cost report {report.generated_at:%Y-%m-%d}: {_usd(report.monthly_total_usd)}/month (workload)"
    lines = [
        f"Cost report for {service.cluster}/{service.service}, {report.region}, "
        f"{report.generated_at:%Y-%m-%d %H:%M} UTC. Nothing was changed.",
        "",
        f"Workload now: {_usd(now.monthly_usd)}/month ({now.tasks} tasks). At min capacity ({low.tasks} tasks): "
        f"{_usd(low.monthly_usd)}. At max capacity ({high.tasks} tasks): {_usd(high.monthly_usd)}.",
        f"Control plane (not in the total): about {_usd(report.control_plane.monthly_usd)}/month.",
        f"Month to date: {_usd(report.actuals.month_to_date_usd)}. {report.actuals.note}",
        "",
    ]
    if report.recommendations:
        lines.append("Savings:")
        lines += [f"- {r.title}: {_usd(r.monthly_saving_usd)}/month" for r in report.recommendations[:4]]
        lines.append("")
    lines += [f"Floor lease: {lease.resource_id}, {lease.cost_impact.summary}" for lease in report.leases]
    seed = report.seed_check
    lines.append(
        f"Seed check: the scaling guide says ~{_usd(seed.seed_total_usd)}/month for its 3-task configuration; "
        f"priced from the table the same configuration is {_usd(seed.honest_total_usd)} (task memory, PostgreSQL "
        "rate, replica, storage and ALB)."
    )
    if report.prices.unpriced:
        lines.append("Not priced, left out of the total: " + "; ".join(report.prices.unpriced))
    lines += ["", *(f"Full report: {link}" for link in links)]
    return subject[:100], "\n".join(lines).rstrip() + "\n"
