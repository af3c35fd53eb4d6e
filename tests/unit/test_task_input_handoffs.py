"""The workflow's hand-offs: what one state dumps (``model_dump(mode="json")``) comes back, as a field of the next
task's input, as an equal model; JSON ``null`` is "not run yet"; a malformed hand-off is refused with its field named.
"""

from __future__ import annotations

import json
import typing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from autopilot.errors import InvalidEventError
from autopilot.logic.replica_promotion import polls_so_far
from autopilot.models.approval import Approval
from autopilot.models.assessment import AlarmSeen, Assessment, ServiceCounts, Verification
from autopilot.models.handoff import HandOff
from autopilot.models.records import CostImpact, Lease
from autopilot.models.replica import PromotionResult, ReplicaVerdict, RuleResult
from autopilot.models.scaling import RestoreDecision, ScalingDecision, TargetSnapshot
from autopilot.models.task_input import TaskInput, parse_task_input

EVENT = json.loads((Path(__file__).resolve().parents[2] / "events" / "alarm-cpu-emergency.json").read_text())
AT = datetime(2026, 11, 27, 14, 0, 5, tzinfo=UTC)
LEASE = Lease(
    resource_id="service/sensor/sensor-api",
    original_min=3,
    leased_min=6,
    raised_at=AT,
    expires_at=AT + timedelta(minutes=60),
    alarm_name="sensor-autopilot-cpu-emergency",
    episode="sensor-autopilot-cpu-emergency|2026-11-27T14:00:05Z",
)
VERDICT = ReplicaVerdict(
    verdict="promotion_recommended",
    mode="approve",
    next_step="request_approval",
    observable=True,
    primary_unavailable=True,
    promotable=True,
    primary_id="primary",
    replica_id="replica",
    lag_seconds=2.5,
    signals=["failure event"],
    rules=[RuleResult(rule="lag", outcome="pass", reason="2.5 s")],
    reasons=["the primary is down"],
    summary="promote",
    episode="primary|2026-11-27T14:00:05Z",
)
# One answer of every state that writes a hand-off, with its nested models filled in
HANDOFFS: dict[str, HandOff] = {
    "assessment": Assessment(
        kind="scale-out",
        reasons=["CPU alarm"],
        summary="CPU alarm",
        service=ServiceCounts(desired=3, running=3, pending=0, rollout_state="COMPLETED", rolling_back=False),
        target=TargetSnapshot(resource_id="service/sensor/sensor-api", min=3, max=20),
        lease=LEASE,
        alarm=AlarmSeen(name="cpu", state="ALARM", changed_at=AT.isoformat(), observed=93.0),
    ),
    "decision": ScalingDecision(
        action="raise_floor",
        taken=True,
        reason="CPU 93 %",
        summary="Raised the floor from 3 to 6",
        from_min=3,
        to_min=6,
        from_max=20,
        to_max=20,
        cpu_used=93.0,
        cost_impact=CostImpact(tasks_delta=3, hourly_usd=0.15, monthly_usd=109.5, summary="+3 tasks"),
        lease=LEASE,
        execution="arn:aws:states:us-east-2:123456789012:execution:remediation:one",
    ),
    "verification": Assessment(
        kind="scale-out",
        reasons=["CPU alarm"],
        summary="running 6 of the 6 expected: reached",
        verification=Verification(expected_running=6, running=6, reached=True),
    ),
    "verdict": VERDICT,
    "approval": Approval(approved=True, by="sre@example.com", comment="go"),
    "restore": RestoreDecision(
        action="none", reason="not OK for long enough", summary="Look again", from_min=6, to_min=6, recheck_at=AT
    ),
    "promotion": PromotionResult(
        outcome="waiting",
        mode="approve",
        primary_id="primary",
        replica_id="replica",
        episode="primary|2026-11-27T14:00:05Z",
        steps_done=["promote_replica"],
        polls=2,
        verdict=VERDICT,
        summary="RDS is still promoting",
    ),
}
IN_PROGRESS = {
    "decision": ScalingDecision(action="none", in_progress=True, reason="busy", summary="In progress: busy"),
    "restore": RestoreDecision(action="none", in_progress=True, reason="busy", summary="No change: busy"),
}


