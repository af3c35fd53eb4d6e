"""EmergencyScaleFunction on moto: the floor lease, idempotency per episode, guard rails, faults, bad input."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from autopilot.adapters import cloudwatch_service
from autopilot.errors import InvalidEventError
from autopilot.handlers import emergency_scale
from autopilot.operations import scale_out as scale_out_module
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from autopilot_cli.lambda_context import LocalLambdaContext
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import ecs_backends

from tests.helpers.aws_env import clear_settings_caches, settings_env
from tests.helpers.faults import FaultPlan, count_calls, inject
from tests.helpers.stack_state import set_running, set_target, table_items, target

EVENTS = Path(__file__).resolve().parents[2] / "events"
EVENT = json.loads((EVENTS / "alarm-cpu-emergency.json").read_text())


@pytest.fixture
def env(function_env: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return function_env("EmergencyScaleFunction")


def scale(event: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
    """Deliver an alarm event as AWS would: the alarm is in the event's state, since the event's transition."""
    mirror_alarm_state(event, "us-east-2")
    result: dict[str, Any] = emergency_scale.handler(event, context)
    return result


def episode(minutes_later: int) -> dict[str, Any]:
    event = copy.deepcopy(EVENT)
    changed = datetime.fromisoformat("2026-11-27T14:00:05+00:00") + timedelta(minutes=minutes_later)
    event["time"] = changed.isoformat().replace("+00:00", "Z")
    event["detail"]["state"]["timestamp"] = changed.isoformat()
    return event


def test_raises_the_floor_with_a_lease_and_an_audit_record(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    result = scale(EVENT, lambda_context)
    assert (result["action"], result["taken"], result["to_min"]) == ("raise_floor", True, 6)
    assert target(stack)["MinCapacity"] == 6 and target(stack)["MaxCapacity"] == 20
    [lease] = table_items(stack, "LEASE#")
    assert (lease["original_min"], lease["leased_min"]) == (3, 6)
    assert lease["expires_at"] == "2026-11-27T15:00:05Z"  # decision time = the event's time + 60 min
    [audit] = table_items(stack, "AUDIT#")
    assert audit["action"] == "raise_floor" and audit["taken"] is True
    assert audit["cost_impact"]["tasks_delta"] == 3
    assert float(audit["inputs"]["observed_cpu"]) == pytest.approx(95.1)


def test_one_episode_delivered_100_times_changes_min_capacity_once(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        results = [scale(EVENT, lambda_context) for _ in range(100)]
    assert registered.calls == 1
    assert target(stack)["MinCapacity"] == 6
    assert sum(1 for r in results if r.get("replayed")) == 99
    assert len(table_items(stack, "AUDIT#")) == 1


def test_flapping_alarm_is_held_to_the_hourly_limit(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with settings_env(monkeypatch, {"MAX_STEP": "1"}):
        taken = []
        for minute in range(0, 50, 10):  # five distinct episodes within the hour
            result = scale(episode(minute), lambda_context)
            taken.append(result["taken"])
            set_running(stack, target(stack)["MinCapacity"])  # the service follows the floor
    assert taken == [True, True, True, False, False]
    assert target(stack)["MinCapacity"] == 6
    blocked = [a for a in table_items(stack, "AUDIT#") if not a["taken"]]
    assert len(blocked) == 2 and all("flapping" in a["reason"] for a in blocked)


def test_throttling_is_retried(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with inject("application-autoscaling", "RegisterScalableTarget", FaultPlan(times=2), monkeypatch) as plan:
        result = scale(EVENT, lambda_context)
    assert plan.calls == 3 and result["taken"]
    assert target(stack)["MinCapacity"] == 6


def test_persistent_5xx_leaves_nothing_half_changed(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    plan = FaultPlan(code="InternalServiceException", status=500, times=None)
    with (
        inject("application-autoscaling", "RegisterScalableTarget", plan, monkeypatch),
        pytest.raises(Exception, match="reached max retries"),
    ):
        scale(EVENT, lambda_context)
    assert plan.calls >= 5  # retried by the shared policy before giving up
    assert target(stack)["MinCapacity"] == 3
    assert table_items(stack, "LEASE#") == []


def test_malformed_event_is_refused_and_changes_nothing(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    event = copy.deepcopy(EVENT)
    event["detail"]["state"]["value"] = "ON_FIRE"
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        with pytest.raises(InvalidEventError, match=r"detail\.state\.value"):
            scale(event, lambda_context)
        with pytest.raises(InvalidEventError, match="got a schedule event"):
            scale(json.loads((EVENTS / "schedule-sweeper.json").read_text()), lambda_context)
    assert registered.calls == 0
    assert table_items(stack, "AUDIT#") == [] and table_items(stack, "LEASE#") == []


def test_dry_run_records_but_changes_nothing(
    stack: EmbeddedStack, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    with settings_env(monkeypatch, {"DRY_RUN": "true"}):
        result = scale(EVENT, lambda_context)
    assert result["dry_run"] and not result["taken"] and result["to_min"] == 6
    assert target(stack)["MinCapacity"] == 3 and table_items(stack, "LEASE#") == []
    [audit] = table_items(stack, "AUDIT#")
    assert audit["dry_run"] is True and audit["taken"] is False


def test_rolling_back_deployment_is_not_scaled(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    # moto has no API to fail a deployment: set the circuit breaker's verdict on its model
    service = ecs_backends[DEFAULT_ACCOUNT_ID][stack.region].services[f"{stack.cluster}:{stack.service}"]
    service.deployments[0]["rolloutState"] = "FAILED"
    service.deployments[0]["rolloutStateReason"] = "ECS deployment circuit breaker: rolling back"
    result = scale(EVENT, lambda_context)
    assert result["action"] == "none" and "rolling back" in result["reason"]
    assert target(stack)["MinCapacity"] == 3


def test_at_max_asks_approval_then_raises_max_within_the_ceiling(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    set_running(stack, 20)
    proposal = scale(EVENT, lambda_context)
    assert proposal["needs_approval"] and not proposal["taken"] and proposal["to_max"] == 25
    assert target(stack)["MaxCapacity"] == 20
    rejected = scale({"trigger": EVENT, "approval": {"approved": False, "by": "sre"}}, lambda_context)
    assert rejected["action"] == "none" and target(stack)["MaxCapacity"] == 20
    approved = scale(
        {"trigger": EVENT, "decision": proposal, "approval": {"approved": True, "by": "sre"}}, lambda_context
    )
    assert approved["taken"] and target(stack)["MaxCapacity"] == 25
    set_target(stack, max_capacity=30)
    set_running(stack, 30)
    at_ceiling = scale({"trigger": episode(5), "approval": {"approved": True, "by": "sre"}}, lambda_context)
    assert at_ceiling["action"] == "none" and target(stack)["MaxCapacity"] == 30


def test_a_late_alarm_event_whose_alarm_is_ok_changes_nothing_and_says_why(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    mirror_alarm_state(EVENT, "us-east-2")
    recovered = json.loads((EVENTS / "alarm-cpu-recovered.json").read_text())
    mirror_alarm_state(recovered, "us-east-2")  # OK at 14:20:05; EventBridge retries the ALARM at 15:00
    with count_calls("application-autoscaling", "RegisterScalableTarget") as registered:
        result = emergency_scale.handler({"trigger": EVENT, "now": "2026-11-27T15:00:00Z"}, lambda_context)
    assert (result["action"], result["taken"]) == ("none", False)
    assert "late event" in result["reason"] and "is OK since 2026-11-27T14:20:05" in result["reason"]
    assert registered.calls == 0 and target(stack)["MinCapacity"] == 3 and table_items(stack, "LEASE#") == []


def test_an_event_of_an_older_transition_changes_nothing(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    mirror_alarm_state(EVENT, "us-east-2")
    mirror_alarm_state(episode(30), "us-east-2")  # in ALARM again since a later transition
    result = emergency_scale.handler(EVENT, lambda_context)
    assert result["action"] == "none" and "stale event" in result["reason"]
    assert target(stack)["MinCapacity"] == 3


def test_a_composite_alarm_is_read_with_its_type(monkeypatch: pytest.MonkeyPatch) -> None:
    """DescribeAlarms returns only metric alarms unless AlarmTypes names both (moto ignores AlarmTypes and has
    no PutCompositeAlarm, so CloudWatch's answer is stubbed here)."""
    asked: list[dict[str, Any]] = []
    composite = {"AlarmName": "c", "StateValue": "ALARM", "StateTransitionedTimestamp": datetime(2026, 11, 27, 14)}

    class CloudWatch:
        def describe_alarms(self, **kwargs: Any) -> dict[str, Any]:
            asked.append(kwargs)
            both = kwargs.get("AlarmTypes") == ["MetricAlarm", "CompositeAlarm"]
            return {"MetricAlarms": [], "CompositeAlarms": [composite] if both else []}

    seen = cloudwatch_service.describe_alarm(CloudWatch(), "c")  # type: ignore[arg-type]
    assert seen is not None and (seen.state, seen.composite) == ("ALARM", True)
    assert seen.transitioned_at == datetime(2026, 11, 27, 14, tzinfo=UTC)


@pytest.mark.parametrize("dry_run", [False, True], ids=["live", "dry-run"])
def test_a_duplicate_delivery_while_the_first_runs_answers_in_progress(
    dry_run: bool,
    stack: EmbeddedStack,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    lambda_context: LocalLambdaContext,
) -> None:
    monkeypatch.setenv("DRY_RUN", str(dry_run).lower())
    clear_settings_caches()
    mirror_alarm_state(EVENT, "us-east-2")
    entered, release = threading.Event(), threading.Event()
    observe = scale_out_module.observe_service

    def held_observe(*args: Any) -> Any:
        if threading.current_thread().name == "first":
            entered.set()
            assert release.wait(timeout=30)
        return observe(*args)

    monkeypatch.setattr(scale_out_module, "observe_service", held_observe)
    results: dict[str, dict[str, Any]] = {}
    first = threading.Thread(
        target=lambda: results.update(first=emergency_scale.handler(EVENT, lambda_context)), name="first"
    )
    first.start()
    assert entered.wait(timeout=30)
    duplicate = emergency_scale.handler(EVENT, LocalLambdaContext(function_name="test-function"))
    release.set()
    first.join(timeout=60)
    assert duplicate["in_progress"] is True and duplicate["taken"] is False
    busy = "this alarm episode is being handled by another run right now; this delivery changes nothing"
    assert (duplicate["action"], duplicate["dry_run"], duplicate["reason"]) == ("none", dry_run, busy)
    assert duplicate["summary"] == f"In progress: {busy}"
    assert results["first"]["taken"] is not dry_run and target(stack)["MinCapacity"] == (3 if dry_run else 6)


def test_a_retry_of_the_same_task_gets_the_first_answer_and_another_execution_a_replay(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    task = {"trigger": EVENT, "execution": "arn:aws:states:us-east-2:123456789012:execution:remediation:one"}
    first = scale(task, lambda_context)
    retried = scale(task, lambda_context)
    other = scale(
        task | {"execution": "arn:aws:states:us-east-2:123456789012:execution:remediation:two"}, lambda_context
    )
    assert first["taken"] is True and retried["taken"] is True and not retried.get("replayed")
    assert other["replayed"] is True and other["taken"] is False
    assert other["summary"] == f"Already handled this alarm episode; no new change. Earlier: {first['summary']}"
    assert other["action"] == "raise_floor" and other["to_min"] == 6  # the earlier answer, marked as replayed
    assert target(stack)["MinCapacity"] == 6 and len(table_items(stack, "AUDIT#")) == 1


def test_an_alarm_that_is_not_service_cpu_is_decided_on_the_measured_cpu(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    """The at-max alarm's datapoints are task counts, not CPU: at 40 % CPU nothing is raised."""
    at_max = copy.deepcopy(EVENT)
    at_max["detail"]["alarmName"] = "sensor-autopilot-at-max-capacity"
    at_max["resources"] = ["arn:aws:cloudwatch:us-east-2:123456789012:alarm:sensor-autopilot-at-max-capacity"]
    at_max["detail"]["state"]["reasonData"] = json.dumps({"recentDatapoints": [97.0], "threshold": 20.0})
    metric = at_max["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]
    metric |= {"namespace": "ECS/ContainerInsights", "name": "DesiredTaskCount"}
    boto3.client("cloudwatch", region_name="us-east-2").put_metric_data(
        Namespace="AWS/ECS",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": [
                    {"Name": "ClusterName", "Value": stack.cluster},
                    {"Name": "ServiceName", "Value": stack.service},
                ],
                "Timestamp": datetime.fromisoformat("2026-11-27T13:58:00+00:00"),
                "Value": 40.0,
            }
        ],
    )
    result = scale(at_max, lambda_context)
    assert (result["action"], result["cpu_used"]) == ("none", 40.0)
    assert "CloudWatch AWS/ECS CPUUtilization" in result["reason"] and "at or below the target" in result["reason"]
    assert target(stack)["MinCapacity"] == 3


def test_an_approval_applies_the_approved_proposal_only_while_it_holds(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    set_running(stack, 20)
    proposal = scale(EVENT, lambda_context)
    assert proposal["needs_approval"] and proposal["to_max"] == 25
    set_running(stack, 12)  # the load fell back while the operator read the message
    approved = scale(
        {"trigger": EVENT, "decision": proposal, "approval": {"approved": True, "by": "sre"}}, lambda_context
    )
    assert (approved["action"], approved["taken"]) == ("none", False)
    assert "no longer at MaxCapacity" in approved["reason"]
    assert target(stack)["MinCapacity"] == 3 and target(stack)["MaxCapacity"] == 20


def test_an_approval_without_the_proposal_it_approves_changes_nothing(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    set_running(stack, 20)
    result = scale({"trigger": EVENT, "approval": {"approved": True, "by": "sre"}}, lambda_context)
    assert result["action"] == "none" and "none came with it" in result["reason"]
    assert target(stack)["MaxCapacity"] == 20


def test_during_a_deployment_the_primary_deployments_tasks_are_counted(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    """3 new tasks (PRIMARY) and 3 old ones (ACTIVE, draining): the service reports 6 running, the step uses 3."""
    service = ecs_backends[DEFAULT_ACCOUNT_ID][stack.region].services[f"{stack.cluster}:{stack.service}"]
    primary = service.deployments[0] | {"desiredCount": 3, "runningCount": 3, "pendingCount": 0}
    old = primary | {"id": "ecs-svc/old", "status": "ACTIVE", "desiredCount": 0}
    service.deployments = [primary, old]
    service.running_count = 6
    result = scale(EVENT, lambda_context)
    assert (result["action"], result["to_min"]) == ("raise_floor", 6)  # 3 x 95.1/60 x 1.1 = 5.2 -> 6, not 11
    assert "on 3 running tasks" in result["reason"]


def put_alarm(name: str, service: str) -> dict[str, Any]:
    """An alarm in the account on a service's CPU, in ALARM as its event says."""
    boto3.client("cloudwatch", region_name="us-east-2").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "ClusterName", "Value": "sensor-app-cluster"}, {"Name": "ServiceName", "Value": service}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        Threshold=85.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    event = copy.deepcopy(EVENT)
    event["detail"]["alarmName"] = name
    event["resources"] = [f"arn:aws:cloudwatch:us-east-2:123456789012:alarm:{name}"]
    mirror_alarm_state(event, "us-east-2")
    return event


@pytest.mark.parametrize(
    ("name", "service", "why"),
    [
        ("billing-team-cpu", "sensor-app-service", "not one of this stack's"),
        ("sensor-autopilot-other-cpu", "billing-service", "not this stack's service"),
    ],
)
def test_an_alarm_of_another_stack_invoked_directly_is_refused(
    name: str, service: str, why: str, stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    result = emergency_scale.handler(put_alarm(name, service), lambda_context)
    assert (result["action"], result["taken"]) == ("none", False)
    assert why in result["reason"] and "refused" in result["reason"]
    assert target(stack)["MinCapacity"] == 3 and table_items(stack, "LEASE#") == []


def test_an_episode_is_remembered_for_24_hours_and_held_in_progress_no_longer_than_the_function_may_run(
    stack: EmbeddedStack, env: dict[str, str], lambda_context: LocalLambdaContext
) -> None:
    """Powertools stamps the idempotency record with the wall clock, so the record's times are read against it."""
    before = time.time()
    scale(EVENT, lambda_context)
    after = time.time()
    [record] = table_items(stack, "IDEMPOTENCY#emergency-scale")
    assert before - 1 <= int(record["ttl"]) - 24 * 3600 <= after + 1
    in_progress_until = int(record["in_progress_expiration"]) / 1000  # milliseconds
    deadline = time.time() + lambda_context.get_remaining_time_in_millis() / 1000  # the invocation's own deadline
    assert abs(in_progress_until - deadline) <= 1
