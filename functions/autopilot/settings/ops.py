"""The ops API: the scaling guard rails it shares with the emergency path, the database pair, approvals."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from autopilot.settings.scaling import ScalingSettings


class OpsSettings(ScalingSettings):
    primary_db_instance_id: str = Field(default="sensor-postgres-high-perf", description="RDS primary")
    replica_db_instance_id: str = Field(default="sensor-postgres-high-perf-replica", description="RDS replica")
    approval_timeout_seconds: int = Field(default=3600, ge=60, description="An unanswered approval expires")
    max_lease_minutes: int = Field(default=1440, ge=5, description="Longest floor lease an operator may take")
    state_machine_arn: str = Field(default="", description="The remediation workflow (for the status view)")


@lru_cache(maxsize=1)
def get_ops_settings() -> OpsSettings:
    return OpsSettings()
