"""Cost Explorer month-to-date actuals (account-wide, by service). Each request costs $0.01, so it is opt-in.

Cost Explorer answers from us-east-1 whatever the stack's region. When it cannot answer, the report says so and
keeps its estimates: actuals are a cross-check, not the report's source.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.models.cost import Actuals

if TYPE_CHECKING:
    from mypy_boto3_ce import CostExplorerClient
    from mypy_boto3_ce.type_defs import GetCostAndUsageResponseTypeDef

METRIC = "UnblendedCost"


def month_to_date_period(now: datetime) -> tuple[date, date]:
    """From the first of the month to today (Cost Explorer's end date is exclusive)."""
    today = now.date()
    return today.replace(day=1), today


def parse_cost_and_usage(response: GetCostAndUsageResponseTypeDef) -> tuple[float, dict[str, float]]:
    """Total and per-service amounts from a GetCostAndUsage answer (grouped by SERVICE or not)."""
    by_service: dict[str, float] = defaultdict(float)
    total = 0.0
    for period in response.get("ResultsByTime", []):
        groups = period.get("Groups", [])
        for group in groups:
            amount = float(group["Metrics"][METRIC]["Amount"])
            by_service[" / ".join(group.get("Keys", ["?"]))] += amount
            total += amount
        if not groups and METRIC in period.get("Total", {}):
            total += float(period["Total"][METRIC]["Amount"])
    return round(total, 2), {name: round(value, 2) for name, value in by_service.items()}


def month_to_date(ce: CostExplorerClient, now: datetime, enabled: bool) -> Actuals:
    if not enabled:
        return Actuals(enabled=False, note="Cost Explorer actuals are off (COST_EXPLORER_ENABLED=false).")
    start, end = month_to_date_period(now)
    if start == end:
        return Actuals(enabled=True, start=start, end=end, note="First day of the month: no complete day to report.")
    try:
        response = ce.get_cost_and_usage(
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Granularity="MONTHLY",
            Metrics=[METRIC],
            GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
        )
    except (BotoCoreError, ClientError) as exc:
        return Actuals(
            enabled=True, start=start, end=end, note=f"Cost Explorer did not answer ({exc}); estimates only."
        )
    total, by_service = parse_cost_and_usage(response)
    if not response.get("ResultsByTime"):
        return Actuals(enabled=True, start=start, end=end, note="Cost Explorer returned no data for this month yet.")
    return Actuals(
        enabled=True,
        month_to_date_usd=total,
        start=start,
        end=end,
        by_service=by_service,
        note=f"{METRIC} from Cost Explorer, account-wide, {start} to {end} (end excluded); it lags by up to a day.",
    )
