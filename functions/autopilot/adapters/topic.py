"""Publishing to the notification topic."""

from __future__ import annotations

from autopilot.adapters.aws import client
from autopilot.logic.notify_format import Message


def publish(topic_arn: str, message: Message) -> str:
    """Publish one message; returns its SNS message id."""
    sent = client("sns").publish(TopicArn=topic_arn, Subject=message.subject, Message=message.body)
    return str(sent["MessageId"])
