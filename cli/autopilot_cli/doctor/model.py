"""What the doctor looks at (one snapshot of the stack) and what each check returns."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from autopilot.models.records import Lease
from autopilot.models.replica import InstanceSnapshot
from autopilot.models.scaling import ServiceSnapshot, TargetSnapshot
from pydantic import BaseModel, Field

Status = Literal["OK", "WARN", "FAIL"]
_DESIRED = re.compile(r"desired count to (\d+)", re.IGNORECASE)


class CheckResult(BaseModel):
    check: str
    issue: str = Field(description="The scaling guide's troubleshooting row (or configuration lint)")
    status: Status
    evidence: str
    fix: str = ""


class AlarmView(BaseModel):
    name: str
    state: str
    actions_enabled: bool = True
    period: int | None = None
    datapoints_to_alarm: int | None = None
    metric: str | None = None


class Activity(BaseModel):
    start: datetime
    status: str
    description: str
    cause: str = ""
    not_scaled: list[str] = Field(default_factory=list)

    @property
    def to_count(self) -> int | None:
        match = _DESIRED.search(self.description)
        return int(match[1]) if match else None


class PoolConfig(BaseModel):
    """The sensor API's pool settings from its task definition (what ``service/sensor_api/budget.py`` reads)."""

    workers: int = Field(ge=1)
    budget: int | None = None
    max_tasks: int | None = None
    pool_size: int | None = Field(default=None, description="DB_POOL_SIZE: overrides the derived size")

    def per_worker(self) -> int | None:
        if self.pool_size is not None:
            return self.pool_size
        if self.budget is None or not self.max_tasks:
            return None
        return self.budget // (self.max_tasks * self.workers)


class Policy(BaseModel):
    """Thresholds the checks judge by (defaults from the template's alarms and the scaling guide)."""

    db_cpu_warn: float = 60.0
    db_cpu_fail: float = 80.0
    connections_warn_ratio: float = 0.75
    connections_fail_ratio: float = 0.9
    flapping_reversals: int = 2
    flapping_window_minutes: int = 60
    slow_detection_seconds: int = 300


class DoctorSnapshot(BaseModel):
    now: datetime
    service: ServiceSnapshot
    target: TargetSnapshot
    suspended: dict[str, bool] = Field(default_factory=dict)
    scaling_role: str | None = None
    alarms: list[AlarmView] = Field(default_factory=list)
    activities: list[Activity] | None = None
    activities_error: str | None = None
    lease: Lease | None = None
    baseline_min: int
    capacity_ceiling: int
    primary: InstanceSnapshot | None = None
    replica: InstanceSnapshot | None = None
    primary_cpu: float | None = None
    primary_connections: float | None = None
    replica_lag: float | None = None
    read_max_lag: float = 5.0
    pool: PoolConfig | None = None
    stickiness: bool | None = None
    target_cpu: float | None = None
