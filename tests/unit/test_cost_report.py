"""The assembled report: total, seed check, control plane apart, leases and actions, and its Markdown."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from autopilot.logic.cost_control_plane import estimate_control_plane
from autopilot.logic.cost_markdown import render_markdown
from autopilot.logic.cost_prices import price_book
from autopilot.logic.cost_report import ReportInputs, assemble_report
from autopilot.models.cost import (
    Actuals,
    ControlPlaneInventory,
    CostReport,
    DbInstanceInventory,
    LambdaFunctionInventory,
)
from autopilot.models.records import AuditRecord, CostImpact, Lease
from autopilot_cli.cost_chart import seed_bar

from tests.unit.test_cost_model import seed_inventory

NOW = datetime(2026, 7, 1, 6, tzinfo=UTC)
RESOURCE = "service/sensor-app-cluster/sensor-app-service"


def make_lease(expires_in: timedelta) -> Lease:
    return Lease(
        resource_id=RESOURCE,
        original_min=3,
        leased_min=8,
        raised_at=NOW - timedelta(minutes=10),
        expires_at=NOW + expires_in,
        alarm_name="sensor-cpu-emergency",
        episode="arn|2026-07-01T05:50:00+00:00",
    )


def report(**changes: Any) -> CostReport:
    fields: dict[str, Any] = {
        "generated_at": NOW,
        "inventory": seed_inventory(),
        "book": price_book("us-east-2"),
        "leases": [],
        "actions": [],
        "actuals": Actuals(enabled=False, note="Cost Explorer is off."),
        "refresh_note": "Pricing API refresh is off (PRICING_API_ENABLED=false).",
        "alb_lcu": 1.0,
        "planned_connections_per_task": 100,
        "connection_budget": 300,
        "incidents_per_month": 10,
    }
    return assemble_report(ReportInputs(**(fields | changes)))


def test_the_top_level_total_is_the_workload_now_within_1_percent_of_the_hand_computation() -> None:
    result = report()
    assert result.monthly_total_usd == 258.51
    assert abs(result.monthly_total_usd - 258.51) / 258.51 < 0.01
    assert result.hourly_total_usd == pytest.approx(258.5053 / 730, abs=1e-5)
    assert [s.name for s in result.scenarios] == ["now", "min", "max"]


def test_the_control_plane_is_listed_apart_and_does_not_move_the_total() -> None:
    plane = ControlPlaneInventory(standard_alarms=12, high_resolution_alarms=1, composite_alarms=1, dashboards=1)
    result = report(inventory=seed_inventory().model_copy(update={"control_plane": plane}))
    assert result.monthly_total_usd == 258.51
    assert result.control_plane.monthly_usd == pytest.approx(1.2 + 0.3 + 0.5 + 3.0 + 0.04, abs=0.01)
    assert any("control plane" in line for line in result.total_excludes)


def test_control_plane_usage_model_prices_invocations_and_transitions() -> None:
    functions = [LambdaFunctionInventory(name=f"f{i}", memory_mb=512, architecture="x86_64") for i in range(3)]
    estimate = estimate_control_plane(ControlPlaneInventory(functions=functions), price_book("us-east-2"), 100)
    by_unit = {item.unit: item for item in estimate.line_items}
    invocations = 730 * 12 + 30 + 100 * 6
    assert by_unit["request"].quantity == invocations
    assert by_unit["GB-second"].quantity == pytest.approx(invocations * 0.5)
    assert by_unit["GB-second"].unit_price_usd == 0.0000166667, "x86 functions use the x86 rate"
    assert by_unit["state transition"].monthly_usd == pytest.approx(1500 / 1000 * 0.025)
    assert "100 incidents" in " ".join(estimate.assumptions)


def test_the_estimate_names_the_functions_it_took_memory_from_and_the_alarms_it_left_out() -> None:
    functions = [LambdaFunctionInventory(name=f"sensor-autopilot-f{i}", memory_mb=256) for i in range(8)]
    plane = ControlPlaneInventory(stack_name="sensor-autopilot", functions=functions, standard_alarms=8, other_alarms=6)
    text = " ".join(estimate_control_plane(plane, price_book("us-east-2"), 10).assumptions)
    assert "invocations are modelled, not measured" in text
    assert "(256 MB on average) and architecture (arm64) from the 8 functions of stack sensor-autopilot" in text
    assert "6 other alarms in the region are not counted" in text
    assert "functions found" not in text


def test_seed_check_quotes_the_guide_and_explains_each_difference() -> None:
    seed = report().seed_check
    assert seed.seed_total_usd == 135.0
    assert seed.honest_total_usd == 258.51
    rows = {row.item: row for row in seed.rows}
    assert rows["Fargate tasks (3)"].seed_monthly_usd == 87.6
    assert rows["Fargate tasks (3)"].honest_monthly_usd == 108.12
    assert "memory" in rows["Fargate tasks (3)"].why
    assert rows["RDS primary"].honest_monthly_usd == 52.56
    assert "MySQL" in rows["RDS primary"].why
    assert rows["RDS read replica"].honest_monthly_usd == 52.56
    assert rows["RDS storage and IOPS"].honest_monthly_usd == 23.0
    assert rows["Load balancer"].honest_monthly_usd == 22.27
    text = " ".join(seed.explanation)
    assert "$0.987/h" in text
    assert "$300/month per instance" in text
    assert "Total: ~$135/month" in seed.quoted


def test_seed_check_compares_the_guides_configuration_with_itself_priced_honestly_whatever_runs_now() -> None:
    busy = seed_inventory(running_tasks=20, desired_tasks=20, max_capacity=25)
    seed = report(inventory=busy).seed_check
    assert (seed.seed_total_usd, seed.honest_total_usd) == (135.0, 258.51), "both totals: the guide's 3 tasks"
    rows = {row.item: row for row in seed.rows}
    assert rows["Fargate tasks (3)"].seed_monthly_usd == 87.6
    assert rows["Fargate tasks (3)"].honest_monthly_usd == 108.12
    assert "3 tasks" in seed.configuration
    assert (seed.stack_now_tasks, seed.stack_now_monthly_usd) == (20, 871.19), "the stack now, shown apart"
    text = " ".join(seed.explanation)
    assert "$633.64" not in text, "the guide's rates are never applied to another configuration"
    assert "its own rates give $87.60 + $49.64 = $137.24" in text


def test_seed_check_is_the_same_for_any_observed_stack() -> None:
    quiet = report().seed_check
    busy = report(inventory=seed_inventory(running_tasks=20, desired_tasks=20, max_capacity=25)).seed_check
    assert quiet.rows == busy.rows
    assert (quiet.seed_total_usd, quiet.honest_total_usd) == (busy.seed_total_usd, busy.honest_total_usd)


def test_the_charts_seed_bar_is_the_guides_configuration_priced_not_the_stack_now() -> None:
    busy = report(inventory=seed_inventory(running_tasks=20, desired_tasks=20, max_capacity=25))
    label, values = seed_bar(busy)
    assert label == "the guide's config (3 tasks), priced"
    assert values == {
        "tasks": 108.12,
        "rds_instance": 105.12,
        "rds_storage": 23.0,
        "rds_iops": 0.0,
        "load_balancer": 22.27,
    }
    assert round(sum(values.values()), 2) == busy.seed_check.honest_total_usd == 258.51


def test_leases_carry_their_cost_impact_and_expired_ones_become_a_recommendation() -> None:
    result = report(leases=[make_lease(timedelta(minutes=50)), make_lease(timedelta(minutes=-5))])
    assert [lease.expired for lease in result.leases] == [False, True]
    impact = result.leases[0].cost_impact
    assert impact.tasks_delta == 5
    assert impact.hourly_usd == pytest.approx(5 * 0.04937)
    assert "+5 tasks" in result.summary
    assert "expired-leases" in {r.id for r in result.recommendations}


def test_recent_actions_keep_taken_changes_only() -> None:
    def record(action: str, taken: bool, dry_run: bool = False) -> AuditRecord:
        return AuditRecord(
            record_id=action,
            resource_id=RESOURCE,
            at=NOW - timedelta(hours=1),
            function="emergency-scale",
            action=action,
            taken=taken,
            dry_run=dry_run,
            reason="cpu 95%",
            cost_impact=CostImpact(tasks_delta=2, hourly_usd=0.1, monthly_usd=72.08, summary="+2 tasks = +$0.10/h"),
        )

    result = report(actions=[record("raise-floor", True), record("skip", False), record("dry", True, dry_run=True)])
    assert [a.action for a in result.recent_actions] == ["raise-floor"]


def test_unpriced_resources_are_named_in_the_reasons_and_left_out_of_the_total() -> None:
    extra = DbInstanceInventory(
        instance_id="analytics", engine="postgres", instance_class="db.r6g.large", storage_type="gp3", allocated_gb=20
    )
    inventory = seed_inventory()
    inventory.databases.append(extra)
    result = report(inventory=inventory)
    assert result.prices.unpriced == ["analytics: no postgres price for db.r6g.large in the table"]
    assert any("db.r6g.large" in reason for reason in result.reasons)
    assert result.monthly_total_usd == pytest.approx(258.51 + 20 * 0.115, abs=0.01)


def test_unverified_prices_used_are_listed() -> None:
    unverified = report().prices.unverified
    assert any("$0.072" in item for item in unverified)
    assert not any("Fargate" in item for item in unverified)


def test_report_is_json_serialisable_and_round_trips() -> None:
    result = report(leases=[make_lease(timedelta(minutes=50))])
    data = json.loads(result.model_dump_json())
    assert data["monthly_total_usd"] == 258.51
    assert CostReport.model_validate(data) == result


def test_markdown_shows_total_scenarios_seed_check_and_sources() -> None:
    text = render_markdown(report(leases=[make_lease(timedelta(minutes=50))]))
    assert text.startswith("# Cost report, us-east-2, 2026-07-01 06:00 UTC")
    assert "**Workload now: $258.51/month**" in text
    assert "| at max capacity (20 tasks) | 20 | $720.80 |" in text
    assert "| Total | ~$135.00 | **$258.51** |  |" in text
    assert "$0.0000133334" in text, "unit prices without exponent notation"
    assert "(unverified)" in text
    assert "Floor lease on service/sensor-app-cluster/sensor-app-service: 3 -> 8" in text
    assert "## Control plane (not in the total)" in text


def test_markdown_quantities_are_written_out_at_any_size() -> None:
    text = render_markdown(report(inventory=seed_inventory(running_tasks=20, desired_tasks=20)))
    assert "| 14,600 vCPU-hour |" in text
    assert "| 29,200 GB-hour |" in text
    assert "e+0" not in text, "no exponent notation"


def test_scenario_lookup_names_the_missing_scenario() -> None:
    with pytest.raises(KeyError, match="peak"):
        report().scenario("peak")
