"""RDS DB instance events as EventBridge delivers them (``detail-type: RDS DB Instance Event``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field

# Events that say the primary may be unavailable (RDS event categories and IDs).
FAILURE_CATEGORIES = frozenset({"failure", "failover", "availability", "recovery", "notification"})


class RdsEventDetail(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    event_categories: list[str] = Field(default_factory=list, alias="EventCategories")
    source_type: str = Field(alias="SourceType")
    source_arn: str = Field(default="", alias="SourceArn")
    date: datetime = Field(alias="Date")
    message: str = Field(default="", alias="Message")
    source_identifier: str = Field(alias="SourceIdentifier", min_length=1)
    event_id: str = Field(default="", alias="EventID")


class RdsInstanceEvent(EventBridgeModel):
    """``detail-type: RDS DB Instance Event``, ``source: aws.rds`` (Powertools' envelope)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    detail_type: Literal["RDS DB Instance Event"] = Field(alias="detail-type")
    source: Literal["aws.rds"]
    detail: RdsEventDetail

    @property
    def instance_id(self) -> str:
        """``rds:my-db`` or ``my-db`` → ``my-db``."""
        return self.detail.source_identifier.removeprefix("rds:")
