"""Read-replica promotion checks. Promotion is irreversible: the default is to recommend, not to act."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from autopilot.models.policy import PromotionMode
from autopilot.settings.common import CommonSettings

__all__ = ["PromotionMode", "ReplicaSettings", "get_replica_settings"]


class ReplicaSettings(CommonSettings):
    promotion_mode: PromotionMode = Field(default="recommend", description="off | recommend | approve | auto")
    primary_db_instance_id: str = Field(default="sensor-postgres-high-perf", description="RDS primary")
    replica_db_instance_id: str = Field(default="sensor-postgres-high-perf-replica", description="RDS replica")
    max_replica_lag_seconds: float = Field(default=30.0, gt=0, description="Data-loss bound for promotion")
    replica_lag_warning_seconds: float = Field(default=10.0, gt=0, description="Lag that is reported")
    unavailable_window_minutes: int = Field(default=5, ge=1, description="Window for the primary's signals")
    min_unavailable_signals: int = Field(default=2, ge=1, description="Signals needed to call it down")
    promotion_lock_seconds: int = Field(default=900, ge=30, description="One promoter at a time")
    writer_host_parameter: str = Field(
        default="/sensor-autopilot/db/writer-host", description="SSM parameter the service reads its writer from"
    )


@lru_cache(maxsize=1)
def get_replica_settings() -> ReplicaSettings:
    return ReplicaSettings()
