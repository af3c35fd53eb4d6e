"""A region's prices as the cost model and every decision's cost impact read them: each rate with its source."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Rate(BaseModel):
    value: float = Field(ge=0)
    source: str
    verified: bool


class DbClassSpec(BaseModel):
    vcpu: int = Field(ge=1)
    memory_gib: float = Field(gt=0)


class PriceOverride(BaseModel):
    """A price that replaces the table's, e.g. ``fargate/X86_64/vcpu_hour`` = 0.04048."""

    value: float = Field(ge=0)
    source: str
    verified: bool = True


class PriceBook(BaseModel):
    region: str
    hours_per_month: float
    fargate_vcpu_hour: dict[str, Rate]
    fargate_gb_hour: dict[str, Rate]
    rds_instance_hour: dict[str, dict[str, Rate]]
    multi_az_factor: Rate
    storage_gb_month: dict[str, Rate]
    iops_month: dict[str, Rate]
    gp3_included_iops: int
    gp3_included_iops_from_400gib: int
    alb_hour: Rate
    alb_lcu_hour: Rate
    lambda_request_million: Rate
    lambda_gb_second: dict[str, Rate]
    sfn_per_1000_transitions: Rate
    alarm_standard: Rate
    alarm_high_resolution: Rate
    alarm_composite: Rate
    dashboard_month: Rate
    rds_proxy_vcpu_hour: Rate
    db_classes: dict[str, DbClassSpec]
    overrides: list[str] = Field(default_factory=list)

    def rds_hour(self, engine: str, instance_class: str) -> Rate | None:
        return self.rds_instance_hour.get(engine, {}).get(instance_class)
