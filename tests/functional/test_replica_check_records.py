"""ReplicaCheckFunction on the seed's stack in moto: the decision it records, a dry run's effect on the verdict,
and an audit trail it cannot read."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_replica_check import audit, load_event, primary_down, primary_up, run
from tests.helpers.aws_env import clear_settings_caches
from tests.helpers.faults import Faults

DRY_RUN_REASON = "dry run: nothing is promoted, so no approval is requested; this is a recommendation"


def test_the_check_is_recorded_as_a_decision_of_the_check_function(
    function_env: Callable[[str], dict[str, str]], stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    function_env("ReplicaCheckFunction")
    primary_down(stack)
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    [record] = audit(stack)
    assert (record.function, record.action, record.taken) == ("ReplicaCheckFunction", "replica_check", False)
    assert verdict["dry_run"] is False and verdict["next_step"] == "recommend"
    assert DRY_RUN_REASON not in verdict["reasons"]


@pytest.mark.parametrize(("mode", "asked"), [("auto", "promote"), ("approve", "request_approval")])
def test_a_dry_run_turns_a_promotion_or_an_approval_request_into_a_recommendation(
    function_env: Callable[[str], dict[str, str]],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    asked: str,
) -> None:
    function_env("ReplicaCheckFunction")
    monkeypatch.setenv("PROMOTION_MODE", mode)
    clear_settings_caches()
    primary_down(stack)
    assert run(load_event("rds-primary-failure.json"), lambda_context)["next_step"] == asked
    monkeypatch.setenv("DRY_RUN", "true")
    clear_settings_caches()

    verdict = run(load_event("rds-primary-failure.json"), lambda_context)

    assert (verdict["dry_run"], verdict["next_step"]) == (True, "recommend")
    assert verdict["reasons"][-1] == DRY_RUN_REASON
    assert audit(stack)[0].reason.startswith("promotion_recommended -> recommend")


def test_a_dry_run_leaves_a_verdict_that_asks_for_nothing_as_it_is_but_flagged(
    function_env: Callable[[str], dict[str, str]],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    function_env("ReplicaCheckFunction")
    monkeypatch.setenv("PROMOTION_MODE", "auto")
    monkeypatch.setenv("DRY_RUN", "true")
    clear_settings_caches()
    primary_up(stack, lag=45.0)

    verdict = run(load_event("replica-check-manual.json"), lambda_context)

    assert (verdict["verdict"], verdict["next_step"], verdict["dry_run"]) == ("lagging", "notify", True)
    assert DRY_RUN_REASON not in verdict["reasons"]


def test_an_audit_trail_that_cannot_be_read_means_the_pair_cannot_be_judged(
    function_env: Callable[[str], dict[str, str]],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
) -> None:
    function_env("ReplicaCheckFunction")
    primary_down(stack)
    faults.fail("Query")

    verdict = run(load_event("rds-primary-failure.json"), lambda_context)

    assert (verdict["verdict"], verdict["observable"], verdict["next_step"]) == ("promotion_unsafe", False, "notify")
    assert verdict["reasons"][0].startswith("cannot observe the database pair: cannot read the audit trail: ")
    assert faults.calls["PutItem"] == 1, "the verdict is still recorded"
