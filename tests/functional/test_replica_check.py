"""ReplicaCheckFunction on the seed's stack in moto, with the environment template.yaml gives it.

moto cannot put an RDS instance into a failed state, and DescribeDBInstances in moto never reports
StatusInfos: the tests that need those reach into moto's RDS backend (``set_instance``) and say so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from autopilot.errors import InvalidEventError
from autopilot.handlers.replica_check import handler
from autopilot.settings.replica import get_replica_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext
from moto.core import DEFAULT_ACCOUNT_ID
from moto.rds.models import rds_backends

from tests.helpers.aws_env import clear_settings_caches
from tests.helpers.clients import clients, state_table
from tests.helpers.faults import Faults

EVENTS = Path(__file__).resolve().parents[2] / "events"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())  # type: ignore[no-any-return]


def set_instance(stack: EmbeddedStack, instance_id: str, **attributes: Any) -> None:
    """Reach into moto's RDS backend for what its API cannot set (a failed status, StatusInfos)."""
    database = rds_backends[DEFAULT_ACCOUNT_ID][stack.region].databases[instance_id]
    for name, value in attributes.items():
        setattr(database, name, value)


def put_metric(stack: EmbeddedStack, metric: str, instance_id: str, values: list[float]) -> None:
    """One datapoint a minute, the last one a minute before NOW."""
    clients(stack.region).cloudwatch.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": instance_id}],
                "Timestamp": NOW - timedelta(minutes=len(values) - i),
                "Value": value,
            }
            for i, value in enumerate(values)
        ],
    )


def primary_down(stack: EmbeddedStack, lag: float | None = 2.0) -> None:
    """The primary failed: RDS says so; it has no connections (no datapoints); the replica lag is known."""
    set_instance(stack, stack.primary_id, status="failed")
    if lag is not None:
        put_metric(stack, "ReplicaLag", stack.replica_id, [lag, lag])


def primary_up(stack: EmbeddedStack, lag: float = 1.0) -> None:
    put_metric(stack, "DatabaseConnections", stack.primary_id, [40.0, 42.0, 41.0])
    put_metric(stack, "ReplicaLag", stack.replica_id, [lag])


def audit(stack: EmbeddedStack) -> list[Any]:
    return state_table(stack.table_name).recent_records(stack.replica_id, NOW - timedelta(days=1))


