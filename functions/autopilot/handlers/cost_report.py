"""CostReportFunction: the daily cost report (inventory x price table) to S3, SNS and a metric.

Runs on the daily schedule or on a manual ``cost-report`` request. The report's time is the event's time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from autopilot.adapters.cost_explorer import month_to_date
from autopilot.adapters.inventory import build_inventory
from autopilot.adapters.pricing_api import refresh_prices
from autopilot.adapters.report_store import deliver
from autopilot.adapters.state_table import StateTable
from autopilot.clock import resolve_now
from autopilot.errors import InvalidEventError
from autopilot.logic.cost_prices import price_book, settings_overrides
from autopilot.logic.cost_report import ReportInputs, assemble_report
from autopilot.models.cost import CostReport
from autopilot.models.records import AuditRecord, Lease
from autopilot.models.task_input import parse_task_input
from autopilot.observability import logger, metrics, tracer
from autopilot.settings.cost import CostSettings, get_cost_settings

ACTIONS_WINDOW = timedelta(hours=24)


def _autopilot_state(settings: CostSettings, now: datetime) -> tuple[list[Lease], list[AuditRecord], list[str]]:
    """Active floor leases and the last day's actions; a report is still made when the table cannot be read."""
    try:
        table = StateTable(settings.state_table_name)
        leases = table.list_leases()
        actions = table.recent_records(settings.scalable_resource_id, now - ACTIONS_WINDOW)
    except (BotoCoreError, ClientError) as exc:
        return [], [], [f"state table {settings.state_table_name!r} not read ({exc}): leases and actions unknown"]
    return leases, actions, []


def build_cost_report(settings: CostSettings, now: datetime) -> CostReport:
    """Observe the stack and price it. Reads only: nothing is stored or sent."""
    inventory = build_inventory(settings)
    engine_classes = {(db.engine, db.instance_class) for db in inventory.databases}
    refreshed, refresh_note = refresh_prices(settings.aws_region, engine_classes, settings.pricing_api_enabled, now)
    book = price_book(settings.aws_region, refreshed | settings_overrides(settings.price_overrides))
    leases, actions, notes = _autopilot_state(settings, now)
    inventory.notes += notes
    inputs = ReportInputs(
        generated_at=now,
        inventory=inventory,
        book=book,
        leases=leases,
        actions=actions,
        actuals=month_to_date(now, settings.cost_explorer_enabled),
        refresh_note=refresh_note,
        alb_lcu=settings.alb_lcu_estimate,
        planned_connections_per_task=settings.planned_connections_per_task,
        connection_budget=settings.db_connection_budget,
        incidents_per_month=settings.incidents_per_month,
    )
    return assemble_report(inputs)


def report_time(event: Any) -> datetime:
    """The time of a scheduled event or a manual ``cost-report`` request; any other event is refused."""
    parsed = parse_task_input(event)
    trigger = parsed.trigger
    wanted = trigger.kind == "schedule" or (trigger.manual is not None and trigger.manual.kind == "cost-report")
    if not wanted:
        what = trigger.manual.kind if trigger.manual is not None else trigger.kind
        raise InvalidEventError(
            f"invalid event for the cost report: a {what!r} event. It runs on a scheduled event or a manual "
            "request with kind 'cost-report'. Nothing was changed."
        )
    return resolve_now(parsed.now)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = report_time(event)
    settings = get_cost_settings()
    report = build_cost_report(settings, now)
    delivery = deliver(report, settings.report_bucket, settings.report_prefix, settings.notification_topic_arn)
    metrics.add_metric(name="UnpricedResources", unit=MetricUnit.Count, value=len(report.prices.unpriced))
    logger.info(
        "cost report delivered",
        extra={"monthly_total_usd": report.monthly_total_usd, "delivery": delivery.model_dump(mode="json")},
    )
    return report.model_dump(mode="json") | {"delivery": delivery.model_dump(mode="json")}
