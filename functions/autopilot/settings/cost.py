"""Cost reports: inventory x price table, scenarios, recommendations."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from autopilot.settings.common import CommonSettings


class CostSettings(CommonSettings):
    report_bucket: str = Field(default="", description="S3 bucket for JSON + Markdown reports (empty: not stored)")
    report_prefix: str = Field(default="cost-reports/", description="Key prefix of the reports")
    cost_explorer_enabled: bool = Field(default=False, description="Add month-to-date actuals (costs $0.01/call)")
    pricing_api_enabled: bool = Field(default=False, description="Refresh Fargate/RDS prices from the Pricing API")
    db_connection_budget: int = Field(default=300, ge=10, description="Connections the service may use")
    primary_db_instance_id: str = Field(default="sensor-postgres-high-perf", description="RDS primary to price")
    alb_lcu_estimate: float = Field(default=1.0, ge=0, le=10_000, description="Average LCUs per load balancer")
    planned_connections_per_task: int = Field(
        default=100, ge=1, description="Connections each task opens (the seed's MAX_CONNECTIONS=100)"
    )
    incidents_per_month: int = Field(default=10, ge=0, description="Workflow runs a month, for the control plane")
    stack_name: str = Field(
        default="", description="The stack whose alarms and functions are counted; empty: STATE_TABLE_NAME less -state"
    )
    control_plane_functions: str = Field(
        default="", description="Comma-separated names of the control plane's other functions (priced in the report)"
    )
    aws_lambda_function_name: str = Field(default="", description="This function's own name (set by Lambda)")

    @property
    def owning_stack(self) -> str:
        """The stack's name: set, or read from the state table's (``<stack>-state`` in the template)."""
        return self.stack_name or self.state_table_name.removesuffix("-state")

    @property
    def function_names(self) -> list[str]:
        names = [name.strip() for name in self.control_plane_functions.split(",") if name.strip()]
        return names + ([self.aws_lambda_function_name] if self.aws_lambda_function_name else [])


@lru_cache(maxsize=1)
def get_cost_settings() -> CostSettings:
    return CostSettings()
