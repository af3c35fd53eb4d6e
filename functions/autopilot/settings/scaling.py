"""Emergency step scaling: the floor lease and its guard rails (defaults from the scaling guide)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator

from autopilot.settings.common import CommonSettings


class ScalingSettings(CommonSettings):
    target_cpu_percent: float = Field(default=60.0, gt=0, le=100, description="Target-tracking CPU target")
    emergency_cpu_percent: float = Field(default=85.0, gt=0, le=100, description="Step-policy alarm level")
    headroom: float = Field(default=1.1, ge=1.0, le=3.0, description="Multiplier on the proportional step")
    min_step: int = Field(default=1, ge=1, description="Smallest floor increase per action")
    max_step: int = Field(default=10, ge=1, description="Largest floor increase per action")
    baseline_min_capacity: int = Field(default=3, ge=1, description="Floor never restored below this")
    capacity_ceiling: int = Field(default=30, ge=1, description="Hard ceiling for MaxCapacity")
    max_raise_step: int = Field(default=5, ge=1, description="MaxCapacity increase per action at max")
    max_raise_requires_approval: bool = Field(default=True, description="Raising MaxCapacity needs approval")
    max_actions_per_alarm_per_hour: int = Field(default=3, ge=1, description="Flapping guard")
    lease_minutes: int = Field(default=60, ge=5, description="A raised floor expires after this")
    scale_in_cooldown_seconds: int = Field(default=180, ge=0, description="OK time before restoring")
    at_max_alarm_name: str = Field(
        default="", description="The at-max-capacity alarm: its threshold follows MaxCapacity (empty: not moved)"
    )
    alarm_name_prefix: str = Field(
        default="sensor-autopilot-", min_length=1, description="Names of this stack's alarms start with it"
    )

    @model_validator(mode="after")
    def _consistent(self) -> ScalingSettings:
        if self.min_step > self.max_step:
            raise ValueError(f"MIN_STEP ({self.min_step}) must not exceed MAX_STEP ({self.max_step})")
        if self.baseline_min_capacity > self.capacity_ceiling:
            raise ValueError(
                f"BASELINE_MIN_CAPACITY ({self.baseline_min_capacity}) must not exceed "
                f"CAPACITY_CEILING ({self.capacity_ceiling})"
            )
        return self


@lru_cache(maxsize=1)
def get_scaling_settings() -> ScalingSettings:
    return ScalingSettings()
