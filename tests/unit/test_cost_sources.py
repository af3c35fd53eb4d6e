"""Pure parts of the cost report's sources and outputs: Pricing API documents, Cost Explorer answers, keys,
the SNS summary and the chart's path check."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from autopilot.adapters.cost_explorer import month_to_date, month_to_date_period, parse_cost_and_usage
from autopilot.adapters.pricing_api import fargate_prices, on_demand_usd, refresh_prices
from autopilot.adapters.report_store import report_keys
from autopilot.logic.cost_markdown import summary_message
from autopilot_cli.cost_chart import ChartError, check_chart_path

from tests.unit.test_cost_report import report


def product(usagetype: str, usd: str | None) -> dict[str, Any]:
    dimensions = {"R1": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}} if usd is not None else {}
    return {
        "product": {"productFamily": "Compute", "attributes": {"usagetype": usagetype, "regionCode": "us-east-2"}},
        "terms": {"OnDemand": {"T1": {"priceDimensions": dimensions}}},
    }


def test_on_demand_price_is_read_from_a_json_document() -> None:
    assert on_demand_usd(json.dumps(product("USE2-Fargate-GB-Hours", "0.0044450000"))) == 0.004445
    assert on_demand_usd(product("USE2-Fargate-GB-Hours", None)) is None


def test_fargate_usage_types_map_to_the_table_and_spot_or_windows_do_not() -> None:
    documents = [
        product("USE2-Fargate-vCPU-Hours:perCPU", "0.0404800000"),
        product("USE2-Fargate-GB-Hours", "0.0044450000"),
        product("USE2-Fargate-ARM-vCPU-Hours:perCPU", "0.0323800000"),
        product("Fargate-ARM-GB-Hours", "0.0035600000"),
        product("USE2-SpotUsage-Fargate-vCPU-Hours:perCPU", "0.0121"),
        product("USE2-Fargate-Windows-vCPU-Hours:perCPU", "0.09"),
    ]
    assert fargate_prices(documents) == {
        "fargate/X86_64/vcpu_hour": 0.04048,
        "fargate/X86_64/gb_hour": 0.004445,
        "fargate/ARM64/vcpu_hour": 0.03238,
        "fargate/ARM64/gb_hour": 0.00356,
    }


class NoCalls:
    """A client that must not be called: any API it is asked for fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{name} was called")


def test_pricing_refresh_off_says_the_table_was_used() -> None:
    at = datetime(2026, 7, 1, tzinfo=UTC)
    overrides, note = refresh_prices(NoCalls(), "us-east-2", set(), enabled=False, now=at)  # type: ignore[arg-type]
    assert overrides == {}
    assert "PRICING_API_ENABLED=false" in note


def test_cost_explorer_answer_grouped_by_service_is_summed() -> None:
    groups = [
        {"Keys": ["Amazon ECS"], "Metrics": {"UnblendedCost": {"Amount": "10.004", "Unit": "USD"}}},
        {"Keys": ["Amazon RDS"], "Metrics": {"UnblendedCost": {"Amount": "5.5", "Unit": "USD"}}},
    ]
    total, by_service = parse_cost_and_usage({"ResultsByTime": [{"Groups": groups, "Total": {}}]})
    assert total == 15.5
    assert by_service == {"Amazon ECS": 10.0, "Amazon RDS": 5.5}


def test_cost_explorer_answer_without_groups_uses_the_total() -> None:
    answer = {"ResultsByTime": [{"Groups": [], "Total": {"UnblendedCost": {"Amount": "42.1", "Unit": "USD"}}}]}
    assert parse_cost_and_usage(answer) == (42.1, {})


def test_month_to_date_runs_from_the_first_to_today_excluded() -> None:
    start, end = month_to_date_period(datetime(2026, 11, 27, 6, tzinfo=UTC))
    assert (start.isoformat(), end.isoformat()) == ("2026-11-01", "2026-11-27")


def test_month_to_date_on_the_first_of_the_month_asks_nothing() -> None:
    actuals = month_to_date(NoCalls(), datetime(2026, 12, 1, 6, tzinfo=UTC), enabled=True)  # type: ignore[arg-type]
    assert actuals.month_to_date_usd is None
    assert "First day of the month" in actuals.note


def test_month_to_date_off_says_so() -> None:
    actuals = month_to_date(NoCalls(), datetime(2026, 12, 5, tzinfo=UTC), enabled=False)  # type: ignore[arg-type]
    assert actuals.enabled is False
    assert "COST_EXPLORER_ENABLED=false" in actuals.note


def test_report_keys_are_dated_from_the_report_time() -> None:
    assert report_keys("cost-reports/", datetime(2026, 2, 3, 23, 59, tzinfo=UTC)) == (
        "cost-reports/2026/02/03/cost-report.json",
        "cost-reports/2026/02/03/cost-report.md",
    )


def test_summary_names_total_scenarios_savings_seed_check_and_links() -> None:
    subject, message = summary_message(report(), ["s3://bucket/cost-reports/2026/07/01/cost-report.md"])
    assert subject == "Cost report 2026-07-01: $258.51/month (workload)"
    assert len(subject) <= 100
    assert "At max capacity (20 tasks): $871.19." in message
    assert "Pool connections from a budget instead of raising max_connections: $740.22/month" in message
    assert "~$135.00/month" in message
    assert message.rstrip().endswith("Full report: s3://bucket/cost-reports/2026/07/01/cost-report.md")
    assert "Nothing was changed." in message


@pytest.mark.parametrize(
    ("name", "problem"), [("chart.jpg", "ending in .png"), ("nowhere/chart.png", "does not exist")]
)
def test_chart_path_must_be_a_png_in_an_existing_directory(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(ChartError, match=problem):
        check_chart_path(tmp_path / name)
    assert check_chart_path(tmp_path / "chart.png") == tmp_path / "chart.png"
