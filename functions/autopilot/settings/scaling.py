"""Emergency step scaling: the floor lease and its guard rails (defaults from the scaling guide)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from autopilot.models.policy import ScalingPolicy
from autopilot.settings.common import CommonSettings


class ScalingSettings(CommonSettings, ScalingPolicy):
    """The policy's thresholds (``ScalingPolicy``) read from the environment, plus what the operations need."""

    # Stated here, after both bases: settings are read once and may be copied, the policy is what is frozen.
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore", frozen=False)

    baseline_min_capacity: int = Field(default=3, ge=1, description="Floor never restored below this")
    scale_in_cooldown_seconds: int = Field(default=180, ge=0, description="OK time before restoring")
    at_max_alarm_name: str = Field(
        default="", description="The at-max-capacity alarm: its threshold follows MaxCapacity (empty: not moved)"
    )
    alarm_name_prefix: str = Field(
        default="sensor-autopilot-", min_length=1, description="Names of this stack's alarms start with it"
    )

    @property
    def policy(self) -> ScalingPolicy:
        """The thresholds alone, for the pure logic (which never sees the environment)."""
        return ScalingPolicy.model_validate(self.model_dump(include=set(ScalingPolicy.model_fields)))

    @model_validator(mode="after")
    def _consistent(self) -> ScalingSettings:
        if self.baseline_min_capacity > self.capacity_ceiling:
            raise ValueError(
                f"BASELINE_MIN_CAPACITY ({self.baseline_min_capacity}) must not exceed "
                f"CAPACITY_CEILING ({self.capacity_ceiling})"
            )
        return self


@lru_cache(maxsize=1)
def get_scaling_settings() -> ScalingSettings:
    return ScalingSettings()
