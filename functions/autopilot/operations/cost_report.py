"""The cost report, end to end: observe the stack (inventory, prices, leases, actions), price it, deliver it.

:func:`build_cost_report` only reads (the CLI prints what it returns); :func:`report_and_deliver` also stores the
report in S3 and sends its summary (CostReportFunction).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.cost_explorer import month_to_date
from autopilot.adapters.inventory import build_inventory
from autopilot.adapters.pricing_api import refresh_prices
from autopilot.adapters.report_store import deliver
from autopilot.adapters.state_table import StateTable
from autopilot.logic.cost_prices import price_book, settings_overrides
from autopilot.logic.cost_report import ReportInputs, assemble_report
from autopilot.models.cost import CostReport, Delivery
from autopilot.models.records import AuditRecord, Lease
from autopilot.settings.cost import CostSettings

ACTIONS_WINDOW = timedelta(hours=24)


def _autopilot_state(
    clients: AwsClients, settings: CostSettings, now: datetime
) -> tuple[list[Lease], list[AuditRecord], list[str]]:
    """Active floor leases and the last day's actions; a report is still made when the table cannot be read."""
    try:
        table = StateTable(clients.table(settings.state_table_name))
        leases = table.list_leases()
        actions = table.recent_records(settings.scalable_resource_id, now - ACTIONS_WINDOW)
    except (BotoCoreError, ClientError) as exc:
        return [], [], [f"state table {settings.state_table_name!r} not read ({exc}): leases and actions unknown"]
    return leases, actions, []


def build_cost_report(clients: AwsClients, settings: CostSettings, now: datetime) -> CostReport:
    """Observe the stack and price it. Reads only: nothing is stored or sent."""
    inventory = build_inventory(clients, settings)
    engine_classes = {(db.engine, db.instance_class) for db in inventory.databases}
    refreshed, refresh_note = refresh_prices(
        clients.pricing, settings.aws_region, engine_classes, settings.pricing_api_enabled, now
    )
    book = price_book(settings.aws_region, refreshed | settings_overrides(settings.price_overrides))
    leases, actions, notes = _autopilot_state(clients, settings, now)
    inventory.notes += notes
    inputs = ReportInputs(
        generated_at=now,
        inventory=inventory,
        book=book,
        leases=leases,
        actions=actions,
        actuals=month_to_date(clients.cost_explorer, now, settings.cost_explorer_enabled),
        refresh_note=refresh_note,
        alb_lcu=settings.alb_lcu_estimate,
        planned_connections_per_task=settings.planned_connections_per_task,
        connection_budget=settings.db_connection_budget,
        incidents_per_month=settings.incidents_per_month,
    )
    return assemble_report(inputs)


def report_and_deliver(clients: AwsClients, settings: CostSettings, now: datetime) -> tuple[CostReport, Delivery]:
    """Build the report and deliver it (S3 and SNS, as configured); the delivery says what reached where."""
    report = build_cost_report(clients, settings, now)
    delivery = deliver(clients, report, settings.report_bucket, settings.report_prefix, settings.notification_topic_arn)
    return report, delivery
