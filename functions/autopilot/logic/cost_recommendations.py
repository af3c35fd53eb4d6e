"""Recommendations, each with the monthly saving it brings and what that saving is measured against."""

from __future__ import annotations

from autopilot.logic.cost_connections import default_max_connections, service_pool_plan
from autopilot.logic.cost_model import GP3_LARGE_VOLUME_GIB, gp3_included_iops, task_hourly, with_multi_az
from autopilot.models.cost import DbInstanceInventory, Inventory, LeaseCost, PoolPlan, Recommendation, ServiceInventory
from autopilot.models.prices import PriceBook

SEED_MAX_CONNECTIONS = 2500  # the guide's "RDS max_connections should be 2500+"
# The sensor API's defaults where its task definition sets nothing (service/sensor_api/settings.py).
SERVICE_DEFAULT_MAX_TASKS = 20
SERVICE_DEFAULT_WORKERS = 4


def arm_tasks(service: ServiceInventory, book: PriceBook) -> Recommendation | None:
    if service.architecture != "X86_64":
        return None
    x86, arm = task_hourly(service, book, "X86_64"), task_hourly(service, book, "ARM64")
    per_task = (x86 - arm) * book.hours_per_month
    at_max = per_task * (service.max_capacity or service.running_tasks)
    return Recommendation(
        id="arm64-tasks",
        title="Run the tasks on Graviton (ARM64)",
        detail=(
            f"A {service.vcpu:g} vCPU / {service.memory_gb:g} GB task costs ${x86:.5f}/h on X86_64 and ${arm:.5f}/h "
            f"on ARM64 ({(1 - arm / x86):.0%} less); ${at_max:,.2f}/month less at max capacity. Needs an arm64 "
            "(or multi-arch) image; set runtimePlatform.cpuArchitecture to ARM64 in the task definition."
        ),
        monthly_saving_usd=round(per_task * service.running_tasks, 2),
        basis=f"the {service.running_tasks} running tasks moved to ARM64, {book.hours_per_month:g} h a month",
        prices_verified=book.fargate_vcpu_hour["ARM64"].verified and book.fargate_gb_hour["ARM64"].verified,
        applies_to=[f"{service.cluster}/{service.service}"],
    )


def _storage_cost(db: DbInstanceInventory, book: PriceBook, kind: str, gb: int, iops: int) -> float | None:
    storage, iops_rate = book.storage_gb_month.get(kind), book.iops_month.get(kind)
    if storage is None:
        return None
    cost = with_multi_az(db, book, storage)[0].value * gb
    included = gp3_included_iops(book, gb) if kind == "gp3" else 0
    if iops_rate is not None and kind != "gp2":
        cost += with_multi_az(db, book, iops_rate)[0].value * max(0, iops - included)
    return cost


def gp3_storage(db: DbInstanceInventory, book: PriceBook) -> Recommendation | None:
    if db.storage_type not in ("io1", "io2", "gp2"):
        return None
    iops = db.iops or 0
    current = _storage_cost(db, book, db.storage_type, db.allocated_gb, iops)
    gb = db.allocated_gb if iops <= book.gp3_included_iops else max(db.allocated_gb, GP3_LARGE_VOLUME_GIB)
    gp3 = _storage_cost(db, book, "gp3", gb, iops)
    if current is None or gp3 is None:
        return None
    if db.storage_type == "gp2":
        detail = (
            f"gp2 gives 3 IOPS per GB ({3 * db.allocated_gb:,} at {db.allocated_gb} GB); gp3 gives 3,000 IOPS "
            "from the first GB for the same or a lower price per GB. The change is online."
        )
    else:
        detail = (
            f"{iops:,} provisioned IOPS on {db.storage_type} cost ${current:,.2f}/month with the storage; gp3 "
            f"includes {gp3_included_iops(book, gb):,} IOPS at {gb} GB"
            + (f" (it needs {gb} GB to go above 3,000 IOPS)" if gb != db.allocated_gb else "")
            + ". Check the workload's IOPS (CloudWatch ReadIOPS + WriteIOPS) before switching."
        )
    return Recommendation(
        id=f"gp3-storage:{db.instance_id}",
        title=f"gp3 instead of {db.storage_type} for {db.instance_id}",
        detail=detail,
        monthly_saving_usd=round(current - gp3, 2),
        basis=f"{db.allocated_gb} GB {db.storage_type} with {iops:,} IOPS, compared with {gb} GB gp3",
        prices_verified=all(
            rate.verified
            for rate in (
                book.storage_gb_month.get(db.storage_type),
                book.storage_gb_month.get("gp3"),
                book.iops_month.get(db.storage_type),
                book.iops_month.get("gp3"),
            )
            if rate is not None
        ),
        applies_to=[db.instance_id],
    )


