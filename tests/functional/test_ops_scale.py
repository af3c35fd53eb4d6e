"""An operator's floor lease on the seed's stack in moto: what the decision log keeps about it, dry runs, the
flapping guard per caller, and the client token that makes a request happen once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from autopilot.models.ops import Caller, ScaleRequest
from autopilot.models.records import AuditRecord
from autopilot.operations.ops_scale import request_floor
from autopilot.settings.ops import OpsSettings, get_ops_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError

from tests.helpers.aws_env import clear_settings_caches
from tests.helpers.clients import clients, state_table
from tests.helpers.stack_state import target

AT = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
SRE = Caller(arn="arn:aws:iam::123456789012:user/sre-on-call")
OTHER = Caller(arn="arn:aws:iam::123456789012:user/another-sre")


@pytest.fixture
def settings(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> OpsSettings:
    function_env("OpsApiFunction")
    return get_ops_settings()


def ask(tasks: int, token: str, minutes: int = 30, reason: str = "load test at 14:00") -> ScaleRequest:
    return ScaleRequest(tasks=tasks, duration_minutes=minutes, reason=reason, client_token=token)


def log(settings: OpsSettings) -> list[AuditRecord]:
    return state_table(settings.state_table_name).recent_records(settings.scalable_resource_id, AT - timedelta(days=1))


def test_a_floor_lease_is_applied_and_the_log_keeps_who_asked_why_and_what_changed(
    settings: OpsSettings, stack: EmbeddedStack
) -> None:
    decision = request_floor(clients(), ask(8, "tok-00000001"), SRE, AT, settings)

    until = (AT + timedelta(minutes=30)).isoformat()
    assert (decision["action"], decision["taken"], decision["from_min"], decision["to_min"]) == (
        "raise_floor",
        True,
        3,
        8,
    )
    assert decision["replayed"] is False
    assert target(stack)["MinCapacity"] == 8
    [record] = log(settings)
    assert (record.function, record.resource_id, record.at) == ("ops-scale", settings.scalable_resource_id, AT)
    assert (record.action, record.taken, record.dry_run) == ("raise_floor", True, False)
    assert record.reason == f"operator request: floor 8 until {until}; asked by {SRE.arn}: load test at 14:00"
    assert (record.alarm_name, record.episode) == (f"manual:{SRE.arn}", "ops|tok-00000001")
    assert record.inputs == {
        "request": {"tasks": 8, "duration_minutes": 30, "reason": "load test at 14:00", "client_token": "tok-00000001"},
        "caller": SRE.arn,
        "running": 3,
    }
    assert record.changes == {"min": [3, 8]}
    assert record.cost_impact.tasks_delta == 5 and record.cost_impact.hourly_usd > 0


def test_in_a_dry_run_the_floor_is_not_raised_and_the_log_says_so(
    settings: OpsSettings, stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRY_RUN", "true")
    clear_settings_caches()

    decision = request_floor(clients(), ask(8, "tok-00000002"), SRE, AT, get_ops_settings())

    assert (decision["action"], decision["taken"], decision["dry_run"]) == ("raise_floor", False, True)
    assert target(stack)["MinCapacity"] == 3
    [record] = log(settings)
    assert (record.taken, record.dry_run, record.changes) == (False, True, {"min": [3, 8]})


def test_a_caller_asking_too_often_within_the_hour_is_refused_by_the_flapping_guard(
    settings: OpsSettings, stack: EmbeddedStack
) -> None:
    for i, tasks in enumerate((4, 5, 6)):
        taken = request_floor(clients(), ask(tasks, f"tok-flap-{i}"), SRE, AT + timedelta(minutes=i), settings)
        assert taken["taken"] is True

    refused = request_floor(clients(), ask(7, "tok-flap-3"), SRE, AT + timedelta(minutes=10), settings)
    other = request_floor(clients(), ask(7, "tok-flap-4"), OTHER, AT + timedelta(minutes=11), settings)
    later = request_floor(clients(), ask(8, "tok-flap-5"), SRE, AT + timedelta(minutes=61), settings)

    assert (refused["action"], refused["taken"]) == ("none", False)
    assert f"alarm manual:{SRE.arn} already caused 3 actions in the last hour" in refused["reason"]
    assert (other["action"], other["taken"]) == ("raise_floor", True), "the guard counts each caller's own requests"
    assert (later["action"], later["taken"]) == ("raise_floor", True), "requests older than an hour do not count"
    assert target(stack)["MinCapacity"] == 8


def test_the_same_token_answers_the_first_result_once_and_refuses_another_size_or_duration(
    settings: OpsSettings, lambda_context: LocalLambdaContext
) -> None:
    first = request_floor(clients(), ask(8, "tok-00000003"), SRE, AT, settings, lambda_context)

    again = request_floor(clients(), ask(8, "tok-00000003", reason="asked again"), SRE, AT, settings, lambda_context)

    assert again == first | {"replayed": True, "taken": False}
    assert len(log(settings)) == 1
    for change in ({"tasks": 9}, {"minutes": 45}):
        arguments: dict[str, Any] = {"tasks": 8, "token": "tok-00000003"} | change
        with pytest.raises(IdempotencyValidationError):
            request_floor(clients(), ask(**arguments), SRE, AT, settings)


def test_another_token_with_the_same_request_is_a_new_request(settings: OpsSettings) -> None:
    request_floor(clients(), ask(8, "tok-00000004"), SRE, AT, settings)
    second = request_floor(clients(), ask(8, "tok-00000005"), SRE, AT, settings)
    assert second["replayed"] is False and second["action"] == "none"
    assert "the floor is already 8" in second["reason"]
    assert len(log(settings)) == 2
