"""Snapshots the scaling logic decides over, and the decisions it returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from autopilot.models.handoff import HandOff
from autopilot.models.records import CostImpact, Lease

TriggerClass = Literal["scale-out", "recovered", "database", "unknown"]


class ServiceSnapshot(BaseModel):
    cluster: str
    service: str
    desired: int = Field(ge=0)
    running: int = Field(ge=0)
    pending: int = Field(ge=0)
    rollout_state: str | None = None
    rollout_reason: str | None = None
    rolling_back: bool = False
    task_cpu_units: int = 1024
    task_memory_mb: int = 2048
    architecture: str = "X86_64"


class TargetSnapshot(BaseModel):
    resource_id: str
    min: int = Field(ge=0)
    max: int = Field(ge=0)


class ScalingEpisode(BaseModel):
    """The trigger of a scale-out: which alarm (or operator), the episode key, and the CPU it reports."""

    alarm_name: str
    key: str
    cpu: float | None
    is_alarm: bool


class ServiceObservation(BaseModel):
    """Everything observed about the service's capacity at one moment: the ECS service (its snapshot), the
    scalable target, the active floor lease and the price of one task. A *snapshot* is one resource as AWS
    describes it; an *observation* is what a flow gathered from several (compare ``ReplicaObservation``)."""

    service: ServiceSnapshot
    target: TargetSnapshot
    lease: Lease | None
    task_hourly_usd: float


class ScaleOutInput(BaseModel):
    """Everything the emergency-scaling decision needs, observed at ``now``."""

    now: datetime
    service: ServiceSnapshot
    target: TargetSnapshot
    observed_cpu: float | None = None
    cpu_source: str = Field(default="observed CPU", description="What was measured, said in the decision's text")
    alarm_name: str
    episode: str
    lease: Lease | None = None
    actions_last_hour: int = Field(default=0, ge=0)
    task_hourly_usd: float = Field(ge=0)
    dry_run: bool = False
    approval: bool | None = None


ScalingAction = Literal["raise_floor", "raise_max", "none"]


IN_PROGRESS = "Another run holds this episode or the capacity lock: nothing was looked at or changed"
UNSEEN = "None only in an answer given in progress (nothing was observed)"


class ScalingDecision(HandOff):
    """What was decided about the service's capacity, and done: EmergencyScaleFunction's answer (the workflow's
    ``$.decision.output``) and the answer to an operator's floor request."""

    action: ScalingAction
    taken: bool = False
    needs_approval: bool = False
    dry_run: bool = False
    reason: str
    summary: str
    from_min: int | None = Field(default=None, description=UNSEEN)
    to_min: int | None = Field(default=None, description=UNSEEN)
    from_max: int | None = Field(default=None, description=UNSEEN)
    to_max: int | None = Field(default=None, description=UNSEEN)
    cpu_used: float | None = None
    cost_impact: CostImpact = Field(default_factory=CostImpact)
    lease: Lease | None = None
    replayed: bool = False
    in_progress: bool = Field(default=False, description=IN_PROGRESS)
    execution: str | None = Field(default=None, description="The workflow execution that decided it")


class RestoreInput(BaseModel):
    now: datetime
    target: TargetSnapshot
    lease: Lease | None
    alarm_state: Literal["OK", "ALARM", "INSUFFICIENT_DATA"] | None
    ok_since: datetime | None
    baseline_min: int
    cooldown_seconds: int
    task_hourly_usd: float = 0.0
    dry_run: bool = False
    by_expiry: bool = False
    recovered_alarm: str | None = Field(
        default=None, description="The alarm whose recovery asks for the restore; only the lease's own alarm may"
    )
    final_check: bool = Field(default=False, description="No later check follows: do not ask for one")


class RestoreDecision(HandOff):
    """What RestoreCapacityFunction decided, and did (the workflow's ``$.restore.output``)."""

    action: Literal["restore_floor", "drop_lease", "none"]
    taken: bool = False
    dry_run: bool = False
    reason: str
    summary: str
    from_min: int | None = Field(default=None, description=UNSEEN)
    to_min: int | None = Field(default=None, description=UNSEEN)
    cost_impact: CostImpact = Field(default_factory=CostImpact)
    recheck_at: datetime | None = Field(
        default=None, description="When the alarm will have been OK for the cooldown: look again then"
    )
    recheck_in_seconds: int | None = None
    in_progress: bool = Field(default=False, description=IN_PROGRESS)


class MaxRestoreDecision(BaseModel):
    action: str  # "restore_max", "drop_lease" or "none"
    taken: bool = False
    dry_run: bool = False
    reason: str
    from_max: int
    to_max: int
