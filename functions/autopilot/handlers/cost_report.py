"""CostReportFunction: the daily cost report (inventory x price table) to S3, SNS and a metric.

Runs on the daily schedule or on a manual ``cost-report`` request. The report's time is the event's time;
the report is built and delivered by :mod:`autopilot.operations.cost_report`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.clients import aws_clients
from autopilot.clock import resolve_now
from autopilot.errors import InvalidEventError
from autopilot.models.task_input import parse_task_input
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.cost_report import report_and_deliver
from autopilot.settings.cost import get_cost_settings


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
    report, delivery = report_and_deliver(aws_clients(settings.aws_region), settings, now)
    metrics.add_metric(name="UnpricedResources", unit=MetricUnit.Count, value=len(report.prices.unpriced))
    logger.info(
        "cost report delivered",
        extra={"monthly_total_usd": report.monthly_total_usd, "delivery": delivery.model_dump(mode="json")},
    )
    return report.model_dump(mode="json") | {"delivery": delivery.model_dump(mode="json")}
