"""Which notifications go out at once and which wait for the digest, and what the digest says.

Actionable (published at once): a change was made, an approval was asked or answered, a step failed, the replica
check recommends or warns, RDS reports a failure or failover, a dry run would have changed something, a guard rail
held back an overload, or an alarm the autopilot has no action for went to ALARM (a person should look). Anything
not recognised as routine is actionable: a notification is never held back by mistake.

Routine (the digest): the workflow decided nothing was needed — any other RDS event (availability, read replica,
backup, maintenance, notification...) when the replica checks found nothing to do, an alarm back to OK with no
floor to restore, an alarm with no data, a replayed, late or duplicate event, CPU at or below the target, a floor
already high enough.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from autopilot.logic.notify_format import Message, headline, subject_line, trigger_line
from autopilot.models.notifications import Classification, DigestEntry

MAX_LISTED = 200  # entries written out in one digest; SNS messages stay far below 256 KB
MAX_LINE = 300
# A scale-out decision of "none" that leaves an overload unanswered: a person must act.
GUARD_RAIL_MARKERS = ("hard ceiling", "rolling back", "flapping guard")
# RDS says the instance failed or failed over: told at once, whatever the replica checks found.
URGENT_RDS_CATEGORIES = frozenset({"failure", "failover"})


def _slot(state: dict[str, Any], key: str) -> dict[str, Any]:
    value = state.get(key)
    return value if isinstance(value, dict) else {}


def _changed_or_would(state: dict[str, Any]) -> str | None:
    for key in ("decision", "restore"):
        result = _slot(state, key)
        if result.get("taken") or result.get("needs_approval"):
            return f"the {key} changed something or asks for approval"
        if result.get("dry_run") and result.get("action") not in (None, "none"):
            return f"a dry run: the {key} would have done {result['action']}"
    return None


def _urgent_rds_event(trigger: dict[str, Any]) -> str | None:
    detail = _slot(trigger, "detail")
    categories = detail.get("EventCategories")
    if trigger.get("source") != "aws.rds" or not isinstance(categories, list):
        return None
    urgent = sorted(URGENT_RDS_CATEGORIES.intersection(categories))
    return f"RDS reports {' and '.join(urgent)}: {detail.get('Message', '')}" if urgent else None


def _needs_a_person(state: dict[str, Any]) -> str | None:
    urgent = _urgent_rds_event(_slot(state, "trigger"))
    if urgent is not None:
        return urgent
    verdict = _slot(state, "verdict")
    if verdict.get("next_step") not in (None, "none"):
        return f"the replica check says {verdict.get('verdict')} (next step {verdict.get('next_step')})"
    if _slot(state, "promotion"):
        return "a promotion ran"
    reason = str(_slot(state, "decision").get("reason") or "")
    if any(marker in reason for marker in GUARD_RAIL_MARKERS):
        return f"a guard rail held back the response to an overload: {reason}"
    alarm_state = _slot(_slot(state, "trigger"), "detail").get("state")
    kind = _slot(state, "assessment").get("kind")
    if kind == "unknown" and isinstance(alarm_state, dict) and alarm_state.get("value") == "ALARM":
        return "an alarm the autopilot has no action for is in ALARM"
    return None


def _routine_reason(state: dict[str, Any]) -> str:
    trigger = _slot(state, "trigger")
    if trigger.get("source") == "aws.rds":
        return "routine RDS event: the replica checks found nothing to do"
    for key in ("decision", "restore", "assessment"):
        reason = _slot(state, key).get("reason") or (_slot(state, key).get("reasons") or [None])[0]
        if reason:
            return f"no action: {reason}"
    return "no action was needed"


def classify_notification(state: dict[str, Any]) -> Classification:
    """Actionable or routine, and why, from the workflow state Notify receives."""
    outcome = _slot(state, "notice").get("outcome")
    if outcome != "no_action":
        return Classification(kind="actionable", reason=f"outcome {outcome or 'not given'}")
    why = _changed_or_would(state) or _needs_a_person(state)
    if why is not None:
        return Classification(kind="actionable", reason=why)
    return Classification(kind="routine", reason=_routine_reason(state))


def _event_time(state: dict[str, Any]) -> datetime | None:
    """The time the event happened (a duplicate delivery carries the same), else the time the workflow gave."""
    for value in (_slot(state, "trigger").get("time"), state.get("now"), state.get("entered_at")):
        if isinstance(value, str) and value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return None


def _event_id(trigger: dict[str, Any]) -> str:
    """EventBridge's event id (the same on every delivery of an event), else a hash of the trigger."""
    event_id = trigger.get("id")
    if isinstance(event_id, str) and event_id:
        return event_id
    canonical = json.dumps(trigger, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()[:32]


def digest_entry(state: dict[str, Any], classification: Classification) -> DigestEntry | None:
    """The digest's record of a routine notification, or None when the state carries no time to file it under."""
    at = _event_time(state)
    if at is None:
        return None
    trigger = _slot(state, "trigger")
    return DigestEntry(
        at=at.astimezone(UTC),
        event_id=_event_id(trigger),
        headline=headline(state)[:MAX_LINE],
        what=(trigger_line(trigger) if trigger else "No trigger in the input.")[:MAX_LINE],
        why=classification.reason[:MAX_LINE],
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render_digest(entries: list[DigestEntry], until: datetime) -> Message:
    """One message for the routine notifications not yet sent, oldest first."""
    ordered = sorted(entries, key=lambda e: (e.at, e.event_id))
    count = len(ordered)
    noun = "notification" if count == 1 else "notifications"
    parts = [
        "ROUTINE NOTIFICATIONS",
        f"  {count} routine {noun} up to {_stamp(until)}: nothing needed doing. Actionable ones were sent at once.",
        "",
    ]
    for entry in ordered[:MAX_LISTED]:
        parts += [f"- {_stamp(entry.at)}  {entry.what}", f"    {entry.headline}", f"    ({entry.why})"]
    if count > MAX_LISTED:
        parts.append(f"... and {count - MAX_LISTED} more (autopilot status lists the decisions).")
    return Message(subject=subject_line(f"Digest: {count} routine {noun} up to {_stamp(until)}"), body="\n".join(parts))
