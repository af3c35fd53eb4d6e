"""PromoteReplicaFunction re-runs the checks itself when it applies: an approval, or a recommendation made
earlier, never promotes a replica the checks no longer recommend promoting at that moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from autopilot.handlers import replica_check
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext

from tests.functional.test_promote_replica import event, run, snapshot
from tests.functional.test_replica_check import (
    Faults,
    audit,
    load_event,
    primary_down,
    primary_up,
    set_instance,
)
from tests.helpers.aws_env import clear_settings_caches


@pytest.fixture
def approve_mode(function_env: Callable[[str], dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    function_env("PromoteReplicaFunction")
    monkeypatch.setenv("PROMOTION_MODE", "approve")
    clear_settings_caches()


def check_now(function_env: Callable[[str], dict[str, str]], context: LocalLambdaContext) -> dict[str, Any]:
    function_env("ReplicaCheckFunction")
    verdict: dict[str, Any] = replica_check.handler(load_event("rds-primary-failure.json"), context)
    return verdict


def test_an_approved_promotion_is_refused_when_the_lag_is_unknown_at_apply_time(
    approve_mode: None, stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    """The checks still say "promotion recommended" (the primary is down) but not promotable: with no lag
    datapoint, nobody knows what the replica would lose."""
    primary_down(stack, lag=None)
    before = snapshot(stack)
    result = run(event(), lambda_context)
    assert result["outcome"] == "refused" and result["taken"] is False
    assert result["verdict"]["verdict"] == "promotion_recommended"
    assert result["verdict"]["promotable"] is False
    assert result["reasons"][0] == "the checks, re-run now, say promotion_recommended"
    assert faults.calls["PromoteReadReplica"] == 0 and faults.calls["PutParameter"] == 0
    assert snapshot(stack) == before
    assert [r.action for r in audit(stack)] == ["promotion_refused"]


def test_a_recommendation_made_earlier_does_not_promote_once_the_primary_is_back(
    function_env: Callable[[str], dict[str, str]],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
    faults: Faults,
) -> None:
    primary_down(stack)
    assert check_now(function_env, lambda_context)["verdict"] == "promotion_recommended"
    set_instance(stack, stack.primary_id, status="available")  # the primary recovered before the approval applied
    primary_up(stack)
    function_env("PromoteReplicaFunction")
    monkeypatch.setenv("PROMOTION_MODE", "approve")
    clear_settings_caches()
    before = snapshot(stack)
    result = run(event(), lambda_context)
    assert result["outcome"] == "refused" and result["verdict"]["verdict"] == "healthy"
    assert faults.calls["PromoteReadReplica"] == 0 and snapshot(stack) == before
