"""The cost report's inputs on the seed's stack in moto: the last day's actions from the audit trail, a state
table it cannot read, and the settings that size the estimate (ALB LCUs, incidents a month)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from autopilot.audit import record_decision
from autopilot.models.records import CostImpact
from autopilot.operations.cost_report import build_cost_report
from autopilot.settings.cost import CostSettings, get_cost_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.helpers.aws_env import clear_settings_caches
from tests.helpers.clients import clients, state_table
from tests.helpers.faults import Faults

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


@pytest.fixture
def settings(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> CostSettings:
    function_env("CostReportFunction")
    return get_cost_settings()


def acted(settings: CostSettings, hours_ago: float, action: str) -> None:
    record_decision(
        state_table(settings.state_table_name),
        function="ScaleOutFunction",
        resource_id=settings.scalable_resource_id,
        at=NOW - timedelta(hours=hours_ago),
        action=action,
        taken=True,
        reason=f"{action} for the test",
        changes={"min": [3, 5]},
        cost_impact=CostImpact(tasks_delta=2, hourly_usd=0.1, monthly_usd=72.0, summary="+2 tasks"),
    )


def test_the_report_lists_the_actions_of_the_last_day_only(settings: CostSettings) -> None:
    acted(settings, 25, "two_days_ago")
    acted(settings, 23, "yesterday")
    acted(settings, 1, "this_morning")

    report = build_cost_report(clients(), settings, NOW)

    assert [a.action for a in report.recent_actions] == ["yesterday", "this_morning"]
    assert report.recent_actions[0].cost_impact.summary == "+2 tasks"
    assert not any("not read" in note for note in report.inventory.notes)


def test_a_state_table_that_cannot_be_read_still_gives_a_report_that_says_so(
    settings: CostSettings, faults: Faults
) -> None:
    acted(settings, 1, "this_morning")
    faults.fail("Query")

    report = build_cost_report(clients(), settings, NOW)

    assert report.recent_actions == [] and report.leases == []
    [note] = [note for note in report.inventory.notes if "not read" in note]
    assert note.startswith(f"state table {settings.state_table_name!r} not read (")
    assert note.endswith("): leases and actions unknown")
    assert report.monthly_total_usd > 0


def test_the_alb_lcu_and_incident_settings_size_the_estimate(
    settings: CostSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = build_cost_report(clients(), settings, NOW)
    monkeypatch.setenv("ALB_LCU_ESTIMATE", "3")
    monkeypatch.setenv("INCIDENTS_PER_MONTH", "100")
    clear_settings_caches()

    sized = build_cost_report(clients(), get_cost_settings(), NOW)

    assert sized.monthly_total_usd > base.monthly_total_usd
    assert sized.control_plane.monthly_usd > base.control_plane.monthly_usd


def test_the_planned_connections_per_task_reach_the_pooling_advice(
    settings: CostSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANNED_CONNECTIONS_PER_TASK", "150")
    clear_settings_caches()

    report = build_cost_report(clients(), get_cost_settings(), NOW)

    [advice] = [rec for rec in report.recommendations if rec.id == "connection-pooling"]
    assert advice.detail.startswith("20 tasks x 150 connections = 3,000 at max capacity")
