"""ReplicaCheckFunction and PromoteReplicaFunction read the primary's pending maintenance actions
(DescribePendingMaintenanceActions, for the primary's ARN) and never promote while one is under way.

moto does not implement the call: the embedded RDS answers it from ``add_pending_maintenance``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import boto3
from autopilot_cli.embedded import rds_emulation
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_promote_replica import event
from tests.functional.test_promote_replica import run as promote
from tests.functional.test_replica_check import NOW, Faults, load_event, primary_down
from tests.functional.test_replica_check import run as check


def primary_arn(stack: EmbeddedStack) -> str:
    rds = boto3.client("rds", region_name=stack.region)
    return str(rds.describe_db_instances(DBInstanceIdentifier=stack.primary_id)["DBInstances"][0]["DBInstanceArn"])


def test_a_maintenance_action_under_way_on_the_primary_makes_promotion_unsafe(
    function_env: Callable[[str], dict[str, str]],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
) -> None:
    function_env("ReplicaCheckFunction")
    primary_down(stack)
    rds_emulation.add_pending_maintenance(
        stack.region, primary_arn(stack), "system-update", "New Operating System update is available",
        ForcedApplyDate=NOW - timedelta(hours=2),
    )  # fmt: skip

    verdict = check(load_event("rds-primary-failure.json"), lambda_context)

    assert verdict["verdict"] == "promotion_unsafe" and verdict["next_step"] == "notify"
    assert verdict["reasons"][0].startswith("pending maintenance event: system-update (New Operating System update")
    assert faults.calls["DescribePendingMaintenanceActions"] == 1


def test_maintenance_scheduled_for_later_does_not_stop_a_recommendation(
    function_env: Callable[[str], dict[str, str]], stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    function_env("ReplicaCheckFunction")
    primary_down(stack)
    rds_emulation.add_pending_maintenance(
        stack.region, primary_arn(stack), "db-upgrade", AutoAppliedAfterDate=NOW + timedelta(days=14)
    )
    verdict = check(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_recommended"
    rule = next(r for r in verdict["rules"] if r["rule"] == "primary.no_pending_maintenance")
    assert rule["outcome"] == "pass"


def test_the_promoter_rechecks_maintenance_and_refuses(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    rds_emulation.add_pending_maintenance(
        stack.region, primary_arn(stack), "hardware-maintenance", OptInStatus="immediate"
    )
    result = promote(event(), lambda_context)
    assert result["outcome"] == "refused"
    assert "pending maintenance event: hardware-maintenance" in " ".join(result["reasons"])
    assert faults.calls["PromoteReadReplica"] == 0
