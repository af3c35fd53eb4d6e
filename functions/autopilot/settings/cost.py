"""Cost reports: inventory x price table, scenarios, recommendations."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from autopilot.settings.common import CommonSettings


class CostSettings(CommonSettings):
    report_bucket: str = Field(default="", description="S3 bucket for JSON + Markdown reports")
    report_prefix: str = Field(default="cost-reports/", description="Key prefix of the reports")
    cost_explorer_enabled: bool = Field(default=False, description="Add month-to-date actuals (costs $0.01/call)")
    pricing_api_enabled: bool = Field(default=False, description="Refresh Fargate/RDS prices from the Pricing API")
    db_connection_budget: int = Field(default=300, ge=10, description="Connections the service may use")


@lru_cache(maxsize=1)
def get_cost_settings() -> CostSettings:
    return CostSettings()
