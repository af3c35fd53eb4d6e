"""One message format for every outcome, readable as e-mail: what happened, why, what changed, how to undo it."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

SUBJECT_PREFIX = "[sensor-autopilot]"
MAX_SUBJECT = 99  # SNS: ASCII, no line breaks, less than 100 characters
# The results the workflow and the functions put in the state, in the order a reader wants them.
SECTIONS = ("assessment", "decision", "verification", "restore", "verdict", "promotion", "report", "sweep")


class Message(BaseModel):
    subject: str
    body: str


def trigger_line(trigger: dict[str, Any]) -> str:
    detail = trigger.get("detail") or trigger.get("alarmData") or {}
    if "alarmName" in detail:
        state = detail.get("state", {})
        when = state.get("timestamp")
        return f"Alarm {detail['alarmName']} went to {state.get('value')} at {when}: {state.get('reason', '')}"
    if trigger.get("source") == "aws.rds":
        return f"RDS event {detail.get('EventID', '')} on {detail.get('SourceIdentifier')}: {detail.get('Message', '')}"
    if trigger.get("source") == "autopilot.manual":
        return f"Manual {trigger.get('kind')} request by {trigger.get('requested_by')}: {trigger.get('reason')}"
    return f"Event {trigger.get('detail-type', trigger.get('source', 'unknown'))} at {trigger.get('time', '?')}"


def _changed(state: dict[str, Any]) -> list[str]:
    lines = []
    for key in ("decision", "restore", "promotion", "sweep"):
        result = state.get(key)
        if isinstance(result, dict) and (result.get("taken") or result.get("promoted") or result.get("restored")):
            lines.append(str(result.get("summary", key)))
    return lines


def _undo(state: dict[str, Any]) -> list[str]:
    decision = state.get("decision") or {}
    lines = []
    resource_id = ((state.get("assessment") or {}).get("target") or {}).get("resource_id", "<resource-id>")
    if decision.get("taken") and decision.get("action") == "raise_floor":
        lease = decision.get("lease") or {}
        lines.append(
            f"The floor is a lease: it returns to {lease.get('original_min', decision.get('from_min'))} when its own "
            f"alarm has been OK for the scale-in cooldown, or at {lease.get('expires_at', 'its expiry')} at the "
            "latest. "
            f"To lower it now: aws application-autoscaling register-scalable-target --service-namespace ecs "
            f"--scalable-dimension ecs:service:DesiredCount --resource-id {resource_id} "
            f"--min-capacity {decision.get('from_min')}"
        )
    if decision.get("taken") and decision.get("action") == "raise_max":
        lines.append(
            f"MaxCapacity is a lease too: it returns to {decision.get('from_max')} when the alarm has been OK for the "
            f"scale-in cooldown, or when the lease expires. To undo now: register-scalable-target with "
            f"--max-capacity {decision.get('from_max')}"
        )
    promotion = state.get("promotion") or {}
    if promotion.get("promoted"):
        lines.append("A promotion cannot be undone. " + " ".join(promotion.get("operator_steps", [])))
    return lines


def headline(state: dict[str, Any]) -> str:
    notice = state.get("notice") or {}
    outcome = str(notice.get("outcome", ""))
    for key in ("promotion", "decision", "restore", "verdict", "sweep", "report", "assessment"):
        result = state.get(key)
        if isinstance(result, dict) and result.get("summary"):
            text = str(result["summary"])
            break
    else:
        text = "no decision was needed"
    if outcome == "failed":
        step = notice.get("failed_step") or "a step"
        text = f"FAILED at {step}: {notice.get('summary') or text}"
    elif outcome == "not_approved":
        text = f"Not approved, nothing changed: {text}"
    return text


def subject_line(text: str) -> str:
    """An SNS subject: the prefix and ``text`` in ASCII on one line, shortened to fit."""
    subject = " ".join(f"{SUBJECT_PREFIX} {text}".encode("ascii", "replace").decode().split())
    return subject if len(subject) <= MAX_SUBJECT else subject[: MAX_SUBJECT - 3] + "..."


def render(state: dict[str, Any]) -> Message:
    title = headline(state)
    trigger = state.get("trigger") or {}
    parts = [
        "WHAT HAPPENED",
        f"  {trigger_line(trigger) if trigger else 'No trigger in the input.'}",
        "",
        "DECISION",
        f"  {title}",
        "",
        "WHY",
    ]
    for key in SECTIONS:
        result = state.get(key)
        if isinstance(result, dict):
            reasons = result.get("reasons") or ([result["reason"]] if result.get("reason") else [])
            parts += [f"  - {key}: {r}" for r in reasons]
    notice = state.get("notice") or {}
    if notice.get("error"):
        parts += ["", "ERROR", f"  {json.dumps(notice['error'], default=str)[:1500]}"]
    changed = [f"  {c}" for c in _changed(state)] or ["  Nothing was changed."]
    if notice.get("left_unchanged"):
        changed.append(f"  After the failure: {notice['left_unchanged']}")
    parts += ["", "WHAT CHANGED", *changed]
    undo = _undo(state)
    parts += ["", "HOW TO UNDO"] + ([f"  {u}" for u in undo] or ["  Nothing to undo."])
    parts += ["", "DETAILS", json.dumps({k: v for k, v in state.items() if k != "trigger"}, indent=2, default=str)]
    return Message(subject=subject_line(title), body="\n".join(parts))