def _primary(inventory: Inventory) -> DbInstanceInventory | None:
    ranked = sorted(inventory.databases, key=lambda db: db.role != "primary")
    return ranked[0] if ranked else None


def _class_that_fits(book: PriceBook, db: DbInstanceInventory, needed: int) -> str | None:
    family = db.instance_class.rsplit(".", 1)[0] + "."
    fitting = [
        (rate.value, name)
        for name, rate in book.rds_instance_hour.get(db.engine, {}).items()
        if name.startswith(family)
        and name in book.db_classes
        and default_max_connections(book.db_classes[name].memory_gib).expected >= needed
    ]
    return min(fitting)[1] if fitting else None


def service_pools(service: ServiceInventory, budget: int) -> tuple[PoolPlan, str]:
    """The service's pool plan from its task definition's environment, and its inputs with where each came from;
    where the task definition is silent, ``budget`` (the stack's DbConnectionBudget) and the service's defaults."""
    found = service.pool_settings
    inputs = [
        ("DB_CONNECTION_BUDGET", found.db_connection_budget, budget, "DbConnectionBudget"),
        ("MAX_TASKS", found.max_tasks, SERVICE_DEFAULT_MAX_TASKS, "the service's default"),
        ("WEB_CONCURRENCY", found.web_concurrency, SERVICE_DEFAULT_WORKERS, "the service's default"),
    ]
    values = [given if given is not None else default for _, given, default, _ in inputs]
    plan = service_pool_plan(values[0], values[1], values[2], found.db_pool_size)
    stated = [
        f"{name}={value}" + ("" if given is not None else f" ({where})")
        for (name, given, _, where), value in zip(inputs, values, strict=True)
    ]
    if found.db_pool_size is not None:
        stated.append(f"DB_POOL_SIZE={found.db_pool_size}")
    return plan, ", ".join(stated)


def _pools_sentence(plan: PoolPlan, settings: str) -> str:
    if plan.refusal is not None:
        return f"With {settings} the sensor API would refuse to start: {plan.refusal}."
    return (
        f"The sensor API sizes its pools from the budget at its ceiling instead ({settings}; from its task "
        f"definition unless marked): {plan.formula}."
    )


