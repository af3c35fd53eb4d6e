"""PromoteReplicaFunction: the service is repointed only once RDS has finished the promotion, and in ``auto`` mode
the old primary is fenced (stopped), or the result says it could not be and what to do.

RDS takes minutes to promote (it reboots the replica); the embedded RDS finishes at once unless
``hold_promotions`` is in effect, then only at ``finish_promotions`` (see autopilot_cli.embedded.rds_emulation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from autopilot_cli.embedded import rds_emulation
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_promote_replica import (
    deployment_id,
    event,
    replica_endpoint,
    run,
    writer_host,
)
from tests.functional.test_replica_check import Faults, audit, primary_down, set_instance


def primary_status(stack: EmbeddedStack) -> str:
    rds = boto3.client("rds", region_name=stack.region)
    return str(rds.describe_db_instances(DBInstanceIdentifier=stack.primary_id)["DBInstances"][0]["DBInstanceStatus"])


def again(previous: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
    """The workflow's next call for the same episode: it passes the last promotion result along."""
    return run(event(promotion=previous), context)


def test_the_service_is_repointed_only_once_rds_has_finished_the_promotion(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    rds_emulation.hold_promotions(stack.region)
    before = (writer_host(stack), deployment_id(stack))

    first = run(event(), lambda_context)
    assert (first["outcome"], first["steps_done"], first["polls"]) == ("waiting", ["promote_replica"], 1)
    assert first["promoted"] is True and first["taken"] is True
    assert "RDS has not finished the promotion yet" in first["summary"] and "'modifying'" in first["summary"]
    second = again(first, lambda_context)
    assert (second["outcome"], second["steps_done"], second["polls"]) == ("waiting", [], 2)
    assert (writer_host(stack), deployment_id(stack)) == before, "repointed before RDS finished"
    assert (faults.calls["PutParameter"], faults.calls["UpdateService"]) == (0, 0)

    assert rds_emulation.finish_promotions(stack.region) == [stack.replica_id]
    done = again(second, lambda_context)
    assert done["outcome"] == "resumed"
    assert done["earlier_steps"] == ["promote_replica"]
    assert done["steps_done"] == ["update_writer_host", "force_new_deployment"]
    assert writer_host(stack) == replica_endpoint(stack) and deployment_id(stack) != before[1]
    assert again(done, lambda_context)["outcome"] == "already_promoted"
    assert (faults.calls["PromoteReadReplica"], faults.calls["PutParameter"], faults.calls["UpdateService"]) == (
        1,
        1,
        1,
    )
    assert faults.calls["StopDBInstance"] == 0, "approve mode leaves fencing to the operator"
    waiting = [r for r in audit(stack) if r.action == "promotion_waiting"]
    assert len(waiting) == 1 and not waiting[0].taken


def test_auto_mode_fences_the_old_primary_before_repointing_and_says_so(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    rds_emulation.hold_promotions(stack.region)
    first = run(event(), lambda_context)
    assert first["outcome"] == "waiting"
    set_instance(stack, stack.primary_id, status="available")  # the old primary came back meanwhile
    rds_emulation.finish_promotions(stack.region)

    done = again(first, lambda_context)

    assert done["steps_done"] == ["fence_old_primary", "update_writer_host", "force_new_deployment"]
    assert done["fenced"] is True and primary_status(stack) == "stopped"
    assert f"The old primary {stack.primary_id} was stopped (fenced)." in done["summary"]
    assert "was stopped (fenced)" in done["operator_steps"][0] and "7 days" in done["operator_steps"][0]
    (fence,) = [r for r in audit(stack) if r.action == "fence_old_primary"]
    assert fence.taken and fence.changes == {"stopped": stack.primary_id}
    again_result = again(done, lambda_context)
    assert again_result["outcome"] == "already_promoted" and again_result["fenced"] is True
    assert faults.calls["StopDBInstance"] == 1


def test_a_primary_that_cannot_be_stopped_is_reported_for_fencing_by_hand(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)  # 'failed': RDS refuses to stop it

    result = run(event(), lambda_context)

    assert result["outcome"] == "promoted"
    assert result["steps_done"] == ["promote_replica", "update_writer_host", "force_new_deployment"]
    assert result["fenced"] is False and "InvalidDBInstanceState" in str(result["fence_error"])
    assert f"Fencing the old primary {stack.primary_id} FAILED" in result["summary"]
    assert "fence it by hand" in result["summary"]
    assert "stop-db-instance" in result["operator_steps"][0] and "fence it by hand" in result["operator_steps"][0]
    assert writer_host(stack) == replica_endpoint(stack), "a primary that cannot be stopped does not block the repoint"
    (fence,) = [r for r in audit(stack) if r.action == "fence_old_primary"]
    assert not fence.taken and "could not stop" in fence.reason
    assert primary_status(stack) == "failed"


def test_dry_run_in_auto_mode_says_it_would_fence(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    result = run(event(dry_run=True), lambda_context)
    assert result["outcome"] == "dry_run"
    assert f"stop the old primary {stack.primary_id}" in result["summary"]
    assert faults.calls["StopDBInstance"] == 0 and faults.calls["PromoteReadReplica"] == 0
