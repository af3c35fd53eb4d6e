"""The workflow waits for RDS to finish a promotion before the service is repointed: PromoteReplica answers
``waiting``, WaitForPromotion waits, and PromoteReplica is called again for the same episode, at most 40 times.

The embedded RDS holds a promotion while ``hold_promotions`` is in effect (RDS takes minutes); a hook before an
invocation finishes it, as RDS would between two looks.
"""

from __future__ import annotations

from typing import Any

from autopilot_cli.embedded import rds_emulation
from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from moto.core import DEFAULT_ACCOUNT_ID
from moto.rds.models import rds_backends

from tests.workflow import aws_state
from tests.workflow.conftest import Run, load_event
from tests.workflow.test_database_path import NOW, promotion_mode

MAX_LOOKS = 40  # RoutePromotion's bound in the ASL


def finish_on_look(stack: EmbeddedStack, look: int, primary_back: bool) -> Any:
    """Before the ``look``-th PromoteReplica invocation, RDS finishes the promotion (and, with ``primary_back``,
    the old primary is available again, so that it can be stopped)."""
    seen = {"calls": 0}

    def hook(logical_id: str, _payload: Any) -> None:
        if logical_id != "PromoteReplicaFunction":
            return
        seen["calls"] += 1
        if seen["calls"] == look:
            rds_emulation.finish_promotions(stack.region)
            if primary_back:
                rds_backends[DEFAULT_ACCOUNT_ID][stack.region].databases[stack.primary_id].status = "available"

    return hook


def outcomes(router: LambdaRouter) -> list[str]:
    return [str(c.result["outcome"]) for c in router.calls("PromoteReplicaFunction") if c.result]


def test_the_workflow_loops_until_rds_has_finished_then_repoints_once_and_fences(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    promotion_mode(router, "auto")
    aws_state.primary_down(stack, NOW, replica_lag=2.0)
    rds_emulation.hold_promotions(stack.region)
    router.before_invoke(finish_on_look(stack, 3, primary_back=True))
    writer_before = aws_state.writer_host(stack)

    result = run(load_event("workflow-rds-primary-failure.json"), now=NOW.isoformat())

    assert result.status == "SUCCEEDED", result.cause
    assert outcomes(router) == ["waiting", "waiting", "resumed"]
    states = result.entered_states()
    assert states.count("WaitForPromotion") == 2 and states.count("PromoteReplica") == 3
    assert states[-4:] == ["Succeeded", "Notify", "Finish", "Done"]
    promotion = result.output["promotion"]["output"]
    assert promotion["steps_done"] == ["fence_old_primary", "update_writer_host", "force_new_deployment"]
    assert aws_state.writer_host(stack) != writer_before
    assert aws_state.writer_host(stack) == aws_state.replica_endpoint(stack)
    taken = [r.action for r in aws_state.audit(stack, stack.replica_id) if r.taken]
    assert sorted(taken) == sorted(
        ["promote_replica", "fence_old_primary", "update_writer_host", "force_new_deployment"]
    )
    (message,) = aws_state.notifications(stack)
    assert f"The old primary {stack.primary_id} was stopped (fenced)" in message["message"]


def test_a_promotion_rds_never_finishes_fails_after_the_last_look_with_what_to_do(
    run: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    promotion_mode(router, "auto")
    aws_state.primary_down(stack, NOW, replica_lag=2.0)
    rds_emulation.hold_promotions(stack.region)
    writer_before = aws_state.writer_host(stack)

    result = run(load_event("workflow-rds-primary-failure.json"), now=NOW.isoformat(), timeout=240.0)

    assert (result.status, result.error) == ("FAILED", "RemediationStepFailed")
    assert outcomes(router) == ["waiting"] * MAX_LOOKS
    assert "PromotionNotFinished" in result.entered_states()
    assert aws_state.writer_host(stack) == writer_before, "never repointed to an instance RDS is still promoting"
    (message,) = aws_state.notifications(stack)
    assert "FAILED at PromoteReplica" in message["subject"]
    assert "invoke PromoteReplica again for the same episode" in message["message"]


def test_a_negative_promotion_poll_is_refused_before_any_step(
    workflow_input: Run, stack: EmbeddedStack, router: LambdaRouter
) -> None:
    envelope = {"trigger": load_event("workflow-rds-primary-failure.json"), "seconds": {"promotion_poll": -1}}

    result = workflow_input(envelope)

    assert (result.status, result.error) == ("FAILED", "InvalidInput")
    assert router.invocations == []
