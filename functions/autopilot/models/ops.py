"""What the ops API and the ``autopilot`` commands accept and return."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autopilot.models.records import CostImpact

ApprovalKind = Literal["raise_max", "promote_replica", "db_instance_class"]
ApprovalStatus = Literal["pending", "approved", "rejected", "expired"]


class Caller(BaseModel):
    """Who asked: the IAM principal API Gateway authenticated (or the CLI's own identity)."""

    arn: str = Field(min_length=1)


class ScaleRequest(BaseModel):
    """The scaling guide's "force scale to N tasks", as a floor lease that expires."""

    model_config = ConfigDict(extra="forbid")

    tasks: int = Field(ge=1, le=1000, description="The floor (MinCapacity) to hold while the lease lasts")
    duration_minutes: int = Field(ge=5, le=1440, description="How long the floor stays raised")
    reason: str = Field(min_length=3, max_length=500, description="Why; kept in the decision log")
    client_token: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Idempotency key: the same token never raises the floor twice",
    )


class InstanceClassRequest(BaseModel):
    """The scaling guide's "scale database vertically", proposed for approval."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    instance_class: str = Field(
        alias="class", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$", description="RDS instance class, e.g. db.t3.large"
    )
    reason: str = Field(min_length=3, max_length=500)


class ApprovalAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=500)


class PendingApproval(BaseModel):
    """An approval waiting for an operator. The workflow's task token stays server-side (never serialised)."""

    approval_id: str
    kind: ApprovalKind
    what: str
    summary: str
    proposal: dict[str, Any] = Field(default_factory=dict)
    cost_impact: CostImpact = Field(default_factory=CostImpact)
    restart: str = ""
    requested_by: str
    created_at: datetime
    expires_at: datetime
    status: ApprovalStatus = "pending"
    answered_by: str | None = None
    answered_at: datetime | None = None
    comment: str = ""
    execution: str | None = None
    task_token: str | None = Field(default=None, exclude=True, repr=False)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class ApprovalResult(BaseModel):
    approval: PendingApproval
    outcome: str
    applied: bool = False
    detail: dict[str, Any] = Field(default_factory=dict)


class ActionsPage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class ErrorBody(BaseModel):
    """Why a request was refused: one sentence, or one per invalid field."""

    detail: str | list[str]


class ClassChange(BaseModel):
    instance_id: str
    from_class: str
    to_class: str
    cost_impact: CostImpact
    restart: str
    summary: str
