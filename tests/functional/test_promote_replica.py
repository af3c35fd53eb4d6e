"""PromoteReplicaFunction on the seed's stack in moto.

The embedded RDS finishes a promotion at once (autopilot_cli.embedded.rds_emulation; moto alone leaves the
source in place); a second call for the episode is answered from the audit trail, never promoted again.
test_promotion_safety.py covers a promotion RDS takes minutes to finish, and fencing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from autopilot.errors import InvalidEventError
from autopilot.handlers.promote_replica import handler
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_replica_check import (
    NOW,
    Faults,
    audit,
    load_event,
    primary_down,
    primary_up,
)
from tests.helpers.clients import clients, state_table

APPROVED = "replica-promote-approved.json"


def writer_host(stack: EmbeddedStack) -> str:
    ssm = clients(stack.region).ssm
    return str(ssm.get_parameter(Name=stack.writer_parameter)["Parameter"]["Value"])


def deployment_id(stack: EmbeddedStack) -> str:
    ecs = clients(stack.region).ecs
    service = ecs.describe_services(cluster=stack.cluster, services=[stack.service])["services"][0]
    return str(service["deployments"][0]["id"])


def replica_endpoint(stack: EmbeddedStack) -> str:
    rds = clients(stack.region).rds
    return str(
        rds.describe_db_instances(DBInstanceIdentifier=stack.replica_id)["DBInstances"][0]["Endpoint"]["Address"]
    )


def snapshot(stack: EmbeddedStack) -> tuple[str, str]:
    return writer_host(stack), deployment_id(stack)


def event(approval: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(load_event(APPROVED))
    if approval is not None:
        payload["approval"] = approval
    return payload | changes


def run(payload: Any, context: LocalLambdaContext) -> dict[str, Any]:
    return handler(payload, context)  # type: ignore[no-any-return]


def test_approved_promotion_repoints_the_service(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    before_host, before_deployment = snapshot(stack)
    result = run(event(), lambda_context)
    assert result["outcome"] == "promoted"
    assert result["promoted"] is True and result["taken"] is True
    assert result["steps_done"] == ["promote_replica", "update_writer_host", "force_new_deployment"]
    assert faults.calls["PromoteReadReplica"] == 1
    assert writer_host(stack) == replica_endpoint(stack) == result["new_writer_host"]
    assert result["previous_writer_host"] == before_host
    assert deployment_id(stack) != before_deployment
    steps = " ".join(result["operator_steps"])
    assert "Fence the old primary" in steps and "RDS Proxy" in steps and "new read replica" in steps
    actions = sorted(r.action for r in audit(stack))
    assert actions == sorted(["promote_replica", "update_writer_host", "force_new_deployment", "promotion_promoted"])
    approval = next(r for r in audit(stack) if r.action == "promote_replica").inputs["approval"]
    assert approval["by"] == "sre-on-call@example.com"


def test_a_second_call_for_the_same_episode_does_not_promote_twice(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    run(event(), lambda_context)
    after_first = snapshot(stack)
    again = run(event(), lambda_context)
    assert again["outcome"] == "already_promoted"
    assert again["taken"] is False and again["promoted"] is True
    assert faults.calls["PromoteReadReplica"] == 1
    assert faults.calls["UpdateService"] == 1
    assert snapshot(stack) == after_first


def test_another_episode_after_a_promotion_is_refused(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    run(event(), lambda_context)
    later = event()
    later["trigger"]["detail"]["Date"] = "2026-11-27T11:59:50Z"
    result = run(later, lambda_context)
    assert result["outcome"] == "refused"
    assert "already promoted" in " ".join(result["reasons"])
    assert faults.calls["PromoteReadReplica"] == 1


@pytest.mark.parametrize(
    ("mode", "approval", "why"),
    [
        ("recommend", {"approved": True, "by": "sre"}, "PROMOTION_MODE is recommend"),
        ("off", {"approved": True, "by": "sre"}, "PROMOTION_MODE is off"),
        ("approve", {"approved": False, "by": "lead"}, "not approved (answer by lead)"),
    ],
)
def test_modes_that_may_not_promote_change_nothing(
    promote_env: Callable[[str], None],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
    mode: str,
    approval: dict[str, Any],
    why: str,
) -> None:
    promote_env(mode)
    primary_down(stack)
    before = snapshot(stack)
    result = run(event(approval), lambda_context)
    assert result["outcome"] == "refused"
    assert why in result["summary"]
    assert faults.calls["PromoteReadReplica"] == 0
    assert snapshot(stack) == before
    assert [r.action for r in audit(stack)] == ["promotion_refused"]


def test_approve_mode_without_an_approval_is_refused(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    payload = event()
    del payload["approval"]
    result = run(payload, lambda_context)
    assert result["outcome"] == "refused"
    assert "no approval" in result["summary"]
    assert faults.calls["PromoteReadReplica"] == 0


def test_auto_mode_promotes_without_an_approval(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    payload = event()
    del payload["approval"]
    assert run(payload, lambda_context)["outcome"] == "promoted"
    assert writer_host(stack) == replica_endpoint(stack)


def test_checks_rerun_first_and_refuse_when_now_unsafe(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack, lag=120.0)
    before = snapshot(stack)
    result = run(event(), lambda_context)
    assert result["outcome"] == "refused"
    assert result["verdict"]["verdict"] == "promotion_unsafe"
    assert "MAX_REPLICA_LAG_SECONDS" in " ".join(result["reasons"])
    assert faults.calls["PromoteReadReplica"] == 0
    assert snapshot(stack) == before


def test_a_primary_that_is_up_is_never_replaced(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_up(stack)
    result = run(event(), lambda_context)
    assert result["outcome"] == "refused"
    assert result["verdict"]["verdict"] == "healthy"
    assert faults.calls["PromoteReadReplica"] == 0


def test_a_held_lock_means_one_promoter_at_a_time(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    table = state_table(stack.table_name)
    assert table.acquire_lock(f"promote#{stack.replica_id}", "someone-else", NOW, timedelta(minutes=15))
    result = run(event(), lambda_context)
    assert result["outcome"] == "refused"
    assert "another promotion holds lock" in result["summary"]
    assert faults.calls["PromoteReadReplica"] == 0


def test_dry_run_decides_and_changes_nothing(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    before = snapshot(stack)
    result = run(event(dry_run=True), lambda_context)
    assert result["outcome"] == "dry_run"
    assert result["dry_run"] is True
    assert replica_endpoint(stack) in result["summary"]
    assert faults.calls["PromoteReadReplica"] == 0
    assert snapshot(stack) == before


def test_promotion_failing_after_retries_changes_nothing_and_frees_the_lock(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    before = snapshot(stack)
    faults.fail("PromoteReadReplica")
    result = run(event(), lambda_context)
    assert result["outcome"] == "failed"
    assert "Nothing was changed" in result["summary"]
    assert faults.calls["PromoteReadReplica"] > 1  # retried
    assert snapshot(stack) == before
    faults.heal("PromoteReadReplica")
    assert run(event(), lambda_context)["outcome"] == "promoted"  # lock released, nothing recorded as done


def test_throttled_calls_are_retried_and_the_promotion_completes(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    faults.fail("PromoteReadReplica", times=2, throttle=True)
    faults.fail("PutParameter", times=1)
    faults.fail("UpdateService", times=1)
    result = run(event(), lambda_context)
    assert result["outcome"] == "promoted"
    assert (faults.calls["PromoteReadReplica"], faults.calls["PutParameter"], faults.calls["UpdateService"]) == (
        3,
        2,
        2,
    )
    assert writer_host(stack) == replica_endpoint(stack)


def test_a_step_failing_after_promotion_is_finished_by_the_next_call(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    before_host, before_deployment = snapshot(stack)
    faults.fail("PutParameter")
    partial = run(event(), lambda_context)
    assert partial["outcome"] == "partial"
    assert partial["promoted"] is True
    assert "update_writer_host failed" in partial["summary"]
    assert partial["operator_steps"]
    assert snapshot(stack) == (before_host, before_deployment)  # the later steps did not run
    faults.heal("PutParameter")
    resumed = run(event(), lambda_context)
    assert resumed["outcome"] == "resumed"
    assert resumed["earlier_steps"] == ["promote_replica"]
    assert resumed["steps_done"] == ["update_writer_host", "force_new_deployment"]
    assert faults.calls["PromoteReadReplica"] == 1
    assert writer_host(stack) == replica_endpoint(stack)
    assert deployment_id(stack) != before_deployment


@pytest.mark.parametrize(
    ("approval", "named"),
    [({"approved": "yes", "by": "sre"}, "approved"), ({"approved": True}, "by")],
)
def test_a_malformed_approval_is_rejected_before_any_aws_call(
    promote_env: Callable[[str], None],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
    approval: dict[str, Any],
    named: str,
) -> None:
    promote_env("approve")
    with pytest.raises(InvalidEventError) as caught:
        run(event(approval), lambda_context)
    assert f"(approval: expected {{'approved': true|false, 'by': 'name'}}): approval.{named}" in str(caught.value)
    assert sum(faults.calls.values()) == 0
    assert audit(stack) == []


def test_an_unknown_event_is_rejected_before_any_aws_call(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    with pytest.raises(InvalidEventError, match="not one we accept"):
        run({"detail-type": "Nope", "source": "aws.nope"}, lambda_context)
    assert sum(faults.calls.values()) == 0
