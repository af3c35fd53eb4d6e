"""Publishing to the notification topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autopilot.logic.notify_format import Message

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


def publish(sns: SNSClient, topic_arn: str, message: Message) -> str:
    """Publish one message; returns its SNS message id."""
    sent = sns.publish(TopicArn=topic_arn, Subject=message.subject, Message=message.body)
    return str(sent["MessageId"])
