"""PromoteReplicaFunction on the seed's stack in moto: what each step writes to the audit trail, and the exact
summary an operator reads for each way a promotion ends (promoted, stopped before it began, failed, partial,
waiting for RDS, finished later, answered from the audit trail)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from autopilot.adapters.state_table import StateTable
from autopilot.logic.replica_promotion import operator_instructions
from autopilot_cli.embedded import rds_emulation
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_promote_replica import deployment_id, event, replica_endpoint, run, writer_host
from tests.functional.test_replica_check import NOW, audit, primary_down, primary_up, set_instance
from tests.helpers.aws_env import clear_settings_caches
from tests.helpers.clients import state_table
from tests.helpers.faults import Faults, on_call

APPROVAL = {"approved": True, "by": "sre-on-call@example.com", "comment": "primary storage failure confirmed"}


def by_action(stack: EmbeddedStack) -> dict[str, Any]:
    return {record.action: record for record in audit(stack)}


def approved_run_failing(
    operation: str,
    promote_env: Callable[[str], None],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
) -> dict[str, Any]:
    """An approved promotion of a primary that is down, with every ``operation`` call failing."""
    promote_env("approve")
    primary_down(stack)
    faults.fail(operation)
    return run(event(), lambda_context)


def assert_stopped_before_any_change(result: dict[str, Any], lead: str, what: str, faults: Faults) -> None:
    """The run stopped before its first step ("<lead>: <what> (<why>); nothing was changed.") and promoted nothing;
    its reason is the summary after the lead."""
    assert result["outcome"] == "failed" and result["steps_done"] == []
    assert result["summary"].startswith(f"{lead}: {what} (")
    assert result["summary"].endswith("); nothing was changed.")
    assert result["reasons"] == [result["summary"].removeprefix(f"{lead}: ")[:-1]]
    assert faults.calls["PromoteReadReplica"] == 0


def test_each_step_of_an_approved_promotion_is_recorded_with_what_it_changed(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    before = writer_host(stack)

    result = run(event(), lambda_context)

    host = replica_endpoint(stack)
    rds = boto3.client("rds", region_name=stack.region)
    replica = rds.describe_db_instances(DBInstanceIdentifier=stack.replica_id)["DBInstances"][0]
    created = replica["InstanceCreateTime"]
    assert result["summary"] == (
        f"Promoted {stack.replica_id}: writer host is now {host}; promote_replica, update_writer_host, "
        f"force_new_deployment done. Fence the old primary {stack.primary_id}."
    )
    assert (result["mode"], result["dry_run"], result["episode"]) == ("approve", False, audit(stack)[0].episode)
    assert (result["primary_id"], result["replica_id"]) == (stack.primary_id, stack.replica_id)
    assert result["operator_steps"] == operator_instructions(
        stack.primary_id, stack.replica_id, host, stack.writer_parameter, (None, None)
    )
    records = by_action(stack)
    assert records["promote_replica"].changes == {"promoted": stack.replica_id, "new_writer_host": host}
    assert records["update_writer_host"].changes == {
        "parameter": stack.writer_parameter,
        "from": before,
        "to": host,
        "version": 2,
    }
    assert records["force_new_deployment"].changes == {
        "cluster": stack.cluster,
        "service": stack.service,
        "deployment_id": deployment_id(stack),
    }
    for step in ("promote_replica", "update_writer_host", "force_new_deployment"):
        assert records[step].taken is True
        assert records[step].inputs["approval"] == APPROVAL and records[step].inputs["mode"] == "approve"
        assert datetime.fromisoformat(records[step].inputs["replica_created_at"]) == created
    outcome = records["promotion_promoted"]
    assert outcome.reason == result["summary"] and outcome.changes == {"steps_done": result["steps_done"]}
    assert outcome.inputs["approval"] == APPROVAL and outcome.inputs["mode"] == "approve"
    assert outcome.inputs["lag_seconds"] == 2.0 and outcome.inputs["signals"]


def test_auto_mode_records_no_approval(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    payload = event()
    del payload["approval"]
    run(payload, lambda_context)
    records = by_action(stack)
    assert records["promote_replica"].inputs["approval"] is None and records["promote_replica"].inputs["mode"] == "auto"
    assert records["promotion_promoted"].inputs["approval"] is None


def test_a_failed_pre_flight_read_stops_before_the_promotion_and_says_so(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    result = approved_run_failing("GetParameter", promote_env, stack, lambda_context, faults)

    assert_stopped_before_any_change(result, "Stopped before promote_replica", "pre-flight read failed", faults)
    assert result["operator_steps"] == []


def test_a_deleted_service_is_found_before_the_promotion(
    promote_env: Callable[[str], None],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    promote_env("approve")
    # the service the stack names (and its policy grants) was deleted: DescribeServices reports it missing
    boto3.client("ecs", region_name=stack.region).delete_service(
        cluster=stack.cluster, service=stack.service, force=True
    )
    primary_down(stack)

    result = run(event(), lambda_context)

    assert result["outcome"] == "failed" and "pre-flight read failed" in result["summary"]
    assert "is INACTIVE, not ACTIVE" in result["summary"] and "recreate the service" in result["summary"]
    assert faults.calls["PromoteReadReplica"] == 0


def test_a_failed_promotion_says_nothing_was_changed_and_gives_no_steps(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    result = approved_run_failing("PromoteReadReplica", promote_env, stack, lambda_context, faults)

    assert result["outcome"] == "failed"
    assert result["summary"].startswith(f"Promotion of {stack.replica_id} failed: ")
    assert result["summary"].endswith(". Nothing was changed.")
    assert result["reasons"] == [result["summary"]] and result["operator_steps"] == []
    assert "promote_replica" not in by_action(stack)
    assert by_action(stack)["promotion_failed"].reason == result["summary"]


def test_a_step_failing_after_the_promotion_says_how_to_finish(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    result = approved_run_failing("UpdateService", promote_env, stack, lambda_context, faults)

    assert result["outcome"] == "partial"
    assert result["steps_done"] == ["promote_replica", "update_writer_host"]
    assert result["summary"].startswith(f"Promoted {stack.replica_id}, but force_new_deployment failed: ")
    assert result["summary"].endswith(
        ". Invoke this function again for the same episode to finish (it will not promote twice), or do the step "
        "by hand."
    )
    assert result["reasons"] == [result["summary"]]
    assert result["operator_steps"][1].startswith(f"The service now writes to {replica_endpoint(stack)} ")
    assert "force_new_deployment" not in by_action(stack)


def test_a_pre_flight_failure_when_finishing_still_gives_the_operator_steps(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    faults.fail("PutParameter")
    assert run(event(), lambda_context)["outcome"] == "partial"
    faults.heal("PutParameter")
    faults.fail("GetParameter")

    result = run(event(), lambda_context)

    assert result["outcome"] == "failed"
    assert result["summary"].startswith("Stopped before update_writer_host: pre-flight read failed (")
    assert result["operator_steps"] == operator_instructions(
        stack.primary_id, stack.replica_id, replica_endpoint(stack), stack.writer_parameter, (None, None)
    )


def test_waiting_for_rds_says_where_the_service_still_writes_and_which_look_this_is(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    rds_emulation.hold_promotions(stack.region)
    before = writer_host(stack)

    first = run(event(), lambda_context)

    assert first["summary"].startswith(
        f"Promoted {stack.replica_id}; RDS has not finished the promotion yet (its status is 'modifying', not "
        "'available'"
    )
    assert first["summary"].endswith(
        f"), so the service still writes to {before}. This episode's next call carries on (look 1)."
    )
    assert first["reasons"] == [first["summary"]]
    faults.fail("DescribeDBInstances")
    second = run(event(promotion=first), lambda_context)
    assert second["outcome"] == "waiting" and second["polls"] == 2
    assert "RDS has not finished the promotion yet (it could not be described (" in second["summary"]
    assert second["summary"].endswith("(look 2).")


def test_finishing_in_auto_mode_says_the_primary_was_fenced_earlier(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)
    rds_emulation.hold_promotions(stack.region)
    first = run(event(), lambda_context)
    set_instance(stack, stack.primary_id, status="available")  # it came back meanwhile: RDS can stop it
    rds_emulation.finish_promotions(stack.region)
    faults.fail("PutParameter")
    partial = run(event(promotion=first), lambda_context)
    assert partial["steps_done"] == ["fence_old_primary"] and partial["fenced"] is True
    faults.heal("PutParameter")

    done = run(event(), lambda_context)

    assert done["outcome"] == "resumed" and done["fenced"] is True
    assert done["summary"] == (
        f"Finished promoting {stack.replica_id}: writer host is now {replica_endpoint(stack)}; "
        f"update_writer_host, force_new_deployment done. The old primary {stack.primary_id} was stopped (fenced) "
        "earlier."
    )
    assert done["operator_steps"][0].startswith(f"The old primary {stack.primary_id} was stopped (fenced)")


def test_a_primary_that_cannot_be_stopped_is_recorded_as_a_failed_fence(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("auto")
    primary_down(stack)

    result = run(event(), lambda_context)

    fence = by_action(stack)["fence_old_primary"]
    assert fence.taken is False and fence.changes == {}
    assert fence.reason.startswith(
        f"fence_old_primary for episode {result['episode']} failed: could not stop {stack.primary_id}: "
    )
    assert result["fence_error"] in fence.reason
    assert fence.inputs["mode"] == "auto" and fence.inputs["replica_created_at"] is not None


def test_an_episode_already_promoted_is_answered_from_the_audit_trail(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack)
    first = run(event(), lambda_context)

    again = run(event(), lambda_context)

    host = replica_endpoint(stack)
    assert again["summary"] == f"{stack.replica_id} was already promoted for this episode at {NOW.isoformat()}."
    assert again["new_writer_host"] == host and again["earlier_steps"] == first["steps_done"]
    assert again["steps_done"] == [] and again["fenced"] is None
    assert again["operator_steps"] == operator_instructions(
        stack.primary_id, stack.replica_id, host, stack.writer_parameter, (None, None)
    )
    assert by_action(stack)["promotion_already_promoted"].reason == again["summary"]


def test_an_unreadable_audit_trail_changes_nothing(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    result = approved_run_failing("Query", promote_env, stack, lambda_context, faults)

    assert_stopped_before_any_change(result, "Did not promote", "cannot read the audit trail", faults)


def test_a_refusal_names_the_replica_and_the_first_reason(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_down(stack, lag=120.0)

    result = run(event(), lambda_context)

    assert result["reasons"][0] == "the checks, re-run now, say promotion_unsafe"
    assert result["reasons"][1:] == result["verdict"]["reasons"] and result["reasons"][1:]
    assert result["summary"] == f"Did not promote {stack.replica_id}: the checks, re-run now, say promotion_unsafe."
    refused = by_action(stack)["promotion_refused"]
    assert refused.reason == result["summary"] and refused.inputs["mode"] == "approve"
    assert refused.inputs["lag_seconds"] == 120.0


def test_the_lock_is_taken_for_the_configured_time_and_released(
    promote_env: Callable[[str], None],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    promote_env("approve")
    monkeypatch.setenv("PROMOTION_LOCK_SECONDS", "420")
    clear_settings_caches()
    primary_down(stack)
    taken: list[tuple[str, str, timedelta]] = []
    acquire = StateTable.acquire_lock

    def spy(table: StateTable, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        taken.append((name, owner, ttl))
        return acquire(table, name, owner, now, ttl)

    monkeypatch.setattr(StateTable, "acquire_lock", spy)

    result = run(event(), lambda_context)

    [(name, owner, ttl)] = taken
    assert (name, ttl) == (f"promote#{stack.replica_id}", timedelta(seconds=420))
    assert owner.startswith(f"{result['episode']}#")
    assert state_table(stack.table_name).acquire_lock(name, "after", NOW, timedelta(minutes=1)), "released"


@pytest.mark.parametrize(
    ("mode", "fence"),
    [("approve", ""), ("auto", ", stop the old primary {primary}")],
)
def test_a_dry_run_says_exactly_what_it_would_do(
    promote_env: Callable[[str], None],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
    mode: str,
    fence: str,
) -> None:
    promote_env(mode)
    primary_down(stack)

    result = run(event(dry_run=True), lambda_context)

    assert result["summary"] == (
        f"Dry run: would promote {stack.replica_id}, set {stack.writer_parameter} to {replica_endpoint(stack)} and "
        f"force a new deployment{fence.format(primary=stack.primary_id)}. Nothing was changed."
    )
    assert (result["outcome"], result["new_writer_host"], result["steps_done"]) == (
        "dry_run",
        replica_endpoint(stack),
        [],
    )
    assert [r.action for r in audit(stack)] == ["promotion_dry_run"] and audit(stack)[0].dry_run is True


def test_a_healthy_pair_is_refused_with_the_checks_own_words(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    promote_env("approve")
    primary_up(stack)

    result = run(event(), lambda_context)

    verdict = result["verdict"]
    assert result["reasons"] == [
        "the checks, re-run now, say healthy",
        *(verdict["reasons"] or [verdict["summary"]]),
    ]


def test_a_replica_without_an_endpoint_yet_is_not_promoted(
    promote_env: Callable[[str], None], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    """RDS leaves Endpoint out of the description while it has not allocated one."""
    promote_env("approve")
    primary_down(stack)

    def without_endpoint(parsed: dict[str, Any], **_: Any) -> None:
        for instance in parsed.get("DBInstances", []):
            if instance["DBInstanceIdentifier"] == stack.replica_id:
                instance.pop("Endpoint", None)

    with on_call("rds", "DescribeDBInstances", without_endpoint, when="after"):
        result = run(event(), lambda_context)

    assert (result["outcome"], result["reasons"]) == ("refused", ["the replica has no endpoint address yet"])
    assert result["summary"] == f"Did not promote {stack.replica_id}: the replica has no endpoint address yet."
    assert result["verdict"]["verdict"] == "promotion_recommended"
    assert faults.calls["PromoteReadReplica"] == 0
