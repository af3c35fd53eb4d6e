"""Settings every control-plane function shares; the template sets them as environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Where the stack lives and where the control plane writes."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    aws_region: str = Field(default="us-east-2", description="Region of the stack")
    state_table_name: str = Field(
        default="sensor-autopilot-state", description="DynamoDB table: leases, audit trail, locks"
    )
    notification_topic_arn: str = Field(default="", description="SNS topic for decisions and reports")
    cluster_name: str = Field(default="sensor-app-cluster", description="ECS cluster of the sensor API")
    service_name: str = Field(default="sensor-app-service", description="ECS service of the sensor API")
    dry_run: bool = Field(default=False, description="Decide and report, change nothing")
    price_overrides: dict[str, float] = Field(
        default_factory=dict,
        description="JSON: price-table path to USD, used by every decision's cost impact and by the cost report, "
        'e.g. {"fargate/X86_64/vcpu_hour": 0.04048}',
    )

    @property
    def scalable_resource_id(self) -> str:
        return f"service/{self.cluster_name}/{self.service_name}"


@lru_cache(maxsize=1)
def get_common_settings() -> CommonSettings:
    return CommonSettings()
