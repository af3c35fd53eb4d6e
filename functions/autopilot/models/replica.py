"""Snapshots of the primary/replica pair and the verdicts the promotion checks return."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from autopilot.models.handoff import HandOff
from autopilot.settings.replica import PromotionMode, ReplicaSettings

Verdict = Literal["healthy", "lagging", "promotion_recommended", "promotion_unsafe"]
NextStep = Literal["none", "notify", "recommend", "request_approval", "promote"]
RuleOutcome = Literal["pass", "fail", "unknown"]
PromotionOutcome = Literal[
    "promoted", "already_promoted", "resumed", "waiting", "refused", "dry_run", "failed", "partial"
]


class ReplicationStatus(BaseModel):
    """One entry of ``StatusInfos`` (``StatusType: read replication``)."""

    status_type: str = ""
    normal: bool = True
    status: str = ""
    message: str = ""


class InstanceSnapshot(BaseModel):
    """What DescribeDBInstances (and the parameter group) say about one DB instance."""

    instance_id: str
    status: str
    instance_class: str
    storage_type: str
    allocated_gb: int = 0
    multi_az: bool = False
    engine: str = "postgres"
    endpoint_address: str | None = None
    read_replica_source: str | None = None
    created_at: datetime | None = None
    parameter_group: str | None = None
    max_connections_setting: str | None = Field(
        default=None, description="max_connections as the parameter group has it (a number or a formula)"
    )
    status_infos: list[ReplicationStatus] = Field(default_factory=list)
    arn: str | None = None
    maintenance_window: str | None = Field(
        default=None, description="PreferredMaintenanceWindow, ddd:hh:mm-ddd:hh:mm UTC"
    )


class PendingMaintenance(BaseModel):
    """One pending maintenance action on an instance (DescribePendingMaintenanceActions)."""

    action: str
    description: str = ""
    auto_applied_after: datetime | None = Field(default=None, description="Applied in the first window after this")
    forced_apply: datetime | None = Field(default=None, description="Applied as soon as possible after this")
    current_apply: datetime | None = Field(default=None, description="When RDS will apply it, all opt-ins included")
    opt_in_status: str = ""


class Datapoint(BaseModel):
    at: datetime
    value: float


class RdsEventSnapshot(BaseModel):
    """An RDS event about an instance, from the trigger or from DescribeEvents."""

    source_identifier: str
    at: datetime
    categories: list[str] = Field(default_factory=list)
    message: str = ""
    event_id: str = ""


class ReplicaObservation(BaseModel):
    """Everything the checks look at, observed once at ``now`` over the signal window."""

    now: datetime
    window_start: datetime
    primary_id: str
    replica_id: str
    primary: InstanceSnapshot | None = None
    replica: InstanceSnapshot | None = None
    trigger_event: RdsEventSnapshot | None = None
    primary_events: list[RdsEventSnapshot] = Field(default_factory=list)
    primary_maintenance: list[PendingMaintenance] = Field(default_factory=list)
    primary_connections: list[Datapoint] = Field(default_factory=list)
    replica_lag: list[Datapoint] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list, description="What could not be observed, and why")


class ReplicaPolicy(BaseModel):
    """The thresholds the rules use (from ``ReplicaSettings``), so the logic needs no environment."""

    mode: PromotionMode = "recommend"
    max_replica_lag_seconds: float = Field(default=30.0, gt=0)
    replica_lag_warning_seconds: float = Field(default=10.0, gt=0)
    min_unavailable_signals: int = Field(default=2, ge=1)
    unavailable_window_minutes: int = Field(default=5, ge=1)

    @classmethod
    def from_settings(cls, settings: ReplicaSettings) -> ReplicaPolicy:
        return cls(
            mode=settings.promotion_mode,
            max_replica_lag_seconds=settings.max_replica_lag_seconds,
            replica_lag_warning_seconds=settings.replica_lag_warning_seconds,
            min_unavailable_signals=settings.min_unavailable_signals,
            unavailable_window_minutes=settings.unavailable_window_minutes,
        )


class RuleResult(BaseModel):
    """One rule of the checklist: pass, fail or unknown, and why."""

    rule: str
    outcome: RuleOutcome
    reason: str


class PriorPromotion(BaseModel):
    """A promotion of this replica already in the audit trail."""

    episode: str
    at: datetime
    replica_created_at: datetime | None = None
    new_writer_host: str | None = None
    steps_done: list[str] = Field(default_factory=list)


class ReplicaVerdict(HandOff):
    """The checklist's answer, and what the workflow should do next (a hand-off: see :class:`HandOff`)."""

    verdict: Verdict
    mode: PromotionMode
    next_step: NextStep
    observable: bool
    primary_unavailable: bool
    promotable: bool = Field(description="All rules pass with the lag known: the control plane may promote")
    primary_id: str
    replica_id: str
    lag_seconds: float | None = None
    signals: list[str] = Field(default_factory=list)
    rules: list[RuleResult] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    summary: str
    episode: str = ""
    dry_run: bool = Field(default=False, description="The effective dry-run flag: nothing will be promoted")


class PromotionResult(HandOff):
    """What the promotion function did (or refused to do), and what the operator does next.

    A hand-off (see :class:`HandOff`): ``taken`` and ``promoted`` are in its dump and derived again when read back.
    """

    outcome: PromotionOutcome
    mode: PromotionMode
    dry_run: bool = False
    primary_id: str
    replica_id: str
    episode: str
    new_writer_host: str | None = None
    previous_writer_host: str | None = None
    steps_done: list[str] = Field(default_factory=list, description="Steps this invocation carried out")
    polls: int = Field(
        default=0, ge=0, description="Times RDS was found still promoting (outcome waiting: the workflow looks again)"
    )
    fenced: bool | None = Field(
        default=None, description="The old primary was stopped (True), could not be (False), or not tried (None)"
    )
    fence_error: str | None = Field(default=None, description="Why the old primary could not be stopped")
    earlier_steps: list[str] = Field(default_factory=list, description="Steps done earlier for this episode")
    reasons: list[str] = Field(default_factory=list)
    operator_steps: list[str] = Field(default_factory=list, description="What the operator does next")
    summary: str
    verdict: ReplicaVerdict | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def taken(self) -> bool:
        """This invocation changed something."""
        return bool(self.steps_done)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def promoted(self) -> bool:
        """The replica has been promoted for this episode (now or earlier): it cannot be undone."""
        return "promote_replica" in self.steps_done or "promote_replica" in self.earlier_steps
