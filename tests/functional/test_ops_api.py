"""OpsApiFunction through Mangum with API Gateway REST and HTTP API events on the embedded stack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from autopilot.handlers import ops_api
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.ops_events import AT, CALLER, answer_of, http_event, rest_event
from tests.helpers.stack_state import set_target, table_items, target

Event = Callable[..., dict[str, Any]]
SCALE = {"tasks": 8, "duration_minutes": 30, "reason": "load test at 14:00", "client_token": "tok-00000001"}


@pytest.fixture
def env(function_env: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return function_env("OpsApiFunction")


@pytest.fixture(params=[rest_event, http_event], ids=["rest", "http-v2"])
def event(request: pytest.FixtureRequest) -> Event:
    return request.param  # type: ignore[no-any-return]


def call(event: dict[str, Any], ctx: LocalLambdaContext) -> tuple[int, Any]:
    return answer_of(ops_api.handler(event, ctx))


def test_status_shows_service_target_database_and_cost(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    status, body = call(event("GET", "/status"), lambda_context)
    assert status == 200
    assert (body["target"]["min"], body["target"]["max"]) == (3, 20)
    assert body["service"]["desired"] == 3 and body["leases"] == []
    assert body["database"]["primary"]["instance_class"] == "db.t3.medium"
    assert body["cost_now"]["hourly_usd"] == pytest.approx(3 * 0.04937 + 2 * 0.072, abs=0.001)


def test_a_request_without_an_iam_caller_is_refused(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    status, body = call(event("POST", "/scale", SCALE, caller=None), lambda_context)
    assert status == 403 and "IAM caller" in body["detail"]
    assert target(stack)["MinCapacity"] == 3


def test_scale_leases_a_floor_records_the_caller_and_is_idempotent(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    status, body = call(event("POST", "/scale", SCALE), lambda_context)
    assert status == 200 and (body["action"], body["taken"], body["to_min"]) == ("raise_floor", True, 8)
    assert target(stack)["MinCapacity"] == 8
    [lease] = table_items(stack, "LEASE#")
    assert (lease["original_min"], lease["leased_min"]) == (3, 8)
    assert lease["expires_at"] == (AT + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    [audit] = table_items(stack, "AUDIT#")
    assert audit["function"] == "ops-scale" and CALLER in audit["reason"] and audit["inputs"]["caller"] == CALLER
    set_target(stack, min_capacity=3)  # someone lowers it by hand: the same token must not raise it again
    status, again = call(event("POST", "/scale", SCALE), lambda_context)
    assert status == 200 and again["replayed"] is True and again["taken"] is False
    assert target(stack)["MinCapacity"] == 3 and len(table_items(stack, "AUDIT#")) == 1


def test_a_reused_client_token_with_another_request_is_a_conflict(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    call(event("POST", "/scale", SCALE), lambda_context)
    status, body = call(event("POST", "/scale", SCALE | {"tasks": 9}), lambda_context)
    assert status == 409 and "client_token" in body["detail"]
    assert target(stack)["MinCapacity"] == 8


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tasks": 0}, "tasks"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"reason": ""}, "reason"),
        ({"client_token": "no spaces allowed"}, "client_token"),
        ({"desired_count": 10}, "desired_count"),
    ],
)
def test_bad_scale_requests_are_422_with_the_field_and_change_nothing(
    stack: EmbeddedStack,
    env: dict[str, str],
    event: Event,
    lambda_context: LocalLambdaContext,
    change: dict[str, Any],
    field: str,
) -> None:
    status, body = call(event("POST", "/scale", SCALE | change), lambda_context)
    assert status == 422 and any(field in reason for reason in body["detail"])
    assert target(stack)["MinCapacity"] == 3 and table_items(stack, "LEASE#") == []
    [refused] = table_items(stack, "AUDIT#ops-api")
    assert (
        refused["action"] == "refused_request" and refused["inputs"]["caller"] == CALLER and field in refused["reason"]
    )


def test_a_floor_above_the_maximum_is_refused_with_the_reason(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    status, body = call(event("POST", "/scale", SCALE | {"tasks": 25}), lambda_context)
    assert status == 200 and body["action"] == "none" and "above MaxCapacity 20" in body["reason"]
    assert target(stack)["MinCapacity"] == 3
    [audit] = table_items(stack, "AUDIT#")
    assert audit["taken"] is False and CALLER in audit["reason"]


def test_database_class_is_proposed_for_approval_with_cost_and_restart(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    status, body = call(
        event("POST", "/database/instance-class", {"class": "db.t3.large", "reason": "CPU at 90 %"}), lambda_context
    )
    assert status == 202 and body["status"] == "pending" and "task_token" not in body
    assert body["cost_impact"]["hourly_usd"] == pytest.approx(0.145 - 0.072)
    assert "restarts sensor-postgres-high-perf" in body["restart"]
    assert _db_class(stack) == "db.t3.medium"  # nothing changes before the approval
    status, pending = call(event("GET", "/approvals"), lambda_context)
    assert status == 200 and [a["approval_id"] for a in pending] == [body["approval_id"]]


def test_an_unknown_or_unchanged_class_is_refused(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    for wanted, reason in (("db.z9.huge", "no price"), ("db.t3.medium", "already db.t3.medium")):
        status, body = call(
            event("POST", "/database/instance-class", {"class": wanted, "reason": "try"}), lambda_context
        )
        assert status == 422 and reason in body["detail"]
    status, body = call(event("POST", "/database/instance-class", {"class": "large", "reason": "x"}), lambda_context)
    assert status == 422 and any("class" in reason for reason in body["detail"])
    assert _db_class(stack) == "db.t3.medium" and table_items(stack, "APPROVAL#") == []


def test_approving_applies_the_class_once_and_records_who(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    _, proposal = call(
        event("POST", "/database/instance-class", {"class": "db.t3.large", "reason": "CPU"}), lambda_context
    )
    path = f"/approvals/{proposal['approval_id']}"
    later = AT + timedelta(minutes=5)
    status, body = call(event("POST", path, {"decision": "approve", "comment": "ok"}, at=later), lambda_context)
    assert status == 200 and body["applied"] is True and body["approval"]["answered_by"] == CALLER
    assert _db_class(stack) == "db.t3.large"
    status, again = call(event("POST", path, {"decision": "reject"}), lambda_context)
    assert status == 409 and "already approved" in again["detail"]
    _, log = call(event("GET", "/actions", query={"resource": "sensor-postgres-high-perf"}), lambda_context)
    assert [a["function"] for a in log["items"]] == ["ops-approvals", "ops-database"]


def test_rejecting_changes_nothing_and_unknown_or_expired_ids_are_refused(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    _, first = call(
        event("POST", "/database/instance-class", {"class": "db.t3.large", "reason": "first"}), lambda_context
    )
    status, body = call(event("POST", f"/approvals/{first['approval_id']}", {"decision": "reject"}), lambda_context)
    assert status == 200 and body["outcome"] == "rejected" and _db_class(stack) == "db.t3.medium"
    status, body = call(event("POST", "/approvals/0123456789ab", {"decision": "approve"}), lambda_context)
    assert status == 404
    status, body = call(event("POST", "/approvals/not-an-id", {"decision": "approve"}), lambda_context)
    assert status == 422
    _, second = call(
        event("POST", "/database/instance-class", {"class": "db.t3.large", "reason": "second"}), lambda_context
    )
    late = AT + timedelta(hours=2)
    status, body = call(
        event("POST", f"/approvals/{second['approval_id']}", {"decision": "approve"}, at=late), lambda_context
    )
    assert status == 409 and "expired" in body["detail"] and _db_class(stack) == "db.t3.medium"


def test_actions_are_paginated_newest_first(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    for i in range(3):
        later = AT + timedelta(minutes=i)
        call(
            event("POST", "/scale", SCALE | {"tasks": 4 + i, "client_token": f"tok-0000000{i}"}, at=later),
            lambda_context,
        )
    status, page = call(event("GET", "/actions", query={"limit": "2"}), lambda_context)
    assert status == 200 and [a["changes"]["min"][1] for a in page["items"]] == [6, 5]
    status, rest = call(event("GET", "/actions", query={"limit": "2", "cursor": page["next_cursor"]}), lambda_context)
    assert [a["changes"]["min"][1] for a in rest["items"]] == [4] and rest["next_cursor"] is None
    status, body = call(event("GET", "/actions", query={"cursor": "garbage"}), lambda_context)
    assert status == 422 and "cursor" in body["detail"]


def test_openapi_schema_is_published(
    stack: EmbeddedStack, env: dict[str, str], event: Event, lambda_context: LocalLambdaContext
) -> None:
    status, schema = call(event("GET", "/openapi.json"), lambda_context)
    assert status == 200
    assert {
        "/status",
        "/scale",
        "/database/instance-class",
        "/actions",
        "/approvals",
        "/approvals/{approval_id}",
    } <= set(schema["paths"])


def _db_class(stack: EmbeddedStack) -> str:
    import boto3

    rds = boto3.client("rds", region_name=stack.region)
    return str(rds.describe_db_instances(DBInstanceIdentifier=stack.primary_id)["DBInstances"][0]["DBInstanceClass"])