def connection_pooling(inventory: Inventory, book: PriceBook, per_task: int, budget: int) -> Recommendation | None:
    primary, service = _primary(inventory), inventory.service
    spec = book.db_classes.get(primary.instance_class) if primary else None
    if primary is None or spec is None:
        return None
    max_tasks = service.max_capacity or service.running_tasks
    planned, limit = max_tasks * per_task, default_max_connections(spec.memory_gib)
    current = book.rds_hour(primary.engine, primary.instance_class)
    if planned <= limit.expected or current is None:
        return None
    instances = sum(1 for db in inventory.databases if db.instance_class == primary.instance_class)
    bigger = _class_that_fits(book, primary, planned)
    bigger_rate = book.rds_hour(primary.engine, bigger) if bigger else None
    saving = (bigger_rate.value - current.value) * book.hours_per_month * instances if bigger_rate else None
    proxy = book.rds_proxy_vcpu_hour.value * spec.vcpu * book.hours_per_month
    plan, source = service_pools(service, budget)
    return Recommendation(
        id="connection-pooling",
        title="Pool connections from a budget instead of raising max_connections",
        detail=(
            f"{max_tasks} tasks x {per_task} connections = {planned:,} at max capacity, but a {primary.instance_class} "
            f"allows {limit.phrase} by default (LEAST(DBInstanceClassMemory/9531392, 5000)); raising max_connections "
            f"to {SEED_MAX_CONNECTIONS:,} there can keep the instance from starting. {_pools_sentence(plan, source)} "
            f"If more clients must share the database, RDS Proxy costs about ${proxy:,.2f}/month "
            f"({book.rds_proxy_vcpu_hour.source}{'' if book.rds_proxy_vcpu_hour.verified else ', unverified'})."
        ),
        monthly_saving_usd=round(saving, 2) if saving is not None else None,
        basis=(
            f"{instances} x {bigger} avoided, the smallest class whose default max_connections reaches {planned:,}"
            if bigger
            else f"no {primary.engine} class in the price table reaches {planned:,} connections by default"
        ),
        prices_verified=current.verified and (bigger_rate.verified if bigger_rate else True),
        applies_to=[db.instance_id for db in inventory.databases],
    )


def rds_graviton(inventory: Inventory, book: PriceBook) -> Recommendation | None:
    moves: list[tuple[str, str, float, bool]] = []
    for db in inventory.databases:
        target = db.instance_class.replace("db.t3.", "db.t4g.", 1)
        now, then = book.rds_hour(db.engine, db.instance_class), book.rds_hour(db.engine, target)
        if target != db.instance_class and now is not None and then is not None and then.value < now.value:
            factor = book.multi_az_factor.value if db.multi_az else 1.0
            saving = (now.value - then.value) * factor * book.hours_per_month
            moves.append((db.instance_id, target, saving, now.verified and then.verified))
    if not moves:
        return None
    return Recommendation(
        id="rds-graviton",
        title="Graviton (db.t4g) database instances",
        detail=(
            "The same size on Graviton costs less per hour: "
            + "; ".join(f"{name} -> {target} (${saving:,.2f}/month)" for name, target, saving, _ in moves)
            + ". Move the replica with the primary (config parity); each change restarts the instance."
        ),
        monthly_saving_usd=round(sum(m[2] for m in moves), 2),
        basis="each instance moved to the db.t4g class of the same size",
        prices_verified=all(m[3] for m in moves),
        applies_to=[m[0] for m in moves],
    )


def expired_leases(leases: list[LeaseCost]) -> Recommendation | None:
    stale = [lease for lease in leases if lease.expired]
    if not stale:
        return None
    saving = sum(lease.cost_impact.monthly_usd for lease in stale)
    return Recommendation(
        id="expired-leases",
        title="Floor leases past their expiry are still in place",
        detail=(
            "The sweeper restores expired leases every 5 minutes; these are still raised: "
            + ", ".join(f"{lease.resource_id} at {lease.leased_min} (was {lease.original_min})" for lease in stale)
            + ". Check the SweeperFunction's logs and errors."
        ),
        monthly_saving_usd=round(saving, 2),
        basis="the extra tasks of the expired leases, kept for a month",
        prices_verified=True,
        applies_to=[lease.resource_id for lease in stale],
    )


def recommend(
    inventory: Inventory, book: PriceBook, leases: list[LeaseCost], per_task: int, budget: int
) -> list[Recommendation]:
    found = [
        arm_tasks(inventory.service, book),
        *(gp3_storage(db, book) for db in inventory.databases),
        connection_pooling(inventory, book, per_task, budget),
        rds_graviton(inventory, book),
        expired_leases(leases),
    ]
    kept = [rec for rec in found if rec is not None]
    return sorted(kept, key=lambda rec: -(rec.monthly_saving_usd or 0.0))
