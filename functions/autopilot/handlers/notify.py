"""NotifyFunction: one readable SNS message for a decision, verdict, report or failure — at once when it is
actionable, in the scheduled digest when it is routine. Its schedule (``DigestSchedule``) sends the digest."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from autopilot.adapters.clients import aws_clients
from autopilot.errors import ConfigurationError, InvalidEventError
from autopilot.models.schedule_events import ScheduledEvent
from autopilot.observability import logger, metrics, tracer
from autopilot.operations.notify import notify, send_digest
from autopilot.settings.common import get_common_settings


def _schedule(event: dict[str, Any]) -> ScheduledEvent | None:
    if event.get("detail-type") != "Scheduled Event":
        return None
    try:
        return ScheduledEvent.model_validate(event)
    except ValidationError as exc:
        raise InvalidEventError.from_validation("digest schedule event", exc) from exc


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not isinstance(event, dict) or not event:
        raise InvalidEventError(
            "invalid notify input: expected the workflow state (or the digest's schedule event) as a JSON object. "
            "Nothing was sent."
        )
    settings = get_common_settings()
    if not settings.notification_topic_arn:
        raise ConfigurationError("NOTIFICATION_TOPIC_ARN is not set; set it to the SNS topic to notify")
    schedule = _schedule(event)
    clients = aws_clients(settings.aws_region)
    if schedule is not None:
        return send_digest(clients, schedule.time, settings.notification_topic_arn, settings.state_table_name)
    return notify(clients, event, settings.notification_topic_arn, settings.state_table_name)
