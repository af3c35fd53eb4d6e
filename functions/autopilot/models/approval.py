"""An operator's answer to an approval request, as the workflow passes it (``approval`` in the task input).

Both approval points (raising MaxCapacity, promoting the replica) read it from the validated task input.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from autopilot.models.handoff import HandOff
from autopilot.models.ops import ApprovalKind


class Approval(HandOff):
    """An operator's answer to an approval request (``approval`` in the task input).

    The ops API sends exactly this model with SendTaskSuccess, and the workflow's timeout states write a constant one
    (``approved: false``); a hand-off, so an unknown key is refused (see :class:`HandOff`).
    """

    approved: bool = Field(strict=True)
    by: str = Field(min_length=1, description="Who approved (name or e-mail), kept in the audit trail")
    comment: str = ""


class WorkflowApprovalRequest(BaseModel):
    """What the workflow's approval states send (``lambda:invoke.waitForTaskToken``)."""

    model_config = ConfigDict(extra="ignore")

    task_token: str = Field(min_length=1)
    execution: str = ""
    kind: ApprovalKind
    what: str
    summary: str = ""
    proposal: dict[str, Any] = Field(default_factory=dict)
    timeout_seconds: int = Field(ge=1)
    now: datetime
