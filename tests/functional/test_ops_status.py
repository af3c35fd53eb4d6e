"""GET /status's view on the seed's stack in moto: the alarms in ALARM, the database pair with the replica's latest
lag, the active lease, and what the tasks and database instances cost now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

import boto3
import pytest
from autopilot.models.records import Lease
from autopilot.operations.ops_status import collect_status
from autopilot.settings.ops import OpsSettings, get_ops_settings
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.functional.test_replica_check import set_instance
from tests.helpers.clients import clients, state_table
from tests.helpers.faults import on_call
from tests.helpers.stack_state import set_running

AT = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
TASK_HOUR = 0.04937  # one task of the seed's task definition, us-east-2
T3_MEDIUM_HOUR = 0.072


@pytest.fixture
def settings(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> OpsSettings:
    function_env("OpsApiFunction")
    return get_ops_settings()


def lag(settings: OpsSettings, points: list[tuple[int, float]]) -> None:
    """ReplicaLag datapoints, each ``minutes`` before AT."""
    boto3.client("cloudwatch", region_name=settings.aws_region).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "ReplicaLag",
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": settings.replica_db_instance_id}],
                "Timestamp": AT - timedelta(minutes=minutes),
                "Value": value,
            }
            for minutes, value in points
        ],
    )


def alarm(settings: OpsSettings, name: str, state: Literal["ALARM", "OK"], reason: str) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=settings.aws_region)
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=80.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)


def test_the_status_names_the_pair_and_the_replicas_latest_lag(settings: OpsSettings) -> None:
    lag(settings, [(3, 9.0), (2, 4.0), (20, 30.0)])

    status = collect_status(clients(), settings, AT)

    assert status["at"] == AT.isoformat()
    database = status["database"]
    assert database["primary"] == {
        "instance_id": settings.primary_db_instance_id,
        "status": "available",
        "instance_class": "db.t3.medium",
        "multi_az": False,
    }
    assert database["replica"] == {
        "instance_id": settings.replica_db_instance_id,
        "status": "available",
        "instance_class": "db.t3.medium",
    }
    assert database["replica_lag_seconds"] == 4.0
    assert database["replica_lag_at"] == (AT - timedelta(minutes=2)).isoformat()


def test_without_a_recent_lag_datapoint_the_lag_is_unknown(settings: OpsSettings) -> None:
    lag(settings, [(11, 5.0)])
    database = collect_status(clients(), settings, AT)["database"]
    assert (database["replica_lag_seconds"], database["replica_lag_at"]) == (None, None)


def test_only_alarms_in_alarm_are_listed_with_their_reason(settings: OpsSettings) -> None:
    alarm(settings, "sensor-app-cpu-high", "ALARM", "CPU 95 % for 3 minutes")
    alarm(settings, "sensor-app-calm", "OK", "all quiet")

    listed = collect_status(clients(), settings, AT)["alarms_in_alarm"]

    assert {"name": "sensor-app-cpu-high", "reason": "CPU 95 % for 3 minutes"} in listed
    assert "sensor-app-calm" not in [found["name"] for found in listed]


def test_the_cost_now_counts_running_tasks_and_both_instances(settings: OpsSettings) -> None:
    status = collect_status(clients(), settings, AT)

    hourly = 3 * TASK_HOUR + 2 * T3_MEDIUM_HOUR
    assert status["cost_now"] == {
        "tasks_hourly_usd": round(3 * TASK_HOUR, 4),
        "databases_hourly_usd": round(2 * T3_MEDIUM_HOUR, 4),
        "hourly_usd": round(hourly, 4),
        "monthly_usd": round(hourly * 730, 2),
        "covers": "running tasks and database instances on demand; the daily cost report has storage and ALB",
    }
    assert status["service"]["running"] == 3 and (status["target"]["min"], status["target"]["max"]) == (3, 20)
    assert status["leases"] == []


def test_a_multi_az_primary_costs_twice_and_an_unpriced_class_costs_nothing(
    settings: OpsSettings, stack: EmbeddedStack
) -> None:
    set_instance(stack, stack.primary_id, multi_az=True)
    set_instance(stack, stack.replica_id, db_instance_class="db.z9.unpriced")

    status = collect_status(clients(), settings, AT)

    assert status["database"]["primary"]["multi_az"] is True
    assert status["cost_now"]["databases_hourly_usd"] == round(2 * T3_MEDIUM_HOUR, 4)


def test_an_active_lease_is_shown(settings: OpsSettings, stack: EmbeddedStack) -> None:
    lease = Lease(
        resource_id=stack.resource_id,
        original_min=3,
        leased_min=8,
        raised_at=AT - timedelta(minutes=5),
        expires_at=AT + timedelta(minutes=25),
        alarm_name="manual:someone",
        episode="ops|tok-1",
    )
    state_table(settings.state_table_name).put_lease(lease)

    [shown] = collect_status(clients(), settings, AT)["leases"]

    assert (shown["original_min"], shown["leased_min"], shown["episode"]) == (3, 8, "ops|tok-1")
    assert shown["expires_at"] == lease.model_dump(mode="json")["expires_at"], "as JSON, like the rest of the view"


def test_a_composite_alarm_in_alarm_is_listed_too(settings: OpsSettings) -> None:
    """moto has no composite alarms: CloudWatch's answer gets one, as CloudWatch lists them, in CompositeAlarms."""
    composite = {"AlarmName": "sensor-app-degraded", "StateValue": "ALARM", "StateReason": "CPU and 5xx both high"}

    def with_composite(parsed: dict[str, Any], **_: Any) -> None:
        parsed["CompositeAlarms"] = [*parsed.get("CompositeAlarms", []), composite]

    with on_call("cloudwatch", "DescribeAlarms", with_composite, when="after"):
        listed = collect_status(clients(), settings, AT)["alarms_in_alarm"]

    assert {"name": "sensor-app-degraded", "reason": "CPU and 5xx both high"} in listed


def test_an_instance_described_without_its_engine_is_priced_as_postgres(settings: OpsSettings) -> None:
    def without_engine(parsed: dict[str, Any], **_: Any) -> None:
        for instance in parsed.get("DBInstances", []):
            instance.pop("Engine", None)

    with on_call("rds", "DescribeDBInstances", without_engine, when="after"):
        status = collect_status(clients(), settings, AT)

    assert status["cost_now"]["databases_hourly_usd"] == round(2 * T3_MEDIUM_HOUR, 4)


def test_the_monthly_figure_is_rounded_to_the_cent(settings: OpsSettings, stack: EmbeddedStack) -> None:
    set_running(stack, 10)

    cost = collect_status(clients(), settings, AT)["cost_now"]

    assert cost["tasks_hourly_usd"] == round(10 * TASK_HOUR, 4)
    assert cost["monthly_usd"] == 465.52  # (10 x 0.04937 + 2 x 0.072) x 730 = 465.5210
