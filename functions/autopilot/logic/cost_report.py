"""Assemble the cost report from snapshots: inventory, price book, leases, audit records and actuals.

The top-level total is the workload now (tasks + RDS instances + storage + IOPS + load balancers); the control
plane is estimated and listed apart, so that its few dollars never blur the workload figure.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from autopilot.logic.cost_control_plane import estimate_control_plane
from autopilot.logic.cost_model import build_scenarios, task_hourly
from autopilot.logic.cost_recommendations import recommend
from autopilot.logic.cost_seed import seed_check
from autopilot.logic.task_price import tasks_cost_impact
from autopilot.models.cost import (
    ActionCost,
    Actuals,
    ControlPlaneEstimate,
    CostReport,
    Inventory,
    LeaseCost,
    PriceNotes,
    Recommendation,
    Scenario,
)
from autopilot.models.prices import PriceBook
from autopilot.models.records import AuditRecord, Lease

TOTAL_INCLUDES = [
    "ECS Fargate tasks running now (vCPU-hours and GB-hours)",
    "RDS instances (primary and read replicas; Multi-AZ doubled)",
    "RDS storage (GB-month) and provisioned IOPS beyond what the storage type includes",
    "load balancers (hours and the estimated LCUs)",
]
TOTAL_EXCLUDES = [
    "the control plane (Lambda, Step Functions, alarms, dashboards): listed apart",
    "data transfer, CloudWatch Logs, RDS backups beyond the free allowance, NAT gateways, public IPv4",
    "taxes, free tiers, savings plans and reserved instances",
]


class ReportInputs(BaseModel):
    generated_at: datetime
    inventory: Inventory
    book: PriceBook
    leases: list[Lease]
    actions: list[AuditRecord]
    actuals: Actuals
    refresh_note: str
    alb_lcu: float
    planned_connections_per_task: int
    connection_budget: int
    incidents_per_month: int


def lease_costs(leases: list[Lease], now: datetime, hourly: float) -> list[LeaseCost]:
    return [
        LeaseCost(
            resource_id=lease.resource_id,
            alarm_name=lease.alarm_name,
            original_min=lease.original_min,
            leased_min=lease.leased_min,
            expires_at=lease.expires_at,
            expired=lease.expired(now),
            cost_impact=tasks_cost_impact(lease.leased_min - lease.original_min, hourly),
        )
        for lease in leases
    ]


def action_costs(records: list[AuditRecord]) -> list[ActionCost]:
    return [
        ActionCost(at=r.at, function=r.function, action=r.action, reason=r.reason, cost_impact=r.cost_impact)
        for r in sorted(records, key=lambda r: r.at)
        if r.taken and not r.dry_run
    ]


def price_notes(
    book: PriceBook, scenarios: list[Scenario], plane: ControlPlaneEstimate, unpriced: list[str], refresh: str
) -> PriceNotes:
    items = [item for s in scenarios for item in s.line_items] + plane.line_items
    unverified = sorted({f"{i.unit} ${i.unit_price_usd:g} ({i.price_source})" for i in items if not i.price_verified})
    return PriceNotes(
        table=f"bundled price table, {book.region}",
        refresh=refresh,
        overrides=book.overrides,
        unverified=unverified,
        unpriced=unpriced,
    )


def _reasons(scenarios: list[Scenario], plane: ControlPlaneEstimate, notes: PriceNotes) -> list[str]:
    reasons = [f"{s.label}: ${s.monthly_usd:,.2f}/month (${s.hourly_usd:.4f}/h)" for s in scenarios]
    reasons.append(f"control plane, apart from the total: about ${plane.monthly_usd:,.2f}/month")
    if notes.unpriced:
        reasons.append("not in the total (no price in the table): " + "; ".join(notes.unpriced))
    if notes.unverified:
        reasons.append(f"{len(notes.unverified)} prices used are unverified (see prices.unverified)")
    return reasons


def _summary(now: Scenario, high: Scenario, recs: list[Recommendation], leases: list[LeaseCost]) -> str:
    text = (
        f"Workload about ${now.monthly_usd:,.2f}/month now ({now.tasks} tasks), "
        f"${high.monthly_usd:,.2f}/month at max capacity ({high.tasks} tasks)."
    )
    best = next((r for r in recs if r.monthly_saving_usd), None)
    if best is not None:
        text += f" Largest saving: {best.title} (${best.monthly_saving_usd:,.2f}/month)."
    if leases:
        text += f" {len(leases)} floor lease(s) active: " + "; ".join(lease.cost_impact.summary for lease in leases)
    return text


def assemble_report(inputs: ReportInputs) -> CostReport:
    inventory, book = inputs.inventory, inputs.book
    scenarios, unpriced = build_scenarios(inventory, book, inputs.alb_lcu)
    by_name = {s.name: s for s in scenarios}
    now, high = by_name["now"], by_name["max"]
    plane = estimate_control_plane(inventory.control_plane, book, inputs.incidents_per_month)
    leases = lease_costs(inputs.leases, inputs.generated_at, task_hourly(inventory.service, book))
    recs = recommend(inventory, book, leases, inputs.planned_connections_per_task, inputs.connection_budget)
    notes = price_notes(book, scenarios, plane, unpriced, inputs.refresh_note)
    return CostReport(
        generated_at=inputs.generated_at,
        region=inventory.region,
        hours_per_month=book.hours_per_month,
        monthly_total_usd=now.monthly_usd,
        hourly_total_usd=now.hourly_usd,
        total_includes=TOTAL_INCLUDES,
        total_excludes=TOTAL_EXCLUDES,
        scenarios=scenarios,
        control_plane=plane,
        actuals=inputs.actuals,
        recommendations=recs,
        leases=leases,
        recent_actions=action_costs(inputs.actions),
        seed_check=seed_check(now, book, inputs.alb_lcu),
        prices=notes,
        inventory=inventory,
        summary=_summary(now, high, recs, leases),
        reasons=_reasons(scenarios, plane, notes),
    )
