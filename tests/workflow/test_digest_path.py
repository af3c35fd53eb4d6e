"""Routine outcomes of the workflow wait for the digest; the digest's schedule sends them as one message."""

from __future__ import annotations

import json
from typing import Any

from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.workflow import aws_state
from tests.workflow.conftest import Run, load_event


def rds_backup_event() -> dict[str, Any]:
    event = load_event("workflow-rds-primary-failure.json")
    event["id"] = "wf-rds-0001"
    event["detail"] |= {"EventCategories": ["backup"], "EventID": "RDS-EVENT-0001", "Message": "Backing up DB instance"}
    return event


def test_routine_runs_send_nothing_until_the_digest_lists_them_once(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    recovered = load_event("workflow-cpu-recovered.json")  # no floor was raised: nothing to restore
    for event, now in (
        (recovered, "2026-11-27T14:35:00Z"),
        (recovered, "2026-11-27T14:36:00Z"),  # EventBridge delivers the same event again
        (rds_backup_event(), "2026-11-27T14:40:00Z"),
    ):
        result = run(event, now=now)
        assert result.status == "SUCCEEDED", result.cause
        assert "NoAction" in result.entered_states()
    assert aws_state.notifications(stack) == []

    schedule = load_event("schedule-sweeper.json") | {"time": "2026-11-27T15:00:00Z"}
    sent = json.loads(router.invoke("NotifyFunction", schedule, {}))

    [digest] = aws_state.notifications(stack)
    assert sent["count"] == 2 and "2 routine notifications" in digest["subject"]
    assert digest["message"].count("went to OK") == 1 and "RDS event RDS-EVENT-0001" in digest["message"]
