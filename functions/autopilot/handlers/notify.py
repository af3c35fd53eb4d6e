"""NotifyFunction: one readable SNS message for a decision, verdict, report or failure."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from autopilot.adapters.aws import client
from autopilot.errors import ConfigurationError, InvalidEventError
from autopilot.logic.notify_format import render
from autopilot.observability import logger, metrics, tracer
from autopilot.settings.common import get_common_settings


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if not isinstance(event, dict) or not event:
        raise InvalidEventError("invalid notify input: expected the workflow state as a JSON object. Nothing was sent.")
    settings = get_common_settings()
    if not settings.notification_topic_arn:
        raise ConfigurationError("NOTIFICATION_TOPIC_ARN is not set; set it to the SNS topic to notify")
    message = render(event)
    sent = client("sns").publish(
        TopicArn=settings.notification_topic_arn, Subject=message.subject.replace("\n", " "), Message=message.body
    )
    logger.info("notification sent", extra={"subject": message.subject})
    return {"message_id": sent["MessageId"], "subject": message.subject}
