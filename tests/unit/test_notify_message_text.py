"""The notification's exact text for each kind of trigger and outcome: what an operator reads in the e-mail."""

from __future__ import annotations

import json
from typing import Any

from autopilot.logic.notify_format import render

RAISED_FLOOR: dict[str, Any] = {
    "trigger": {
        "source": "aws.cloudwatch",
        "alarmData": {  # a composite alarm's event carries alarmData, not detail
            "alarmName": "svc-composite",
            "state": {"value": "ALARM", "timestamp": "2026-11-27T14:00:05Z", "reason": "children in ALARM"},
        },
    },
    "assessment": {"summary": "assessed", "target": {"resource_id": "service/c/s"}},
    "decision": {
        "action": "raise_floor",
        "taken": True,
        "summary": "Raised the floor from 3 to 6",
        "reason": "cpu 95 %",
        "from_min": 3,
        "lease": {"original_min": 3, "expires_at": "2026-11-27T15:00:05Z"},
    },
}


def text(state: dict[str, Any]) -> str:
    return render(state).body.split("\nDETAILS\n")[0]


def test_a_raised_floor_from_a_composite_alarm() -> None:
    message = render(RAISED_FLOOR)
    assert message.subject == "[sensor-autopilot] Raised the floor from 3 to 6"
    assert text(RAISED_FLOOR) == (
        "WHAT HAPPENED\n"
        "  Alarm svc-composite went to ALARM at 2026-11-27T14:00:05Z: children in ALARM\n\n"
        "DECISION\n  Raised the floor from 3 to 6\n\n"
        "WHY\n  - decision: cpu 95 %\n\n"
        "WHAT CHANGED\n  Raised the floor from 3 to 6\n\n"
        "HOW TO UNDO\n"
        "  The floor is a lease: it returns to 3 when its own alarm has been OK for the scale-in cooldown, or at "
        "2026-11-27T15:00:05Z at the latest. To lower it now: aws application-autoscaling register-scalable-target "
        "--service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id service/c/s "
        "--min-capacity 3\n"
    )
    details = json.loads(message.body.split("\nDETAILS\n")[1])
    assert set(details) == {"assessment", "decision"}  # the trigger is told above, not repeated


def test_a_promotion_after_an_rds_event() -> None:
    state = {
        "trigger": {
            "source": "aws.rds",
            "detail": {"EventID": "RDS-EVENT-0031", "SourceIdentifier": "db1", "Message": "failed"},
        },
        "verdict": {"summary": "promote", "reasons": ["primary down", "lag 2 s"], "reason": "ignored"},
        "promotion": {"promoted": True, "summary": "Promoted r1", "operator_steps": ["Fence the old primary.", "Go."]},
    }
    assert render(state).subject == "[sensor-autopilot] Promoted r1"
    assert text(state) == (
        "WHAT HAPPENED\n  RDS event RDS-EVENT-0031 on db1: failed\n\n"
        "DECISION\n  Promoted r1\n\n"
        "WHY\n  - verdict: primary down\n  - verdict: lag 2 s\n\n"
        "WHAT CHANGED\n  Promoted r1\n\n"
        "HOW TO UNDO\n  A promotion cannot be undone. Fence the old primary. Go.\n"
    )


def test_a_raised_maximum_on_a_manual_request() -> None:
    state = {
        "trigger": {"source": "autopilot.manual", "kind": "scale-out", "requested_by": "ops@x", "reason": "load test"},
        "decision": {"action": "raise_max", "taken": True, "summary": "Raised MaxCapacity to 25", "from_max": 20},
    }
    assert text(state) == (
        "WHAT HAPPENED\n  Manual scale-out request by ops@x: load test\n\n"
        "DECISION\n  Raised MaxCapacity to 25\n\n"
        "WHY\n\n"
        "WHAT CHANGED\n  Raised MaxCapacity to 25\n\n"
        "HOW TO UNDO\n"
        "  MaxCapacity is a lease too: it returns to 20 when the alarm has been OK for the scale-in cooldown, or "
        "when the lease expires. To undo now: register-scalable-target with --max-capacity 20\n"
    )


def test_a_proposal_not_taken_changes_and_undoes_nothing() -> None:
    state = {
        "trigger": {"detail-type": "Scheduled Event", "time": "2026-11-27T15:05:00Z"},
        "decision": {"action": "raise_floor", "taken": False, "summary": "Would raise", "from_min": 3},
        "notice": {"outcome": "not_approved"},
    }
    assert render(state).subject == "[sensor-autopilot] Not approved, nothing changed: Would raise"
    assert text(state) == (
        "WHAT HAPPENED\n  Event Scheduled Event at 2026-11-27T15:05:00Z\n\n"
        "DECISION\n  Not approved, nothing changed: Would raise\n\n"
        "WHY\n\n"
        "WHAT CHANGED\n  Nothing was changed.\n\n"
        "HOW TO UNDO\n  Nothing to undo.\n"
    )


def test_a_failure_without_a_step_or_a_decision() -> None:
    state = {
        "trigger": {"source": "custom"},
        "notice": {"outcome": "failed", "error": {"Error": "X"}},
        "restore": {"reason": "r"},
    }
    message = render(state)
    assert message.subject == "[sensor-autopilot] FAILED at a step: no decision was needed"
    assert text(state) == (
        "WHAT HAPPENED\n  Event custom at ?\n\n"
        "DECISION\n  FAILED at a step: no decision was needed\n\n"
        "WHY\n  - restore: r\n\n"
        'ERROR\n  {"Error": "X"}\n\n'
        "WHAT CHANGED\n  Nothing was changed.\n\n"
        "HOW TO UNDO\n  Nothing to undo.\n"
    )


def test_an_event_without_a_type_or_a_source_and_no_trigger_at_all() -> None:
    assert "  Event unknown at ?\n" in render({"trigger": {"id": "1"}}).body
    assert render({}).body.startswith("WHAT HAPPENED\n  No trigger in the input.\n\nDECISION\n")


def test_the_subject_is_ascii_on_one_line() -> None:
    state = {"restore": {"summary": "restore ≥ 3\n now"}}
    assert render(state).subject == "[sensor-autopilot] restore ? 3 now"