def handed(**outputs: Any) -> TaskInput:
    """The task input the workflow builds: every slot given, ``null`` for a step that has not run."""
    payload = {"trigger": EVENT} | dict.fromkeys(HANDOFFS) | outputs
    return parse_task_input(json.loads(json.dumps(payload))).raw


@pytest.mark.parametrize(
    ("field", "answer"), [*HANDOFFS.items(), *IN_PROGRESS.items()], ids=[*HANDOFFS, *(f"{f}-busy" for f in IN_PROGRESS)]
)
def test_what_a_state_dumps_comes_back_as_an_equal_model(field: str, answer: HandOff) -> None:
    received = getattr(handed(**{field: answer.model_dump(mode="json")}), field)
    assert type(received) is type(answer)
    assert received == answer


def _is_handoff(annotation: Any) -> bool:
    return any(isinstance(arg, type) and issubclass(arg, HandOff) for arg in typing.get_args(annotation))


def test_every_handoff_field_of_the_task_input_is_covered_here() -> None:
    fields = {name for name, info in TaskInput.model_fields.items() if _is_handoff(info.annotation)}
    assert fields == set(HANDOFFS)


def test_a_step_that_has_not_run_is_none() -> None:
    raw = handed()
    assert all(getattr(raw, field) is None for field in HANDOFFS)


def test_a_promotion_dump_carries_its_derived_fields_and_they_are_derived_again() -> None:
    dumped = HANDOFFS["promotion"].model_dump(mode="json")
    assert dumped["taken"] is True and dumped["promoted"] is True
    received = handed(promotion=dumped | {"taken": False}).promotion
    assert received is not None and received.taken is True and received.promoted is True


def test_the_polls_of_a_waiting_promotion_are_counted_from_the_handed_result() -> None:
    assert polls_so_far(handed(promotion=HANDOFFS["promotion"].model_dump(mode="json")).promotion) == 2
    finished = HANDOFFS["promotion"].model_copy(update={"outcome": "promoted"})
    assert polls_so_far(handed(promotion=finished.model_dump(mode="json")).promotion) == 0
    assert polls_so_far(None) == 0


def _dump_with(field: str, **changes: Any) -> dict[str, Any]:
    return HANDOFFS[field].model_dump(mode="json") | changes


@pytest.mark.parametrize(
    ("field", "output", "named"),
    [
        ("decision", _dump_with("decision", to_min="six"), "decision.to_min"),
        ("decision", _dump_with("decision", needs_aproval=True), "decision.needs_aproval"),
        ("assessment", _dump_with("assessment", kind="scale-in"), "assessment.kind"),
        ("verification", {"kind": "scale-out", "reasons": []}, "verification.summary"),
        ("verdict", _dump_with("verdict", next_step="later"), "verdict.next_step"),
        ("restore", _dump_with("restore", recheck_at="soon"), "restore.recheck_at"),
        ("promotion", _dump_with("promotion", polls=-1), "promotion.polls"),
        ("approval", {"approved": "yes", "by": "sre"}, "approval.approved"),
        ("approval", {"approved": True}, "approval.by"),
        ("approval", {"approved": True, "by": ""}, "approval.by"),
        ("decision", "raise it", "decision"),
    ],
)
def test_a_malformed_handoff_is_refused_with_its_field_named(field: str, output: Any, named: str) -> None:
    with pytest.raises(InvalidEventError) as caught:
        handed(**{field: output})
    message = str(caught.value)
    assert message.startswith("invalid task input") and named in message and "Nothing was changed" in message


def test_a_malformed_approval_says_what_an_approval_looks_like() -> None:
    with pytest.raises(InvalidEventError, match=r"expected \{'approved': true\|false, 'by': 'name'\}"):
        handed(approval={"approved": "yes", "by": "sre"})
