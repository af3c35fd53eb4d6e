"""An operator's answer to an approval request, as the workflow passes it (``approval`` in the task input).

Both approval points (raising MaxCapacity, promoting the replica) read it through :func:`parse_approval`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autopilot.errors import InvalidEventError
from autopilot.models.ops import ApprovalKind


class Approval(BaseModel):
    """An operator's answer to an approval request (``approval`` in the task input)."""

    model_config = ConfigDict(extra="allow")

    approved: bool = Field(strict=True)
    by: str = Field(min_length=1, description="Who approved (name or e-mail), kept in the audit trail")
    comment: str = ""


def parse_approval(raw: dict[str, Any] | None) -> Approval | None:
    if raw is None:
        return None
    try:
        return Approval.model_validate(raw)
    except ValidationError as exc:
        raise InvalidEventError.from_validation(
            "approval (expected {'approved': true|false, 'by': 'name'})", exc
        ) from exc


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
