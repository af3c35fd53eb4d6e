"""EventBridge scheduled events (the sweeper every 5 minutes, the daily cost report)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from autopilot.models.timestamps import AwsTimestamp


class ScheduledEvent(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")
    source: Literal["aws.events", "aws.scheduler"]
    account: str
    region: str
    time: AwsTimestamp
    resources: list[str] = Field(default_factory=list)
    detail: dict[str, Any] = Field(default_factory=dict)
