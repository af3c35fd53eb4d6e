"""One price for a task: the emergency decision's "+$/h" and the cost report price a task with the same function,
so a ``PRICE_OVERRIDES`` setting changes both alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from autopilot.handlers import cost_report, emergency_scale
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.helpers.aws_env import settings_env

EVENTS = Path(__file__).resolve().parents[2] / "events"
TABLE_TASK_HOURLY = 1 * 0.04048 + 2 * 0.004445  # the seed's 1 vCPU / 2 GB task, us-east-2, from the bundled table
OVERRIDDEN_TASK_HOURLY = 1 * 0.1 + 2 * 0.004445
OVERRIDE = json.dumps({"fargate/X86_64/vcpu_hour": 0.1})


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def task_prices(context: LocalLambdaContext) -> tuple[float, float]:
    """(the emergency decision's price per added task, the cost report's price per task)."""
    alarm = event("alarm-cpu-emergency.json")
    mirror_alarm_state(alarm, "us-east-2")
    decision = emergency_scale.handler(alarm, context)
    impact = decision["cost_impact"]
    report = cost_report.handler(event("schedule-cost-report.json"), context)
    by_name = {s["name"]: s for s in report["scenarios"]}
    extra_tasks = by_name["max"]["tasks"] - by_name["min"]["tasks"]
    report_hourly = (by_name["max"]["hourly_usd"] - by_name["min"]["hourly_usd"]) / extra_tasks
    return impact["hourly_usd"] / impact["tasks_delta"], report_hourly


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [(None, TABLE_TASK_HOURLY), (OVERRIDE, OVERRIDDEN_TASK_HOURLY)],
    ids=["table", "override"],
)
def test_a_price_override_changes_the_decision_and_the_report_alike(
    stack: EmbeddedStack,
    function_env: Callable[[str], dict[str, str]],
    lambda_context: LocalLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    overrides: str | None,
    expected: float,
) -> None:
    function_env("EmergencyScaleFunction")
    function_env("CostReportFunction")
    with settings_env(monkeypatch, {"PRICE_OVERRIDES": overrides or "{}"}):
        decision_hourly, report_hourly = task_prices(lambda_context)
    assert decision_hourly == pytest.approx(expected, abs=1e-4)
    assert report_hourly == pytest.approx(expected, abs=1e-4)
