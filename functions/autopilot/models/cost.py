"""The cost report: the inventory it prices, its line items, scenarios, recommendations and seed check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from autopilot.models.records import CostImpact

Architecture = Literal["X86_64", "ARM64"]
DbRole = Literal["primary", "replica", "standalone"]
Category = Literal[
    "tasks",
    "rds_instance",
    "rds_storage",
    "rds_iops",
    "load_balancer",
    "lambda",
    "stepfunctions",
    "alarms",
    "dashboards",
]


# inventory --------------------------------------------------------------------------------------------
class ServicePoolSettings(BaseModel):
    """The sensor API's connection settings from its task definition's environment; None where it sets none."""

    db_connection_budget: int | None = None
    max_tasks: int | None = None
    web_concurrency: int | None = None
    db_pool_size: int | None = None


class ServiceInventory(BaseModel):
    """The ECS service, its task size (from the task definition) and its scalable target."""

    cluster: str
    service: str
    running_tasks: int = Field(ge=0)
    desired_tasks: int = Field(ge=0)
    task_definition: str
    vcpu: float = Field(gt=0)
    memory_gb: float = Field(gt=0)
    architecture: Architecture = "X86_64"
    min_capacity: int | None = Field(default=None, ge=0)
    max_capacity: int | None = Field(default=None, ge=0)
    target_group_arns: list[str] = Field(default_factory=list)
    uses_spot: bool = False
    pool_settings: ServicePoolSettings = Field(default_factory=ServicePoolSettings)


class DbInstanceInventory(BaseModel):
    instance_id: str
    engine: str
    instance_class: str
    multi_az: bool = False
    storage_type: str
    allocated_gb: int = Field(ge=0)
    iops: int | None = Field(default=None, ge=0)
    role: DbRole = "standalone"
    source_instance: str | None = None


class LoadBalancerInventory(BaseModel):
    name: str
    type: str = "application"
    scheme: str = "internet-facing"


class LambdaFunctionInventory(BaseModel):
    name: str
    memory_mb: int = Field(ge=1)
    architecture: Literal["x86_64", "arm64"] = "arm64"


class ControlPlaneInventory(BaseModel):
    """What the control plane runs on (the stack's own functions, alarms and dashboards); priced apart."""

    stack_name: str = Field(default="", description="Whose resources these are: named after the stack")
    functions: list[LambdaFunctionInventory] = Field(default_factory=list)
    standard_alarms: int = Field(default=0, ge=0)
    high_resolution_alarms: int = Field(default=0, ge=0)
    composite_alarms: int = Field(default=0, ge=0)
    dashboards: int = Field(default=0, ge=0)
    other_alarms: int = Field(default=0, ge=0, description="Alarms in the region that are not the stack's: not counted")


class Inventory(BaseModel):
    region: str
    service: ServiceInventory
    databases: list[DbInstanceInventory] = Field(default_factory=list)
    load_balancers: list[LoadBalancerInventory] = Field(default_factory=list)
    control_plane: ControlPlaneInventory = Field(default_factory=ControlPlaneInventory)
    notes: list[str] = Field(default_factory=list, description="How the inventory was found, and its gaps")


# priced output ----------------------------------------------------------------------------------------
class LineItem(BaseModel):
    """``quantity`` units at ``unit_price_usd`` each make ``monthly_usd``; the price says where it came from."""

    category: Category
    resource: str
    description: str
    quantity: float
    unit: str
    unit_price_usd: float
    monthly_usd: float
    price_source: str
    price_verified: bool


class Scenario(BaseModel):
    name: Literal["now", "min", "max"]
    label: str
    tasks: int
    hourly_usd: float
    monthly_usd: float
    by_category: dict[str, float]
    line_items: list[LineItem]


class ControlPlaneEstimate(BaseModel):
    monthly_usd: float
    line_items: list[LineItem]
    assumptions: list[str]


class Actuals(BaseModel):
    """Cost Explorer month-to-date (account-wide, all services) when enabled."""

    enabled: bool
    month_to_date_usd: float | None = None
    start: date | None = None
    end: date | None = None
    by_service: dict[str, float] = Field(default_factory=dict)
    note: str


class Recommendation(BaseModel):
    id: str
    title: str
    detail: str
    monthly_saving_usd: float | None
    basis: str = Field(description="What the saving is measured against")
    prices_verified: bool
    applies_to: list[str] = Field(default_factory=list)


class LeaseCost(BaseModel):
    """An autopilot floor lease and what its extra tasks cost while it lasts."""

    resource_id: str
    alarm_name: str
    original_min: int
    leased_min: int
    expires_at: datetime
    expired: bool
    cost_impact: CostImpact


class ActionCost(BaseModel):
    """An autopilot action recorded in the audit trail, with the cost impact it recorded."""

    at: datetime
    function: str
    action: str
    reason: str
    cost_impact: CostImpact


class SeedCheckRow(BaseModel):
    item: str
    seed_monthly_usd: float
    honest_monthly_usd: float
    why: str


class SeedCheck(BaseModel):
    """The scaling guide's cost section beside the same configuration priced from the table; the stack now apart."""

    quoted: list[str]
    configuration: str = Field(description="The configuration both totals are for: the guide's own")
    guide_tasks: int
    rows: list[SeedCheckRow]
    by_category: dict[str, float] = Field(description="The guide's configuration priced, by line-item category")
    seed_total_usd: float
    honest_total_usd: float
    stack_now_tasks: int = Field(description="The observed stack, reported apart from the comparison")
    stack_now_monthly_usd: float
    explanation: list[str]


class PriceNotes(BaseModel):
    table: str
    refresh: str
    overrides: list[str] = Field(default_factory=list)
    unverified: list[str] = Field(default_factory=list)
    unpriced: list[str] = Field(default_factory=list)


class CostReport(BaseModel):
    report_type: Literal["cost-report"] = "cost-report"
    generated_at: datetime
    region: str
    currency: Literal["USD"] = "USD"
    hours_per_month: float
    monthly_total_usd: float = Field(description="Workload now: tasks + RDS instances + storage + IOPS + ALB")
    hourly_total_usd: float
    total_includes: list[str]
    total_excludes: list[str]
    scenarios: list[Scenario]
    control_plane: ControlPlaneEstimate
    actuals: Actuals
    recommendations: list[Recommendation]
    leases: list[LeaseCost]
    recent_actions: list[ActionCost]
    seed_check: SeedCheck
    prices: PriceNotes
    inventory: Inventory
    summary: str
    reasons: list[str]

    def scenario(self, name: str) -> Scenario:
        for item in self.scenarios:
            if item.name == name:
                return item
        raise KeyError(f"no scenario {name!r}; the report has {[s.name for s in self.scenarios]}")


class DefaultMaxConnections(BaseModel):
    """The RDS default for a class: ``upper_bound`` on the nominal memory, ``expected`` after RDS's reserve."""

    upper_bound: int
    expected: int

    @property
    def phrase(self) -> str:
        return f"about {self.expected} (at most {self.upper_bound})"


class PoolPlan(BaseModel):
    """What the sensor API opens with these settings; ``refusal`` says why it would not start, if it would not."""

    budget: int
    max_tasks: int
    workers: int
    per_worker: int
    refusal: str | None = None

    @property
    def per_task(self) -> int:
        return self.per_worker * self.workers

    @property
    def fleet_total(self) -> int:
        return self.per_task * self.max_tasks

    @property
    def formula(self) -> str:
        """How the service got its figures: the budget rule, or DB_POOL_SIZE when that is set."""
        derived = self.budget // (self.max_tasks * self.workers) if self.max_tasks * self.workers else 0
        rule = (
            f"floor({self.budget} / ({self.max_tasks} tasks x {self.workers} workers))"
            if derived == self.per_worker
            else "DB_POOL_SIZE"
        )
        return (
            f"{rule} = {self.per_worker} per worker, {self.per_task} per task, {self.fleet_total:,} at "
            f"{self.max_tasks} tasks"
        )


class Delivery(BaseModel):
    bucket: str | None = None
    json_key: str | None = None
    markdown_key: str | None = None
    topic_arn: str | None = None
    message_id: str | None = None
    metric: str | None = None
    notes: list[str] = Field(default_factory=list)
