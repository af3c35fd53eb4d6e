"""What the control plane stores: floor leases and the audit trail of every decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class CostImpact(BaseModel):
    """What a change costs while it lasts, e.g. ``+5 tasks = +$0.25/h``."""

    tasks_delta: int = 0
    hourly_usd: float = 0.0
    monthly_usd: float = 0.0
    summary: str = "no cost change"


class Lease(BaseModel):
    """A raised floor that must come down again: the original MinCapacity and when the raise expires."""

    resource_id: str
    original_min: int = Field(ge=0)
    leased_min: int = Field(ge=0)
    raised_at: datetime
    expires_at: datetime
    alarm_name: str
    episode: str
    version: int = Field(default=1, ge=1, description="Bumped on every write; writes are conditional on it")

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class MaxLease(BaseModel):
    """A raised MaxCapacity that must come down again, like a floor: its own alarm's recovery or its expiry."""

    resource_id: str
    original_max: int = Field(ge=1)
    leased_max: int = Field(ge=1)
    raised_at: datetime
    expires_at: datetime
    alarm_name: str
    episode: str

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class AuditRecord(BaseModel):
    """One decision, taken or skipped, with its inputs, its reason and its cost impact."""

    record_id: str
    resource_id: str
    at: datetime
    function: str
    action: str
    taken: bool
    dry_run: bool = False
    reason: str
    alarm_name: str | None = None
    episode: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    changes: dict[str, Any] = Field(default_factory=dict)
    cost_impact: CostImpact = Field(default_factory=CostImpact)
