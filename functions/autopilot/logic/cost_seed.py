"""The scaling guide's cost section beside the honest figures, with why they differ."""

from __future__ import annotations

from autopilot.logic.cost_model import task_hourly
from autopilot.logic.cost_prices import PriceBook
from autopilot.models.cost import Inventory, LineItem, Scenario, SeedCheck, SeedCheckRow

SEED_TASK_HOURLY = 0.04
SEED_DB_HOURLY = 0.068
SEED_QUOTED_TOTAL = 135.0
SEED_PROVISIONED_IOPS = 3000
QUOTED = [
    "3 tasks x $0.04/hour = $0.12/hour = $86/month",
    "RDS db.t3.medium = $0.068/hour = $49/month",
    "Total: ~$135/month",
    "Peak: 20 tasks x $0.04/hour = $0.80/hour",
]


def _sum(items: list[LineItem], categories: tuple[str, ...], resources: set[str] | None = None) -> float:
    return sum(
        i.monthly_usd for i in items if i.category in categories and (resources is None or i.resource in resources)
    )


def _row(item: str, seed: float, honest: float, why: str) -> SeedCheckRow:
    return SeedCheckRow(item=item, seed_monthly_usd=round(seed, 2), honest_monthly_usd=round(honest, 2), why=why)


def _task_row(now: Scenario, inventory: Inventory, book: PriceBook) -> SeedCheckRow:
    service = inventory.service
    gb_rate = book.fargate_gb_hour[service.architecture].value
    why = (
        f"a {service.vcpu:g} vCPU / {service.memory_gb:g} GB task is ${task_hourly(service, book):.5f}/h: $0.04 "
        f"prices the vCPU only and leaves out the memory ({service.memory_gb:g} GB x ${gb_rate}/GB-h)"
    )
    seed = now.tasks * SEED_TASK_HOURLY * book.hours_per_month
    return _row(f"Fargate tasks ({now.tasks})", seed, _sum(now.line_items, ("tasks",)), why)


def _rows(now: Scenario, inventory: Inventory, book: PriceBook) -> list[SeedCheckRow]:
    primaries = {db.instance_id for db in inventory.databases if db.role != "replica"}
    replicas = {db.instance_id for db in inventory.databases if db.role == "replica"}
    items = now.line_items
    return [
        _task_row(now, inventory, book),
        _row(
            "RDS primary",
            SEED_DB_HOURLY * book.hours_per_month,
            _sum(items, ("rds_instance",), primaries),
            "$0.068/h is the MySQL rate; PostgreSQL is priced from the table above",
        ),
        _row(
            f"RDS read replicas ({len(replicas)})",
            0.0,
            _sum(items, ("rds_instance",), replicas),
            "a read replica is billed like another instance; the seed added one and left it out",
        ),
        _row(
            "RDS storage and IOPS",
            0.0,
            _sum(items, ("rds_storage", "rds_iops")),
            "storage is billed per GB-month for every instance, replicas included",
        ),
        _row("Load balancer", 0.0, _sum(items, ("load_balancer",)), "the ALB in front of the tasks: hours plus LCUs"),
    ]


def seed_check(now: Scenario, high: Scenario, inventory: Inventory, book: PriceBook) -> SeedCheck:
    rows = _rows(now, inventory, book)
    honest = now.monthly_usd
    io1 = book.iops_month.get("io1")
    io1_cost = SEED_PROVISIONED_IOPS * io1.value if io1 else None
    seed_at_730 = sum(row.seed_monthly_usd for row in rows)
    task_hourly_max = _sum(high.line_items, ("tasks",)) / book.hours_per_month
    explanation = [
        f"The seed quotes about ${SEED_QUOTED_TOTAL:,.0f}/month (its own rates give ${seed_at_730:,.2f} at "
        f"{book.hours_per_month:g} h); the inventory priced from the table gives ${honest:,.2f}/month.",
        "Differences: task memory left out, the MySQL rate instead of PostgreSQL, and the read replica, storage "
        "and load balancer missing.",
        f"At max capacity ({high.tasks} tasks) the tasks cost ${task_hourly_max:,.3f}/h, not "
        f"{high.tasks} x $0.04 = ${high.tasks * SEED_TASK_HOURLY:,.2f}/h.",
    ]
    if io1_cost is not None:
        explanation.append(
            f"The guide's '{SEED_PROVISIONED_IOPS:,} provisioned IOPS' are included in gp3 below 400 GiB; on io1 "
            f"they would cost about ${io1_cost:,.0f}/month per instance."
        )
    return SeedCheck(
        quoted=QUOTED,
        rows=rows,
        seed_total_usd=SEED_QUOTED_TOTAL,
        honest_total_usd=honest,
        explanation=explanation,
    )
