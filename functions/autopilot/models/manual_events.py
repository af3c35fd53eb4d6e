"""A request an operator makes through the ops API or ``autopilot`` CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ManualKind = Literal["scale-out", "recovered", "database", "cost-report"]


class ManualRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Literal["autopilot.manual"]
    kind: ManualKind
    requested_by: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    time: datetime
    cpu_percent: float | None = Field(default=None, ge=0, le=100)
