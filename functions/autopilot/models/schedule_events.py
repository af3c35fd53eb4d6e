"""EventBridge scheduled events (the sweeper every 5 minutes, the daily cost report)."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import ConfigDict, Field


class ScheduledEvent(EventBridgeModel):
    """``detail-type: Scheduled Event`` from an EventBridge rule or EventBridge Scheduler (Powertools' envelope)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")
    source: Literal["aws.events", "aws.scheduler"]
    detail: dict[str, Any] = Field(default_factory=dict)
