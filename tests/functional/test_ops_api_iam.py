"""Every AWS call OpsApiFunction makes on the stack in moto is allowed by its policy in the transformed
template, and every action its own statements grant is used (moto enforces no IAM: this is the check)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from autopilot.handlers import ops_api
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext
from autopilot_cli.template_model import load_template

from tests.functional.ops_events import AT, answer_of, rest_event
from tests.template.sam_transform import transformed_template

SERVICE_PREFIX = {"application-auto-scaling": "application-autoscaling", "sfn": "states"}


@pytest.fixture
def calls(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> Iterator[set[str]]:
    function_env("OpsApiFunction")
    seen: set[str] = set()

    def record(event_name: str, **_: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        seen.add(f"{SERVICE_PREFIX.get(service, service)}:{operation}")

    events = boto3._get_default_session()._session.get_component("event_emitter")  # type: ignore[attr-defined]
    events.register("before-call", record)
    yield seen
    events.unregister("before-call", record)


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    return {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}


def allowed_actions() -> set[str]:
    """Every action of the function's role, SAM's policy templates expanded."""
    role = transformed_template()["Resources"]["OpsApiFunctionRole"]["Properties"]
    return _actions([s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]])


def own_actions() -> set[str]:
    """The actions template.yaml's own ``Statement`` entries grant (not SAM's templates)."""
    policies = load_template()["Resources"]["OpsApiFunction"]["Properties"]["Policies"]
    return _actions([s for p in policies if "Statement" in p for s in p["Statement"]])


def call(event: dict[str, Any], ctx: LocalLambdaContext) -> tuple[int, Any]:
    return answer_of(ops_api.handler(event, ctx))


def exercise_every_route(ctx: LocalLambdaContext) -> None:
    scale = {"tasks": 6, "duration_minutes": 30, "reason": "load test", "client_token": "iam-token-1"}
    for method, path, body in (("GET", "/status", None), ("POST", "/scale", scale), ("GET", "/actions", None)):
        assert call(rest_event(method, path, body), ctx)[0] == 200
    status, proposal = call(
        rest_event("POST", "/database/instance-class", {"class": "db.t3.large", "reason": "cpu"}), ctx
    )
    assert status == 202
    later = AT + timedelta(minutes=1)
    assert (
        call(rest_event("POST", f"/approvals/{proposal['approval_id']}", {"decision": "approve"}, at=later), ctx)[0]
        == 200
    )


def exercise_a_workflow_approval(ctx: LocalLambdaContext) -> None:
    """Recorded with a token no execution waits on: the answer's SendTaskSuccess is refused (409)."""
    request = {
        "task_token": "no-such-token",
        "kind": "raise_max",
        "what": "raise the maximum",
        "timeout_seconds": 60,
        "now": AT.isoformat(),
    }
    recorded = ops_api.handler({"approval_request": request}, ctx)
    assert call(rest_event("GET", "/approvals"), ctx)[0] == 200
    later = AT + timedelta(seconds=30)
    status, body = call(
        rest_event("POST", f"/approvals/{recorded['approval_id']}", {"decision": "reject"}, at=later), ctx
    )
    assert status == 409 and "no longer waits" in body["detail"]


def test_every_call_is_granted_and_every_own_grant_is_used(
    stack: EmbeddedStack, calls: set[str], lambda_context: LocalLambdaContext
) -> None:
    exercise_every_route(lambda_context)
    exercise_a_workflow_approval(lambda_context)

    assert calls - allowed_actions() == set(), "calls OpsApiFunction makes that its policy does not allow"
    assert own_actions() - calls == set(), "actions granted to OpsApiFunction that it never uses"
