"""The scaling guide's cost section beside the same configuration priced honestly, with why they differ.

Like is compared with like: the guide prices its own low-load configuration (3 tasks of 1 vCPU / 2 GB, a
db.t3.medium PostgreSQL with a read replica, 100 GB gp3 each, an ALB) at about $135/month; the check prices
that same configuration from the price table. What the stack runs now is reported apart (the scenarios), never
set against the guide's figure.
"""

from __future__ import annotations

from autopilot.logic.cost_model import by_category, db_items, load_balancer_items, task_hourly, task_items, total
from autopilot.models.cost import (
    DbInstanceInventory,
    LineItem,
    LoadBalancerInventory,
    Scenario,
    SeedCheck,
    SeedCheckRow,
    ServiceInventory,
)
from autopilot.models.prices import PriceBook

SEED_TASK_HOURLY = 0.04
SEED_DB_HOURLY = 0.068
SEED_QUOTED_TOTAL = 135.0
SEED_PROVISIONED_IOPS = 3000
SEED_PEAK_TASKS = 20
QUOTED = [
    "3 tasks x $0.04/hour = $0.12/hour = $86/month",
    "RDS db.t3.medium = $0.068/hour = $49/month",
    "Total: ~$135/month",
    "Peak: 20 tasks x $0.04/hour = $0.80/hour",
]

# The guide's low-load configuration ("Current Config (Low Load)" with the resources it lists elsewhere).
GUIDE_SERVICE = ServiceInventory(
    cluster="sensor-app-cluster",
    service="sensor-app-service",
    running_tasks=3,
    desired_tasks=3,
    task_definition="the guide's task",
    vcpu=1.0,
    memory_gb=2.0,
    architecture="X86_64",
)
GUIDE_DATABASES = [
    DbInstanceInventory(
        instance_id="sensor-postgres-high-perf",
        engine="postgres",
        instance_class="db.t3.medium",
        storage_type="gp3",
        allocated_gb=100,
        iops=SEED_PROVISIONED_IOPS,
        role="primary",
    ),
    DbInstanceInventory(
        instance_id="sensor-postgres-high-perf-replica",
        engine="postgres",
        instance_class="db.t3.medium",
        storage_type="gp3",
        allocated_gb=100,
        iops=SEED_PROVISIONED_IOPS,
        role="replica",
        source_instance="sensor-postgres-high-perf",
    ),
]
GUIDE_LOAD_BALANCER = LoadBalancerInventory(name="sensor-app-alb")
CONFIGURATION = (
    "the guide's low-load configuration: 3 tasks of 1 vCPU / 2 GB (x86), a db.t3.medium PostgreSQL primary and "
    "its read replica with 100 GB gp3 each, one ALB"
)


def _sum(items: list[LineItem], categories: tuple[str, ...], role: str | None = None) -> float:
    roles = {db.instance_id: db.role for db in GUIDE_DATABASES}
    return sum(
        i.monthly_usd for i in items if i.category in categories and (role is None or roles.get(i.resource) == role)
    )


def _row(item: str, seed: float, honest: float, why: str) -> SeedCheckRow:
    return SeedCheckRow(item=item, seed_monthly_usd=round(seed, 2), honest_monthly_usd=round(honest, 2), why=why)


def guide_items(book: PriceBook, lcu: float) -> list[LineItem]:
    """The guide's configuration priced from the table, line by line, as the stack's own would be."""
    items = task_items(GUIDE_SERVICE, book, GUIDE_SERVICE.running_tasks)
    for db in GUIDE_DATABASES:
        items += db_items(db, book)[0]
    return items + load_balancer_items(GUIDE_LOAD_BALANCER, book, lcu)[0]


def _rows(items: list[LineItem], book: PriceBook) -> list[SeedCheckRow]:
    hours, service = book.hours_per_month, GUIDE_SERVICE
    gb_rate = book.fargate_gb_hour[service.architecture].value
    task_why = (
        f"a {service.vcpu:g} vCPU / {service.memory_gb:g} GB task is ${task_hourly(service, book):.5f}/h: $0.04 "
        f"prices the vCPU only and leaves out the memory ({service.memory_gb:g} GB x ${gb_rate}/GB-h)"
    )
    tasks = service.running_tasks
    return [
        _row(f"Fargate tasks ({tasks})", tasks * SEED_TASK_HOURLY * hours, _sum(items, ("tasks",)), task_why),
        _row(
            "RDS primary",
            SEED_DB_HOURLY * hours,
            _sum(items, ("rds_instance",), "primary"),
            "$0.068/h is the MySQL rate; PostgreSQL is priced from the table",
        ),
        _row(
            "RDS read replica",
            0.0,
            _sum(items, ("rds_instance",), "replica"),
            "a read replica is billed like another instance; the guide added one and left it out",
        ),
        _row(
            "RDS storage and IOPS",
            0.0,
            _sum(items, ("rds_storage", "rds_iops")),
            "storage is billed per GB-month for every instance, replicas included",
        ),
        _row("Load balancer", 0.0, _sum(items, ("load_balancer",)), "the ALB in front of the tasks: hours plus LCUs"),
    ]


def _explanation(rows: list[SeedCheckRow], honest: float, book: PriceBook, now: Scenario) -> list[str]:
    hours = book.hours_per_month
    tasks, primary = rows[0].seed_monthly_usd, rows[1].seed_monthly_usd
    peak_honest = SEED_PEAK_TASKS * task_hourly(GUIDE_SERVICE, book)
    lines = [
        f"Both totals are for {CONFIGURATION}. The guide quotes about ${SEED_QUOTED_TOTAL:,.0f}/month (its own "
        f"rates give ${tasks:,.2f} + ${primary:,.2f} = ${tasks + primary:,.2f} at {hours:g} h); priced from the "
        f"table it is ${honest:,.2f}/month.",
        "Differences: task memory left out, the MySQL rate instead of PostgreSQL, and the read replica, storage "
        "and load balancer missing.",
        f"The guide's peak ({SEED_PEAK_TASKS} tasks) costs ${peak_honest:,.3f}/h, not {SEED_PEAK_TASKS} x $0.04 = "
        f"${SEED_PEAK_TASKS * SEED_TASK_HOURLY:,.2f}/h.",
    ]
    io1 = book.iops_month.get("io1")
    if io1 is not None:
        lines.append(
            f"The guide's '{SEED_PROVISIONED_IOPS:,} provisioned IOPS' are included in gp3 below 400 GiB; on io1 "
            f"they would cost about ${SEED_PROVISIONED_IOPS * io1.value:,.0f}/month per instance."
        )
    lines.append(
        f"The stack as it runs now is apart from this check: {now.tasks} tasks, ${now.monthly_usd:,.2f}/month "
        "(see the scenarios)."
    )
    return lines


def seed_check(now: Scenario, book: PriceBook, lcu: float) -> SeedCheck:
    items = guide_items(book, lcu)
    rows = _rows(items, book)
    honest = round(total(items), 2)
    return SeedCheck(
        quoted=QUOTED,
        configuration=CONFIGURATION,
        guide_tasks=GUIDE_SERVICE.running_tasks,
        rows=rows,
        by_category=by_category(items),
        seed_total_usd=SEED_QUOTED_TOTAL,
        honest_total_usd=honest,
        stack_now_tasks=now.tasks,
        stack_now_monthly_usd=now.monthly_usd,
        explanation=_explanation(rows, honest, book, now),
    )
