"""Notify: actionable notifications go out at once; routine ones wait for the scheduled digest, which sends them
as one message and marks them sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from autopilot.adapters.clients import AwsClients
from autopilot.adapters.digest_store import DigestStore
from autopilot.adapters.topic import publish
from autopilot.logic.notify_digest import classify_notification, digest_entry, render_digest
from autopilot.logic.notify_format import render
from autopilot.observability import logger


def notify(clients: AwsClients, state: dict[str, Any], topic_arn: str, table_name: str) -> dict[str, Any]:
    """Publish the message for ``state`` now, or file it for the digest (in the state table ``table_name``) when
    it is routine."""
    message = render(state)
    classification = classify_notification(state)
    entry = digest_entry(state, classification) if classification.kind == "routine" else None
    if entry is None:
        message_id = publish(clients.sns, topic_arn, message)
        logger.info("notification sent", extra={"subject": message.subject, "why": classification.reason})
        return {"message_id": message_id, "subject": message.subject, "digest": False, "why": classification.reason}
    added = DigestStore(clients.table(table_name)).add(entry)
    logger.info(
        "routine notification filed for the digest" if added else "routine notification already filed (duplicate)",
        extra={"subject": message.subject, "event_id": entry.event_id, "why": classification.reason},
    )
    return {"message_id": None, "subject": message.subject, "digest": True, "why": classification.reason}


def send_digest(clients: AwsClients, until: datetime, topic_arn: str, table_name: str) -> dict[str, Any]:
    """One message listing the routine notifications not yet sent up to ``until`` (the schedule's time); a
    second run for the same time, or a run with nothing waiting, sends nothing."""
    store = DigestStore(clients.table(table_name))
    if not store.claim_run(until):
        return {"sent": False, "count": 0, "reason": f"the digest for {until.isoformat()} already ran"}
    entries = store.pending(until)
    if not entries:
        return {"sent": False, "count": 0, "reason": f"no routine notification waits up to {until.isoformat()}"}
    message = render_digest(entries, until)
    try:
        message_id = publish(clients.sns, topic_arn, message)
    except Exception:
        store.release_run(until)  # the schedule's retry of this run sends it again
        raise
    store.mark_sent(entries, until, message_id)
    logger.info("digest sent", extra={"count": len(entries), "subject": message.subject})
    return {"sent": True, "count": len(entries), "message_id": message_id, "subject": message.subject}
