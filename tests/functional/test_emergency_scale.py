"""EmergencyScaleFunction on moto: the floor lease, idempotency per episode, guard rails, faults, bad input."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from autopilot.errors import InvalidEventError
from autopilot.handlers import emergency_scale
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends

from tests.helpers.aws_env import settings_env
from tests.helpers.faults import FaultPlan, count_calls, inject
from tests.helpers.stack_state import set_running, set_target, table_items, target

EVENTS = Path(__file__).resolve().parents[2] / "events"
EVENT = json.loads((EVENTS / "alarm-cpu-emergency.json").read_text())


@pytest.fixture
def env(function_env: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return function_env("EmergencyScaleFunction")


def scale(event: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
    """Deliver an alarm event as AWS would: the alarm is in the event's state, since the event's transition."""
    mirror_alarm_state(event, "us-east-2")
    result: dict[str, Any] = emergency_scale.handler(event, context)
    return result


def episode(minutes_later: int) -> dict[str, Any]:
    event = copy.deepcopy(EVENT)
    changed = datetime.fromisoformat("2026-11-27T14:00:05+00:00") + timedelta(minutes=minutes_later)
    event["time"] = changed.isoformat().replace("+00:00", "Z")
    event["detail"]["state"]["timestamp"] = changed.isoformat()
    return event


def test_raises_the_floor_with_a_lease_and_an_audit_record(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    result = scale(EVENT, lambda_context)
    assert (result["action"], result["taken"], result["to_min"]) == ("raise_floor", True, 6)
    assert target(stack)["MinCapacity"] == 6 and target(stack)["MaxCapacity"] == 20
    [lease] = table_items(stack, "LEASE#")
    assert (lease["original_min"], lease["leased_min"]) == (3, 6)
    assert lease["expires_at"] == "2026-11-27T15:00:05Z"  # decision time = the event's time + 60 min
    [audit] = table_items(stack, "AUDIT#")
    assert audit["action"] == "raise_floor" and audit["taken"] is True
    assert audit["cost_impact"]["tasks_delta"] == 3
    assert float(audit["inputs"]["observed_cpu"]) == pytest.approx(95.1)


def test_one_episode_delivered_100_times_changes_min_capacity_once(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        results = [scale(EVENT, lambda_context) for _ in range(100)]
    assert registered.calls == 1
    assert target(stack)["MinCapacity"] == 6
    assert sum(1 for r in results if r.get("replayed")) == 99
    assert len(table_items(stack, "AUDIT#")) == 1


def test_flapping_alarm_is_held_to_the_hourly_limit(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with settings_env(monkeypatch, {"MAX_STEP": "1"}):
        taken = []
        for minute in range(0, 50, 10):  # five distinct episodes within the hour
            result = scale(episode(minute), lambda_context)
            taken.append(result["taken"])
            set_running(stack, target(stack)["MinCapacity"])  # the service follows the floor
    assert taken == [True, True, True, False, False]
    assert target(stack)["MinCapacity"] == 6
    blocked = [a for a in table_items(stack, "AUDIT#") if not a["taken"]]
    assert len(blocked) == 2 and all("flapping" in a["reason"] for a in blocked)


def test_throttling_is_retried(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with inject("application-autoscaling", "RegisterScalableTarget", FaultPlan(times=2), monkeypatch) as plan:
        result = scale(EVENT, lambda_context)
    assert plan.calls == 3 and result["taken"]
    assert target(stack)["MinCapacity"] == 6


def test_persistent_5xx_leaves_nothing_half_changed(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    plan = FaultPlan(code="InternalServiceException", status=500, times=None)
    with (
        inject("application-autoscaling", "RegisterScalableTarget", plan, monkeypatch),
        pytest.raises(Exception, match="reached max retries"),
    ):
        scale(EVENT, lambda_context)
    assert plan.calls >= 5  # retried by the shared policy before giving up
    assert target(stack)["MinCapacity"] == 3
    assert table_items(stack, "LEASE#") == []


def test_malformed_event_is_refused_and_changes_nothing(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    event = copy.deepcopy(EVENT)
    event["detail"]["state"]["value"] = "ON_FIRE"
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        with pytest.raises(InvalidEventError, match=r"detail\.state\.value"):
            scale(event, lambda_context)
        with pytest.raises(InvalidEventError, match="got a schedule event"):
            scale(json.loads((EVENTS / "schedule-sweeper.json").read_text()), lambda_context)
    assert registered.calls == 0
    assert table_items(stack, "AUDIT#") == [] and table_items(stack, "LEASE#") == []


def test_dry_run_records_but_changes_nothing(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with settings_env(monkeypatch, {"DRY_RUN": "true"}):
        result = scale(EVENT, lambda_context)
    assert result["dry_run"] and not result["taken"] and result["to_min"] == 6
    assert target(stack)["MinCapacity"] == 3 and table_items(stack, "LEASE#") == []
    [audit] = table_items(stack, "AUDIT#")
    assert audit["dry_run"] is True and audit["taken"] is False


def test_rolling_back_deployment_is_not_scaled(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    # moto has no API to fail a deployment: set the circuit breaker's verdict on its model
    service = ecs_backends[DEFAULT_ACCOUNT_ID][stack.region].services[f"{stack.cluster}:{stack.service}"]
    service.deployments[0]["rolloutState"] = "FAILED"
    service.deployments[0]["rolloutStateReason"] = "ECS deployment circuit breaker: rolling back"
    result = scale(EVENT, lambda_context)
    assert result["action"] == "none" and "rolling back" in result["reason"]
    assert target(stack)["MinCapacity"] == 3


def test_at_max_asks_approval_then_raises_max_within_the_ceiling(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    set_running(stack, 20)
    proposal = scale(EVENT, lambda_context)
    assert proposal["needs_approval"] and not proposal["taken"] and proposal["to_max"] == 25
    assert target(stack)["MaxCapacity"] == 20
    rejected = scale({"trigger": EVENT, "approval": {"approved": False, "by": "sre"}}, lambda_context)
    assert rejected["action"] == "none" and target(stack)["MaxCapacity"] == 20
    approved = scale(
        {"trigger": EVENT, "decision": proposal, "approval": {"approved": True, "by": "sre"}}, lambda_context
    )
    assert approved["taken"] and target(stack)["MaxCapacity"] == 25
    set_target(stack, max_capacity=30)
    set_running(stack, 30)
    at_ceiling = scale({"trigger": episode(5), "approval": {"approved": True, "by": "sre"}}, lambda_context)
    assert at_ceiling["action"] == "none" and target(stack)["MaxCapacity"] == 30
