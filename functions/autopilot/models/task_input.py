"""The payload every workflow task receives: the original trigger plus what earlier steps decided.

A handler invoked with a bare event (``autopilot invoke``, ``sam local invoke -e``) gets that event as the
trigger, so the same event files work for a single function and for the whole workflow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autopilot.errors import InvalidEventError
from autopilot.models.triggers import Trigger, parse_trigger


class TaskInput(BaseModel):
    model_config = ConfigDict(extra="allow")

    trigger: dict[str, Any]
    now: datetime | None = Field(default=None, description="Decision time; the workflow passes it")
    dry_run: bool | None = Field(default=None, description="Overrides the DRY_RUN setting for this run")
    assessment: dict[str, Any] | None = None
    decision: dict[str, Any] | None = None
    verdict: dict[str, Any] | None = None
    approval: dict[str, Any] | None = None
    execution: str | None = Field(default=None, description="The workflow execution (tells a retry from a replay)")
    entered_at: datetime | None = Field(default=None, description="When the workflow entered this task")
    started_at: datetime | None = Field(default=None, description="When the workflow execution started")
    restore: dict[str, Any] | None = None
    promotion: dict[str, Any] | None = Field(
        default=None, description="The last promotion result (the workflow calls again while it is 'waiting')"
    )


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
            raise InvalidEventError.from_validation("task input", exc) from exc
    else:
        raw = TaskInput(trigger=payload if isinstance(payload, dict) else {"value": payload})
        if not isinstance(payload, dict):
            parse_trigger(payload)  # raises with a clear message
    return ParsedInput(raw=raw, trigger=parse_trigger(raw.trigger))
