"""The payload every workflow task receives: the original trigger plus what earlier steps decided.

A handler invoked with a bare event (``autopilot invoke``, ``sam local invoke -e``) gets that event as the
trigger, so the same event files work for a single function and for the whole workflow.

Each earlier step's answer (``$.<step>.output``) comes back as the model its producer dumped, or ``None`` (JSON
``null``) for a step that has not run; a malformed one is refused with the field named, before anything is done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autopilot.errors import InvalidEventError
from autopilot.models.approval import Approval
from autopilot.models.assessment import Assessment
from autopilot.models.replica import PromotionResult, ReplicaVerdict
from autopilot.models.scaling import RestoreDecision, ScalingDecision
from autopilot.models.triggers import Trigger, parse_trigger

# What a person writes by hand (``autopilot invoke`` with an approval), said in the error message
EXPECTED = {"approval": "approval: expected {'approved': true|false, 'by': 'name'}"}


class TaskInput(BaseModel):
    """The envelope's fields; the hand-offs are typed, other keys the workflow passes (``seconds``, ``notice``)
    are kept as they are."""

    model_config = ConfigDict(extra="allow")

    trigger: dict[str, Any]
    now: datetime | None = Field(default=None, description="Decision time; the workflow passes it")
    dry_run: bool | None = Field(default=None, description="Overrides the DRY_RUN setting for this run")
    assessment: Assessment | None = Field(default=None, description="Assess's answer")
    decision: ScalingDecision | None = Field(default=None, description="EmergencyScale's (or ApplyScaleApproval's)")
    verification: Assessment | None = Field(default=None, description="Verify's answer (AssessFunction again)")
    verdict: ReplicaVerdict | None = Field(default=None, description="ReplicaCheck's answer")
    approval: Approval | None = Field(default=None, description="The operator's answer (or the timeout's)")
    execution: str | None = Field(default=None, description="The workflow execution (tells a retry from a replay)")
    entered_at: datetime | None = Field(default=None, description="When the workflow entered this task")
    started_at: datetime | None = Field(default=None, description="When the workflow execution started")
    restore: RestoreDecision | None = Field(default=None, description="RestoreCapacity's (or RecheckRestore's)")
    promotion: PromotionResult | None = Field(
        default=None, description="The last promotion result (the workflow calls again while it is 'waiting')"
    )


def _what(exc: ValidationError) -> str:
    fields = sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]} & EXPECTED.keys())
    return "task input" + "".join(f" ({EXPECTED[field]})" for field in fields)


class ParsedInput(BaseModel):
    """The task input with its trigger validated."""

    raw: TaskInput
    trigger: Trigger

    @property
    def now(self) -> datetime | None:
        return self.raw.now or self.trigger.time


def parse_task_input(payload: Any) -> ParsedInput:
    if isinstance(payload, dict) and "trigger" in payload:
        try:
            raw = TaskInput.model_validate(payload)
        except ValidationError as exc:
            raise InvalidEventError.from_validation(_what(exc), exc) from exc
    else:
        raw = TaskInput(trigger=payload if isinstance(payload, dict) else {"value": payload})
        if not isinstance(payload, dict):
            parse_trigger(payload)  # raises with a clear message
    return ParsedInput(raw=raw, trigger=parse_trigger(raw.trigger))
