"""Each panel of ``make demo`` drawn at 80 columns: it fits, and no name, price or word of it is cut."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from autopilot.models.cost import (
    ControlPlaneInventory,
    CostReport,
    LambdaFunctionInventory,
    ServicePoolSettings,
)
from autopilot.models.records import AuditRecord, CostImpact
from autopilot_cli.demo_panels import approval_panel, audit_table, cost_panel, execution_panel, outcome
from rich.console import Console, RenderableType

from tests.unit.test_cost_model import seed_inventory
from tests.unit.test_cost_report import NOW, RESOURCE, make_lease, report

WIDTH = 80
LONG_SUMMARY = (
    "Raised MaxCapacity of service/sensor-app-cluster/sensor-app-service from 20 to 25 "
    "(+5 tasks = +$0.25/h (+$180/month while it lasts)); the approval came from sre-on-call"
)


def draw(renderable: RenderableType) -> list[str]:
    console = Console(width=WIDTH, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text().splitlines()


def assert_fits_and_keeps_whole(lines: list[str], *texts: str) -> None:
    """Every line fits; nothing is ellipsised; every word of ``texts`` (names, prices) is on one line, whole."""
    assert max(len(line) for line in lines) <= WIDTH
    assert not any("…" in line for line in lines)
    for text in texts:
        for word in text.split():
            assert any(word in line for line in lines), f"{word!r} is cut (folded across lines) or missing"


def busy_report() -> CostReport:
    """The demo's state at the report: 20 tasks running, max 25, a lease and actions, the stack's functions."""
    inventory = seed_inventory(running_tasks=20, desired_tasks=20, max_capacity=25)
    inventory.service.pool_settings = ServicePoolSettings(db_connection_budget=300, max_tasks=30, web_concurrency=4)
    inventory.control_plane = ControlPlaneInventory(
        stack_name="sensor-autopilot",
        functions=[LambdaFunctionInventory(name=f"sensor-autopilot-F{i}", memory_mb=256) for i in range(8)],
        standard_alarms=8,
        other_alarms=6,
    )
    action = AuditRecord(
        record_id="r1",
        resource_id=RESOURCE,
        at=NOW - timedelta(hours=2),
        function="emergency-scale",
        action="raise_max",
        taken=True,
        reason="observed CPU 95.1 % at MaxCapacity 20",
        cost_impact=CostImpact(tasks_delta=5, hourly_usd=0.25, monthly_usd=180.2, summary="+5 tasks = +$0.25/h"),
    )
    return report(inventory=inventory, leases=[make_lease(timedelta(minutes=30))], actions=[action])


def test_an_execution_panel_shows_the_whole_outcome_not_the_cut_subject() -> None:
    output: dict[str, Any] = {
        "decision": {"output": {"summary": LONG_SUMMARY}},
        "notification": {"subject": "[sensor-autopilot] " + LONG_SUMMARY[:80] + "…"},
    }
    states = ["ApplyDefaults", "Assess", "RouteKind", "EmergencyScale", "RequestScaleApproval", "Notify", "Done"]
    capacity = "MinCapacity 3 / MaxCapacity 25; desired 20, running 20"
    lines = draw(execution_panel("16:00 approved", states, "SUCCEEDED", output, capacity))
    assert_fits_and_keeps_whole(lines, LONG_SUMMARY, capacity, "RequestScaleApproval")
    assert "RouteKind" not in "\n".join(lines)


def test_the_outcome_reads_a_result_kept_whole_or_flat_and_says_when_there_was_none() -> None:
    assert outcome({"restore": {"summary": "Restored the floor"}}) == "Restored the floor"
    assert outcome({"assessment": {"output": {"summary": "in ALARM"}}, "decision": None}) == "in ALARM"
    assert outcome({}) == "no decision was needed"


def test_the_approval_panel_fits() -> None:
    lines = draw(approval_panel("16:00 still in alarm at MaxCapacity", LONG_SUMMARY, "approved by sre-on-call"))
    assert_fits_and_keeps_whole(lines, LONG_SUMMARY)


def test_the_audit_table_keeps_long_reasons_whole() -> None:
    reason = "observed CPU 95.1 % on 3 running tasks vs target 60 % (headroom x1.1) needs 6 tasks; " * 3
    records = [
        {
            "at": "2026-11-27T14:00:05Z",
            "function": "restore-capacity",
            "action": "restore_floor",
            "taken": True,
            "reason": reason,
        },
    ]
    lines = draw(audit_table(records))
    assert_fits_and_keeps_whole(lines, reason, "restore-capacity", "restore_floor", "14:00:05")
    assert "\n".join(lines).count("needs 6 tasks") == 3, "the reason is not shortened"


def test_the_cost_panel_keeps_every_resource_name_and_price_whole() -> None:
    result = busy_report()
    where = "Full report in S3 bucket sensor-autopilot-reports-123456789012-us-east-2, key cost-reports/x.md."
    lines = draw(cost_panel(result, where))
    items = result.scenario("now").line_items + result.control_plane.line_items
    names = {item.resource for item in items if item.resource != "control plane"}
    prices = {f"${item.monthly_usd:,.2f}" for item in items}
    totals = {f"${s.monthly_usd:,.2f}" for s in result.scenarios}
    seed = {f"${row.honest_monthly_usd:,.2f}" for row in result.seed_check.rows}
    savings = {f"${rec.monthly_saving_usd:,.2f}" for rec in result.recommendations if rec.monthly_saving_usd}
    assert_fits_and_keeps_whole(lines, *names, *prices, *totals, *seed, *savings, where)
    assert_fits_and_keeps_whole(lines, *(rec.detail for rec in result.recommendations))
    drawn = "\n".join(lines)
    assert "sensor-app-cluster/sensor-app-service" in drawn
    assert "$0.0000133334" in drawn, "unit prices whole, without exponent notation"


def test_the_cost_panel_states_the_seed_check_and_the_stack_now_apart() -> None:
    drawn = " ".join(" ".join(draw(cost_panel(busy_report(), "-"))).split())
    assert "~$135.00 $258.51" in drawn
    assert "20 tasks, $871.19/month" in drawn
    assert "Cost report, us-east-2, 2026-07-01 06:00 UTC" in drawn
