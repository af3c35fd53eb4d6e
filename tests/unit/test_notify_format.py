"""The notification reads as an e-mail: what happened, why, what changed, how to undo it."""

from __future__ import annotations

import json
from pathlib import Path

from autopilot.logic.notify_format import MAX_SUBJECT, render

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_restored_floor_message() -> None:
    state = json.loads((EVENTS / "notify-restored.json").read_text())
    message = render(state)
    assert message.subject.startswith("[sensor-autopilot] Restored the floor")
    assert len(message.subject) <= MAX_SUBJECT
    body = message.body
    for heading in ("WHAT HAPPENED", "DECISION", "WHY", "WHAT CHANGED", "HOW TO UNDO"):
        assert heading in body
    assert "Alarm sensor-autopilot-cpu-emergency went to OK" in body
    assert "from 6 to 3" in body.split("WHAT CHANGED")[1]


def test_raised_floor_message_says_how_to_undo() -> None:
    state = {
        "trigger": {"detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "cpu", "state": {}}},
        "assessment": {"target": {"resource_id": "service/c/s"}},
        "decision": {
            "action": "raise_floor",
            "taken": True,
            "summary": "Raised the floor from 3 to 6",
            "reason": "observed CPU 95 %",
            "from_min": 3,
            "lease": {"original_min": 3, "expires_at": "2026-11-27T15:00:00Z"},
        },
    }
    body = render(state).body
    undo = body.split("HOW TO UNDO")[1]
    assert "--resource-id service/c/s" in undo and "--min-capacity 3" in undo and "15:00:00Z" in undo


def test_failure_before_any_change_says_nothing_changed_and_which_step() -> None:
    state = {
        "trigger": {"source": "autopilot.manual", "kind": "scale-out", "requested_by": "sre", "reason": "test"},
        "notice": {
            "outcome": "failed",
            "failed_step": "EmergencyScale",
            "error": {"Error": "ThrottlingException"},
            "left_unchanged": "No later step ran.",
            "summary": "EmergencyScale failed. No later step ran.",
        },
    }
    message = render(state)
    assert "FAILED at EmergencyScale: EmergencyScale failed" in message.subject
    changed = message.body.split("WHAT CHANGED")[1].split("HOW TO UNDO")[0]
    assert "Nothing was changed." in changed and "After the failure: No later step ran." in changed
    assert "ThrottlingException" in message.body


def test_failure_after_a_change_reports_the_change() -> None:
    state = {
        "decision": {"action": "raise_floor", "taken": True, "summary": "Raised the floor from 3 to 6"},
        "notice": {"outcome": "failed", "failed_step": "Verify", "left_unchanged": "The decision was applied."},
    }
    changed = render(state).body.split("WHAT CHANGED")[1].split("HOW TO UNDO")[0]
    assert "Raised the floor from 3 to 6" in changed and "Nothing was changed." not in changed


def test_long_subject_is_cut() -> None:
    message = render({"decision": {"summary": "x" * 300}})
    assert len(message.subject) == MAX_SUBJECT and message.subject.endswith("...")


def test_a_cut_subject_is_what_sns_accepts() -> None:
    # SNS Publish: Subject is ASCII, without line breaks, and less than 100 characters long.
    message = render({"decision": {"summary": "é" + "x" * 300}})
    assert len(message.subject) < 100
    assert message.subject.isascii() and "\n" not in message.subject
