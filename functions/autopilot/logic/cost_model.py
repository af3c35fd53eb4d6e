"""The workload's cost: inventory x price book -> line items, for now, at min capacity and at max capacity.

Only the number of tasks differs between scenarios; the databases and load balancers are constant. Figures the
table has no price for are listed as unpriced (never guessed), so the report can say its total leaves them out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from autopilot.logic.cost_prices import fargate_task_hourly
from autopilot.models.cost import (
    Category,
    DbInstanceInventory,
    Inventory,
    LineItem,
    LoadBalancerInventory,
    Scenario,
    ServiceInventory,
)
from autopilot.models.prices import PriceBook, Rate

GP3_LARGE_VOLUME_GIB = 400


def _item(category: Category, resource: str, description: str, quantity: float, unit: str, rate: Rate) -> LineItem:
    return LineItem(
        category=category,
        resource=resource,
        description=description,
        quantity=round(quantity, 4),
        unit=unit,
        unit_price_usd=rate.value,
        monthly_usd=round(quantity * rate.value, 4),
        price_source=rate.source,
        price_verified=rate.verified,
    )


def task_hourly(service: ServiceInventory, book: PriceBook, architecture: str | None = None) -> float:
    """One task's hourly price (vCPU + memory) on ``architecture`` (the service's own by default)."""
    return fargate_task_hourly(book, service.vcpu, service.memory_gb, architecture or service.architecture)


def task_items(service: ServiceInventory, book: PriceBook, tasks: int) -> list[LineItem]:
    """Fargate bills vCPU-hours and GB-hours separately: both lines, so memory is never left out."""
    hours = book.hours_per_month
    arch = service.architecture
    resource = f"{service.cluster}/{service.service}"
    sizing = f"{tasks} tasks x {hours:g} h"
    return [
        _item(
            "tasks",
            resource,
            f"{sizing} x {service.vcpu:g} vCPU ({arch})",
            tasks * service.vcpu * hours,
            "vCPU-hour",
            book.fargate_vcpu_hour[arch],
        ),
        _item(
            "tasks",
            resource,
            f"{sizing} x {service.memory_gb:g} GB memory ({arch})",
            tasks * service.memory_gb * hours,
            "GB-hour",
            book.fargate_gb_hour[arch],
        ),
    ]


def with_multi_az(db: DbInstanceInventory, book: PriceBook, rate: Rate) -> tuple[Rate, str]:
    if not db.multi_az:
        return rate, ""
    factor = book.multi_az_factor
    doubled = Rate(
        value=rate.value * factor.value,
        source=f"{rate.source}; x{factor.value:g} Multi-AZ ({factor.source})",
        verified=rate.verified and factor.verified,
    )
    return doubled, ", Multi-AZ"


def gp3_included_iops(book: PriceBook, allocated_gb: int) -> int:
    """gp3 includes 3,000 IOPS below 400 GiB (and cannot be raised there), 12,000 from 400 GiB."""
    return book.gp3_included_iops_from_400gib if allocated_gb >= GP3_LARGE_VOLUME_GIB else book.gp3_included_iops


def _iops_item(db: DbInstanceInventory, book: PriceBook) -> LineItem | None:
    rate = book.iops_month.get(db.storage_type)
    if rate is None:
        return None
    rate, az = with_multi_az(db, book, rate)
    provisioned = db.iops or 0
    if db.storage_type == "gp3":
        included = gp3_included_iops(book, db.allocated_gb)
        provisioned = db.iops if db.iops is not None else included  # gp3 always has its baseline
        billable = max(0, provisioned - included)
        note = f"{provisioned:,} IOPS, {included:,} included with gp3 at {db.allocated_gb} GB{az}"
    else:
        billable = provisioned
        note = f"{provisioned:,} provisioned IOPS ({db.storage_type}{az})"
    return _item("rds_iops", db.instance_id, note, billable, "IOPS-month", rate)


def db_items(db: DbInstanceInventory, book: PriceBook) -> tuple[list[LineItem], list[str]]:
    """Instance hours, storage and IOPS of one RDS instance (a replica is billed like any instance)."""
    items: list[LineItem] = []
    unpriced: list[str] = []
    hourly = book.rds_hour(db.engine, db.instance_class)
    if hourly is None:
        unpriced.append(f"{db.instance_id}: no {db.engine} price for {db.instance_class} in the table")
    else:
        rate, az = with_multi_az(db, book, hourly)
        what = f"{db.instance_class} {db.engine} {db.role}{az} x {book.hours_per_month:g} h"
        items.append(_item("rds_instance", db.instance_id, what, book.hours_per_month, "instance-hour", rate))
    storage = book.storage_gb_month.get(db.storage_type)
    if storage is None:
        unpriced.append(f"{db.instance_id}: no price for {db.storage_type!r} storage in the table")
    else:
        rate, az = with_multi_az(db, book, storage)
        what = f"{db.allocated_gb} GB {db.storage_type}{az}"
        items.append(_item("rds_storage", db.instance_id, what, db.allocated_gb, "GB-month", rate))
        iops = _iops_item(db, book)
        if iops is not None:
            items.append(iops)
    return items, unpriced


def load_balancer_items(lb: LoadBalancerInventory, book: PriceBook, lcu: float) -> tuple[list[LineItem], list[str]]:
    if lb.type != "application":
        return [], [f"{lb.name}: no price for a {lb.type} load balancer in the table"]
    hours = book.hours_per_month
    items = [
        _item("load_balancer", lb.name, f"ALB x {hours:g} h", hours, "ALB-hour", book.alb_hour),
        _item(
            "load_balancer",
            lb.name,
            f"{lcu:g} LCU (estimate) x {hours:g} h",
            lcu * hours,
            "LCU-hour",
            book.alb_lcu_hour,
        ),
    ]
    return items, []


def fixed_items(inventory: Inventory, book: PriceBook, lcu: float) -> tuple[list[LineItem], list[str]]:
    """Everything but the tasks: constant across scenarios."""
    items: list[LineItem] = []
    unpriced: list[str] = []
    for db in inventory.databases:
        more, missing = db_items(db, book)
        items += more
        unpriced += missing
    for lb in inventory.load_balancers:
        more, missing = load_balancer_items(lb, book, lcu)
        items += more
        unpriced += missing
    return items, unpriced


def total(items: Iterable[LineItem]) -> float:
    return sum(item.monthly_usd for item in items)


def by_category(items: Iterable[LineItem]) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for item in items:
        sums[item.category] += item.monthly_usd
    return {category: round(value, 2) for category, value in sums.items()}


def scenario_tasks(service: ServiceInventory) -> dict[str, tuple[str, int]]:
    """Tasks per scenario; without a scalable target, min and max are the running count."""
    low = service.min_capacity if service.min_capacity is not None else service.running_tasks
    high = service.max_capacity if service.max_capacity is not None else service.running_tasks
    return {
        "now": (f"now ({service.running_tasks} running tasks)", service.running_tasks),
        "min": (f"at min capacity ({low} tasks)", low),
        "max": (f"at max capacity ({high} tasks)", high),
    }


def build_scenarios(inventory: Inventory, book: PriceBook, lcu: float) -> tuple[list[Scenario], list[str]]:
    fixed, unpriced = fixed_items(inventory, book, lcu)
    scenarios = []
    for name, (label, tasks) in scenario_tasks(inventory.service).items():
        items = task_items(inventory.service, book, tasks) + fixed
        monthly = total(items)
        scenarios.append(
            Scenario.model_validate(
                {
                    "name": name,
                    "label": label,
                    "tasks": tasks,
                    "hourly_usd": round(monthly / book.hours_per_month, 5),
                    "monthly_usd": round(monthly, 2),
                    "by_category": by_category(items),
                    "line_items": items,
                }
            )
        )
    return scenarios, unpriced
