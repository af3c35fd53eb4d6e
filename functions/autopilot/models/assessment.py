"""What AssessFunction returns (the workflow's ``$.assessment.output`` and, as Verify, ``$.verification.output``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from autopilot.models.handoff import HandOff
from autopilot.models.records import Lease
from autopilot.models.scaling import TargetSnapshot, TriggerClass


class AlarmSeen(BaseModel):
    name: str
    state: str
    changed_at: str = Field(description="The alarm's state change, ISO 8601 as the event gave it")
    observed: float | None


class ServiceCounts(BaseModel):
    desired: int
    running: int
    pending: int
    rollout_state: str | None
    rolling_back: bool


class Verification(BaseModel):
    """Did the running tasks reach the floor a taken decision raised?"""

    expected_running: int
    running: int
    reached: bool


class Assessment(HandOff):
    """The trigger's class and the service as seen; a hand-off (see :class:`HandOff` for unknown keys)."""

    kind: TriggerClass
    reasons: list[str]
    summary: str
    service: ServiceCounts | None = None
    target: TargetSnapshot | None = None
    lease: Lease | None = None
    alarm: AlarmSeen | None = None
    verification: Verification | None = None
