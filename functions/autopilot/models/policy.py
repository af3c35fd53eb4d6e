"""The plain policies the pure logic decides with: thresholds only, no environment.

The settings classes (``autopilot.settings``) read the environment and inherit these fields, so a threshold's
default, bounds and description are written once; the operation hands the logic ``settings.policy``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PromotionMode = Literal["off", "recommend", "approve", "auto"]


class ScalingPolicy(BaseModel):
    """Emergency step scaling: the floor lease and its guard rails (defaults from the scaling guide)."""

    model_config = ConfigDict(frozen=True)

    target_cpu_percent: float = Field(default=60.0, gt=0, le=100, description="Target-tracking CPU target")
    emergency_cpu_percent: float = Field(default=85.0, gt=0, le=100, description="Step-policy alarm level")
    headroom: float = Field(default=1.1, ge=1.0, le=3.0, description="Multiplier on the proportional step")
    min_step: int = Field(default=1, ge=1, description="Smallest floor increase per action")
    max_step: int = Field(default=10, ge=1, description="Largest floor increase per action")
    capacity_ceiling: int = Field(default=30, ge=1, description="Hard ceiling for MaxCapacity")
    max_raise_step: int = Field(default=5, ge=1, description="MaxCapacity increase per action at max")
    max_raise_requires_approval: bool = Field(default=True, description="Raising MaxCapacity needs approval")
    max_actions_per_alarm_per_hour: int = Field(default=3, ge=1, description="Flapping guard")
    lease_minutes: int = Field(default=60, ge=5, description="A raised floor expires after this")

    @model_validator(mode="after")
    def _steps_in_order(self) -> ScalingPolicy:
        if self.min_step > self.max_step:
            raise ValueError(f"MIN_STEP ({self.min_step}) must not exceed MAX_STEP ({self.max_step})")
        return self
