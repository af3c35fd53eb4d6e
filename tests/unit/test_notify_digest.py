"""Which notifications wait for the digest, how a routine one is filed, and what the digest says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from autopilot.logic.notify_digest import (
    MAX_LISTED,
    Classification,
    DigestEntry,
    classify_notification,
    digest_entry,
    render_digest,
)
from autopilot.logic.notify_format import MAX_SUBJECT
from autopilot.logic.scaling import decide_scale_out
from autopilot.models.scaling import ScaleOutInput, ServiceSnapshot, TargetSnapshot
from autopilot.settings.scaling import ScalingSettings

EVENTS = Path(__file__).resolve().parents[2] / "events"
NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
ROUTINE = Classification(kind="routine", reason="no action: test")


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def scale_out_decision(cpu: float = 95.0, running: int = 3, max_: int = 20, **extra: Any) -> dict[str, Any]:
    """A decision as EmergencyScale returns it, from the real scaling logic."""
    data = ScaleOutInput(
        now=NOW,
        service=ServiceSnapshot(cluster="c", service="s", desired=running, running=running, pending=0),
        target=TargetSnapshot(resource_id="service/c/s", min=3, max=max_),
        observed_cpu=cpu,
        alarm_name="sensor-autopilot-cpu-emergency",
        episode="arn|t",
        task_hourly_usd=0.05,
        **extra,
    )
    return decide_scale_out(data, ScalingSettings()).model_dump(mode="json")


def state(trigger: str, outcome: str | None = "no_action", **slots: Any) -> dict[str, Any]:
    notice = None if outcome is None else {"outcome": outcome, "failed_step": None, "error": None}
    return {"trigger": load(trigger), "notice": notice, "entered_at": "2026-11-27T15:00:00Z", **slots}


def alarm(name: str, value: str) -> dict[str, Any]:
    return {**load(name), "detail": {**load(name)["detail"], "state": {"value": value, "reason": "test"}}}


def rds_event(category: str, event_id: str, message: str) -> dict[str, Any]:
    event = load("rds-primary-failure.json")
    detail = event["detail"] | {"EventCategories": [category], "EventID": event_id, "Message": message}
    return event | {"id": f"rds-{event_id}", "detail": detail}


HEALTHY = {"verdict": "healthy", "next_step": "none", "reasons": ["primary available"]}
ROUTINE_STATES = {
    "a backup event the replica checks found healthy": state(
        "rds-primary-failure.json", assessment={"kind": "database"}, verdict=HEALTHY
    )
    | {"trigger": rds_event("backup", "RDS-EVENT-0001", "Backing up DB instance")},
    "a replica event the replica checks found healthy": state("rds-primary-failure.json", verdict=HEALTHY)
    | {"trigger": rds_event("read replica", "RDS-EVENT-0046", "Replication for the Read Replica resumed.")},
    "an alarm back to OK with no floor to restore": state(
        "alarm-cpu-recovered.json",
        assessment={"kind": "recovered"},
        restore={"action": "none", "taken": False, "reason": "no lease: nothing to restore"},
    ),
    "CPU at or below the target": state(
        "alarm-cpu-emergency.json", assessment={"kind": "scale-out"}, decision=scale_out_decision(cpu=40.0)
    ),
    "a replayed alarm episode": state(
        "alarm-cpu-emergency.json",
        assessment={"kind": "scale-out"},
        decision={"action": "raise_floor", "taken": False, "replayed": True, "summary": "replayed"},
    ),
    "an alarm with insufficient data": {
        **state("alarm-cpu-emergency.json", assessment={"kind": "unknown"}),
        "trigger": alarm("alarm-cpu-emergency.json", "INSUFFICIENT_DATA"),
    },
}

ACTIONABLE_STATES = {
    "a change was made": state("notify-restored.json", outcome="succeeded"),
    "a step failed": state("alarm-cpu-emergency.json", outcome="failed"),
    "an approval was refused": state("alarm-cpu-emergency.json", outcome="not_approved"),
    "a promotion recommendation": state("rds-primary-failure.json", outcome="recommendation"),
    "no outcome given (a direct invocation)": state("notify-restored.json", outcome=None),
    "an RDS failure event, even with a healthy replica check": state(
        "rds-primary-failure.json", assessment={"kind": "database"}, verdict=HEALTHY
    ),
    "a lagging replica": state(
        "rds-primary-failure.json", verdict={"verdict": "lagging", "next_step": "notify"}, assessment={}
    ),
    "a dry run that would raise the floor": state(
        "alarm-cpu-emergency.json", assessment={"kind": "scale-out"}, decision=scale_out_decision(dry_run=True)
    ),
    "the hard ceiling holds back an overload": state(
        "alarm-cpu-emergency.json", decision=scale_out_decision(running=30, max_=30, approval=True)
    ),
    "the flapping guard holds back an overload": state(
        "alarm-cpu-emergency.json", decision=scale_out_decision(actions_last_hour=3)
    ),
    "an alarm without automatic action in ALARM": state(
        "alarm-sample-single-metric.json", assessment={"kind": "unknown"}
    ),
}


@pytest.mark.parametrize("case", ROUTINE_STATES)
def test_routine_outcomes_wait_for_the_digest(case: str) -> None:
    assert classify_notification(ROUTINE_STATES[case]).kind == "routine"


@pytest.mark.parametrize("case", ACTIONABLE_STATES)
def test_actionable_outcomes_go_out_at_once(case: str) -> None:
    assert classify_notification(ACTIONABLE_STATES[case]).kind == "actionable"


def test_a_routine_entry_is_filed_under_its_event_not_the_time_it_was_handled() -> None:
    routine = ROUTINE_STATES["an alarm back to OK with no floor to restore"]
    first = digest_entry(routine, ROUTINE)
    again = digest_entry({**routine, "entered_at": "2026-11-28T09:00:00Z", "now": "2026-11-28T09:00:00Z"}, ROUTINE)
    assert first is not None and again is not None
    assert (first.at, first.event_id) == (again.at, again.event_id)
    assert first.at == datetime.fromisoformat(load("alarm-cpu-recovered.json")["time"].replace("Z", "+00:00"))
    assert "went to OK" in first.what


def test_a_trigger_without_an_id_is_known_by_its_content() -> None:
    trigger = {"source": "autopilot.manual", "kind": "recovered", "requested_by": "sre", "reason": "test"}
    one = digest_entry({"trigger": trigger, "now": "2026-11-27T14:00:00Z"}, ROUTINE)
    two = digest_entry({"trigger": dict(trigger), "now": "2026-11-27T14:00:00Z"}, ROUTINE)
    other = digest_entry({"trigger": {**trigger, "reason": "other"}, "now": "2026-11-27T14:00:00Z"}, ROUTINE)
    assert one is not None and two is not None and other is not None
    assert one.event_id == two.event_id != other.event_id


def test_without_any_time_nothing_is_filed() -> None:
    assert digest_entry({"trigger": {"source": "autopilot.manual"}}, ROUTINE) is None


def _entry(n: int) -> DigestEntry:
    return DigestEntry(at=NOW + timedelta(minutes=n), event_id=f"e{n}", headline=f"h{n}", what=f"w{n}", why="y")


def test_the_digest_lists_every_entry_oldest_first() -> None:
    message = render_digest([_entry(n) for n in (3, 1, 4, 0, 2)], NOW + timedelta(hours=1))
    assert message.subject == "[sensor-autopilot] Digest: 5 routine notifications up to 2026-11-27 15:00:00 UTC"
    assert len(message.subject) <= MAX_SUBJECT
    listed = [line for line in message.body.splitlines() if line.startswith("- ")]
    assert [line.split()[-1] for line in listed] == ["w0", "w1", "w2", "w3", "w4"]


def test_a_long_digest_lists_the_first_entries_and_counts_the_rest() -> None:
    message = render_digest([_entry(n) for n in range(MAX_LISTED + 7)], NOW + timedelta(days=1))
    assert len([line for line in message.body.splitlines() if line.startswith("- ")]) == MAX_LISTED
    assert "... and 7 more" in message.body
    assert len(message.body.encode()) < 256 * 1024