@pytest.fixture
def check_env(function_env: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return function_env("ReplicaCheckFunction")


def run(event: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
    return handler(event, context)  # type: ignore[no-any-return]


def test_template_env_reaches_the_settings(check_env: dict[str, str], stack: EmbeddedStack) -> None:
    settings = get_replica_settings()
    assert (settings.primary_db_instance_id, settings.replica_db_instance_id) == (stack.primary_id, stack.replica_id)
    assert settings.promotion_mode == check_env["PROMOTION_MODE"] == "recommend"
    assert settings.max_replica_lag_seconds == float(check_env["MAX_REPLICA_LAG_SECONDS"])


def test_healthy_pair(check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext) -> None:
    primary_up(stack)
    verdict = run(load_event("replica-check-manual.json"), lambda_context)
    assert verdict["verdict"] == "healthy"
    assert verdict["next_step"] == "none"
    assert verdict["lag_seconds"] == 1.0
    records = audit(stack)
    assert [r.action for r in records] == ["replica_check"]
    assert records[0].reason.startswith("healthy -> none")


def test_lagging_replica_with_the_primary_up(
    check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    primary_up(stack, lag=45.0)
    verdict = run(load_event("replica-check-manual.json"), lambda_context)
    assert verdict["verdict"] == "lagging"
    assert verdict["next_step"] == "notify"
    assert any("reads to the primary" in reason for reason in verdict["reasons"])


def test_failed_primary_in_recommend_mode_recommends_and_changes_nothing(
    check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    primary_down(stack)
    faults.calls.clear()  # count the handler's calls only
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_recommended"
    assert verdict["promotable"] is True
    assert verdict["mode"] == "recommend"
    assert verdict["next_step"] == "recommend"
    assert len(verdict["signals"]) == 3
    writes = {op for op in faults.calls if not op.startswith(("Describe", "Get", "Query"))}
    assert writes == {"PutItem"}  # the audit record, nothing else


def test_failed_primary_in_auto_mode_says_promote(
    check_env: dict[str, str],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROMOTION_MODE", "auto")
    clear_settings_caches()
    primary_down(stack)
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["next_step"] == "promote"


def test_failed_multi_az_primary_is_unsafe(
    check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    primary_down(stack)
    set_instance(stack, stack.primary_id, multi_az=True)
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_unsafe"
    assert "Multi-AZ" in verdict["summary"]


def test_replication_error_reported_by_rds_is_unsafe(
    check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    primary_down(stack)
    infos = [{"StatusType": "read replication", "Normal": False, "Status": "error", "Message": "WAL gap"}]
    set_instance(stack, stack.replica_id, status_infos=infos)
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_unsafe"
    assert "WAL gap" in verdict["summary"]


def test_unknown_lag_is_recommend_only(
    check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext
) -> None:
    primary_down(stack, lag=None)
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_recommended"
    assert verdict["promotable"] is False
    assert verdict["lag_seconds"] is None


def test_throttling_is_retried_and_the_check_completes(
    check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    primary_down(stack)
    faults.fail("DescribeDBInstances", times=2, throttle=True)
    faults.fail("GetMetricData", times=1)
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_recommended"
    assert faults.calls["DescribeDBInstances"] == 4  # primary: 2 throttled + 1, replica: 1
    assert faults.calls["GetMetricData"] == 2
    assert faults.backoffs == 3


def test_final_api_failure_means_cannot_observe_and_no_action(
    check_env: dict[str, str], stack: EmbeddedStack, lambda_context: LocalLambdaContext, faults: Faults
) -> None:
    primary_down(stack)
    faults.fail("DescribeDBInstances")
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_unsafe"
    assert verdict["observable"] is False
    assert verdict["next_step"] == "notify"
    assert "Cannot observe" in verdict["summary"]
    assert faults.calls["DescribeDBInstances"] > 1
    assert audit(stack)[0].reason.startswith("promotion_unsafe -> notify")


def test_a_wrong_instance_id_is_named(
    check_env: dict[str, str],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRIMARY_DB_INSTANCE_ID", "no-such-db")
    clear_settings_caches()
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["observable"] is False
    assert "no-such-db not found" in " ".join(verdict["reasons"])


@pytest.mark.parametrize(
    ("event", "named"),
    [
        ({"detail-type": "Something Else", "source": "aws.foo"}, "Something Else"),
        ({"detail-type": "RDS DB Instance Event", "source": "aws.rds", "detail": {}}, "detail.SourceType"),
        ({"trigger": {"source": "autopilot.manual"}, "now": "not a time"}, "now"),
        ([1, 2, 3], "JSON object"),
    ],
)
def test_malformed_and_unknown_events_are_rejected_without_any_aws_call(
    check_env: dict[str, str],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    faults: Faults,
    event: Any,
    named: str,
) -> None:
    with pytest.raises(InvalidEventError) as caught:
        handler(event, lambda_context)
    assert named in str(caught.value)
    assert sum(faults.calls.values()) == 0
    assert audit(stack) == []


def test_with_dry_run_the_verdict_carries_the_flag_and_asks_no_approval(
    check_env: dict[str, str],
    stack: EmbeddedStack,
    lambda_context: LocalLambdaContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROMOTION_MODE", "approve")
    monkeypatch.setenv("DRY_RUN", "true")
    clear_settings_caches()
    primary_down(stack)
    verdict = run(load_event("rds-primary-failure.json"), lambda_context)
    assert verdict["verdict"] == "promotion_recommended"
    assert (verdict["dry_run"], verdict["next_step"]) == (True, "recommend")
    assert any("no approval is requested" in reason for reason in verdict["reasons"])
