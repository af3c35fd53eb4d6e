"""GET /status: the service, its scalable target and leases, alarms in ALARM, the database pair and the
replica's lag, and what the workload costs now (tasks running and database instances)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.cloudwatch_rds import RdsMetrics
from autopilot.adapters.rds import RdsAdapter
from autopilot.adapters.state_table import StateTable
from autopilot.logic.cost_prices import price_book
from autopilot.models.prices import PriceBook
from autopilot.models.replica import InstanceSnapshot
from autopilot.operations.snapshot import observe_service
from autopilot.settings.ops import OpsSettings

LAG_WINDOW = timedelta(minutes=10)


def _alarms_in_alarm(clients: AwsClients) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in clients.cloudwatch.get_paginator("describe_alarms").paginate(StateValue="ALARM"):
        found.extend(
            {"name": a["AlarmName"], "reason": a.get("StateReason", "")}
            for a in page.get("MetricAlarms", []) + page.get("CompositeAlarms", [])
        )
    return found


def _db_hourly(book: PriceBook, instance: InstanceSnapshot) -> float:
    rate = book.rds_hour(instance.engine or "postgres", instance.instance_class)
    factor = book.multi_az_factor.value if instance.multi_az else 1.0
    return rate.value * factor if rate is not None else 0.0


def _database(
    clients: AwsClients, settings: OpsSettings, now: datetime
) -> tuple[dict[str, Any], list[InstanceSnapshot]]:
    rds = RdsAdapter(clients.rds)
    primary = rds.describe_instance(settings.primary_db_instance_id)
    replica = rds.describe_instance(settings.replica_db_instance_id)
    _conns, lag = RdsMetrics(clients.cloudwatch).pair_window(
        primary.instance_id, replica.instance_id, now - LAG_WINDOW, now
    )
    latest = max(lag, key=lambda p: p.at) if lag else None
    view = {
        "primary": primary.model_dump(mode="json", include={"instance_id", "status", "instance_class", "multi_az"}),
        "replica": replica.model_dump(mode="json", include={"instance_id", "status", "instance_class"}),
        "replica_lag_seconds": latest.value if latest else None,
        "replica_lag_at": latest.at.isoformat() if latest else None,
    }
    return view, [primary, replica]


def collect_status(clients: AwsClients, settings: OpsSettings, now: datetime) -> dict[str, Any]:
    seen = observe_service(clients, settings, StateTable(clients.table(settings.state_table_name)))
    database, instances = _database(clients, settings, now)
    book = price_book(settings.aws_region)
    tasks_hourly = seen.service.running * seen.task_hourly_usd
    db_hourly = sum(_db_hourly(book, i) for i in instances)
    hourly = tasks_hourly + db_hourly
    return {
        "at": now.isoformat(),
        "service": seen.service.model_dump(mode="json"),
        "target": seen.target.model_dump(mode="json"),
        "leases": [seen.lease.model_dump(mode="json")] if seen.lease is not None else [],
        "alarms_in_alarm": _alarms_in_alarm(clients),
        "database": database,
        "cost_now": {
            "tasks_hourly_usd": round(tasks_hourly, 4),
            "databases_hourly_usd": round(db_hourly, 4),
            "hourly_usd": round(hourly, 4),
            "monthly_usd": round(hourly * book.hours_per_month, 2),
            "covers": "running tasks and database instances on demand; the daily cost report has storage and ALB",
        },
    }
