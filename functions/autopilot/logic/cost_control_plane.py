"""The control plane's own cost (Lambda, Step Functions, alarms, dashboards), estimated from a usage model.

It is listed apart from the workload total: it is a few dollars a month, mostly alarms and dashboards.
"""

from __future__ import annotations

from autopilot.logic.cost_model import total
from autopilot.models.cost import Category, ControlPlaneEstimate, ControlPlaneInventory, LineItem
from autopilot.models.prices import PriceBook, Rate

SWEEPS_PER_HOUR = 12  # the sweeper runs every 5 minutes
INVOCATIONS_PER_INCIDENT = 6  # assess, decide, verify, notify, restore, notify
TRANSITIONS_PER_INCIDENT = 15
AVERAGE_DURATION_SECONDS = 1.0
DEFAULT_MEMORY_MB = 256  # the template's Globals
RESOURCE = "control plane"


def _item(category: Category, description: str, quantity: float, unit: str, rate: Rate, per: float = 1.0) -> LineItem:
    return LineItem(
        category=category,
        resource=RESOURCE,
        description=description,
        quantity=round(quantity, 4),
        unit=unit,
        unit_price_usd=rate.value,
        monthly_usd=round(quantity / per * rate.value, 4),
        price_source=rate.source,
        price_verified=rate.verified,
    )


def _memory_and_arch(inventory: ControlPlaneInventory) -> tuple[float, str]:
    if not inventory.functions:
        return DEFAULT_MEMORY_MB / 1024, "arm64"
    memory = sum(f.memory_mb for f in inventory.functions) / len(inventory.functions) / 1024
    arm = sum(1 for f in inventory.functions if f.architecture == "arm64")
    return memory, "arm64" if arm * 2 >= len(inventory.functions) else "x86_64"


def _lambda_items(inventory: ControlPlaneInventory, book: PriceBook, invocations: float) -> list[LineItem]:
    memory_gb, arch = _memory_and_arch(inventory)
    gb_seconds = invocations * AVERAGE_DURATION_SECONDS * memory_gb
    return [
        _item("lambda", f"{invocations:,.0f} invocations", invocations, "request", book.lambda_request_million, 1e6),
        _item(
            "lambda",
            f"{invocations:,.0f} x {AVERAGE_DURATION_SECONDS:g} s x {memory_gb:g} GB ({arch})",
            gb_seconds,
            "GB-second",
            book.lambda_gb_second[arch],
        ),
    ]


def _monitoring_items(inventory: ControlPlaneInventory, book: PriceBook) -> list[LineItem]:
    counts: list[tuple[Category, int, str, str, Rate]] = [
        ("alarms", inventory.standard_alarms, "standard alarms", "alarm-month", book.alarm_standard),
        (
            "alarms",
            inventory.high_resolution_alarms,
            "high-resolution alarms",
            "alarm-month",
            book.alarm_high_resolution,
        ),
        ("alarms", inventory.composite_alarms, "composite alarms", "alarm-month", book.alarm_composite),
        ("dashboards", inventory.dashboards, "dashboards", "dashboard-month", book.dashboard_month),
    ]
    return [
        _item(category, f"{count} {what}", count, unit, rate) for category, count, what, unit, rate in counts if count
    ]


def _functions_note(inventory: ControlPlaneInventory) -> str:
    stack = inventory.stack_name or "this stack"
    if not inventory.functions:
        return (
            f"{AVERAGE_DURATION_SECONDS:g} s per invocation; no function of stack {stack} was found, so the "
            f"template's {DEFAULT_MEMORY_MB} MB arm64 is assumed"
        )
    memory, arch = _memory_and_arch(inventory)
    return (
        f"{AVERAGE_DURATION_SECONDS:g} s per invocation; memory ({memory * 1024:g} MB on average) and architecture "
        f"({arch}) from the {len(inventory.functions)} functions of stack {stack}"
    )


def _alarms_note(inventory: ControlPlaneInventory) -> str:
    stack = inventory.stack_name or "this stack"
    note = f"alarms and dashboards: the stack's own (named {stack}-...)"
    if inventory.other_alarms:
        note += (
            f"; {inventory.other_alarms} other alarms in the region are not counted (target tracking's belong to "
            "the workload's scaling policies)"
        )
    return note


def estimate_control_plane(
    inventory: ControlPlaneInventory, book: PriceBook, incidents_per_month: int
) -> ControlPlaneEstimate:
    sweeps = book.hours_per_month * SWEEPS_PER_HOUR
    reports = round(book.hours_per_month / 24)
    invocations = sweeps + reports + incidents_per_month * INVOCATIONS_PER_INCIDENT
    transitions = incidents_per_month * TRANSITIONS_PER_INCIDENT
    items = _lambda_items(inventory, book, invocations)
    items.append(
        _item(
            "stepfunctions",
            f"{incidents_per_month} incidents x {TRANSITIONS_PER_INCIDENT} transitions",
            transitions,
            "state transition",
            book.sfn_per_1000_transitions,
            1000,
        )
    )
    items += _monitoring_items(inventory, book)
    assumptions = [
        f"invocations are modelled, not measured: the sweeper every 5 minutes ({sweeps:,.0f} runs), one cost report "
        f"a day ({reports} runs) and {incidents_per_month} incidents a month (INCIDENTS_PER_MONTH), each "
        f"{INVOCATIONS_PER_INCIDENT} invocations and {TRANSITIONS_PER_INCIDENT} state transitions",
        _functions_note(inventory),
        "free tiers ignored; DynamoDB on-demand, S3 and logs are cents a month and not estimated",
        _alarms_note(inventory),
    ]
    return ControlPlaneEstimate(monthly_usd=round(total(items), 2), line_items=items, assumptions=assumptions)
