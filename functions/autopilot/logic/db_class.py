"""Scaling the database vertically: what a class change costs and what it interrupts. Pure."""

from __future__ import annotations

from autopilot.models.ops import ClassChange
from autopilot.models.prices import PriceBook
from autopilot.models.records import CostImpact


class ClassChangeRefusedError(Exception):
    """The class change is not possible as asked; the message says why and what to ask instead."""


def _hourly(book: PriceBook, engine: str, instance_class: str, multi_az: bool) -> float:
    rate = book.rds_hour(engine, instance_class)
    if rate is None:
        known = ", ".join(sorted(book.rds_instance_hour.get(engine, {})))
        raise ClassChangeRefusedError(f"no price for {engine} {instance_class}; known classes: {known}")
    return rate.value * (book.multi_az_factor.value if multi_az else 1.0)


def plan_class_change(
    book: PriceBook, instance_id: str, engine: str, current: str, wanted: str, multi_az: bool, replica_id: str
) -> ClassChange:
    if wanted == current:
        raise ClassChangeRefusedError(f"{instance_id} is already {current}; nothing to change")
    delta = _hourly(book, engine, wanted, multi_az) - _hourly(book, engine, current, multi_az)
    monthly = delta * book.hours_per_month
    sign = "+" if delta >= 0 else "-"
    impact = CostImpact(
        hourly_usd=round(delta, 5),
        monthly_usd=round(monthly, 2),
        summary=f"{current} → {wanted} = {sign}${abs(delta):.3f}/h ({sign}${abs(monthly):,.0f}/month)",
    )
    restart = (
        f"ModifyDBInstance with ApplyImmediately restarts {instance_id}: writes fail for the reboot "
        + ("(a Multi-AZ failover, usually under two minutes)" if multi_az else "(several minutes, single-AZ)")
        + f"; the read replica {replica_id} keeps its class, so the promotion parity check will flag it until it "
        "is changed too"
    )
    return ClassChange(
        instance_id=instance_id,
        from_class=current,
        to_class=wanted,
        cost_impact=impact,
        restart=restart,
        summary=f"Change {instance_id} from {current} to {wanted} ({impact.summary}); {restart}",
    )
