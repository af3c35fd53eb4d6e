"""Read what was published to an SNS topic in moto (moto keeps every notification it sent)."""

from __future__ import annotations

import json
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends


def published(topic_arn: str) -> list[dict[str, Any]]:
    """Messages published to ``topic_arn``: subject and parsed message (JSON when it is JSON)."""
    region = topic_arn.split(":")[3]
    backend = sns_backends[DEFAULT_ACCOUNT_ID][region]
    topic = backend.topics[topic_arn]
    out = []
    for _message_id, message, subject, _attrs, _group in topic.sent_notifications:
        try:
            body: Any = json.loads(message)
        except (TypeError, json.JSONDecodeError):
            body = message
        out.append({"subject": subject, "message": body})
    return out
