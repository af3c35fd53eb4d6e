"""``autopilot doctor``'s snapshot and checks on the embedded stack: all OK as the README configures it, and each
check failing when the stack is put in the state the scaling guide's troubleshooting table describes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import boto3
import pytest
from autopilot.models.records import Lease
from autopilot.settings.ops import get_ops_settings
from autopilot_cli.doctor.checks import run_checks
from autopilot_cli.doctor.model import CheckResult
from autopilot_cli.doctor.snapshot import collect
from autopilot_cli.embedded import scaling_activities
from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.helpers.clients import clients, state_table
from tests.helpers.stack_state import set_running, set_target

NOW = datetime.fromisoformat("2026-11-27T14:00:10+00:00")
Stack = EmbeddedStack


@pytest.fixture
def ops(stack: EmbeddedStack, function_env: Callable[[str], dict[str, str]]) -> Iterator[EmbeddedStack]:
    scaling_activities.install()
    function_env("OpsApiFunction")
    yield stack


def results(now: datetime = NOW) -> dict[str, CheckResult]:
    return {r.check: r for r in run_checks(collect(clients(), get_ops_settings(), "sensor-autopilot", now))}


def configure_pools(region: str, cluster: str, service: str, **env: str) -> None:
    """A new task definition revision with these container variables, as a deploy would make it."""
    ecs = boto3.client("ecs", region_name=region)
    arn = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["taskDefinition"]
    definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    keep = ("family", "containerDefinitions", "cpu", "memory", "networkMode", "requiresCompatibilities")
    request = {k: definition[k] for k in keep if k in definition}
    for container in request["containerDefinitions"]:
        merged = {e["name"]: e["value"] for e in container.get("environment", [])} | env
        container["environment"] = [{"name": k, "value": v} for k, v in merged.items()]
    new = ecs.register_task_definition(**request)["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster=cluster, service=service, taskDefinition=new)


def test_all_ok_as_the_readme_configures_the_stack(ops: Stack) -> None:
    found = results()
    assert {name: r.status for name, r in found.items() if r.status != "OK"} == {}
    budget = found["connection-budget"].evidence
    assert "8 connections per task (4 workers x 2): 160 at MaxCapacity 20, 240 at the ceiling 30" in budget
    assert "max_connections is at most 450" in budget


def test_the_guides_pools_fail_the_connection_budget_with_numbers_and_the_fix(ops: Stack) -> None:
    configure_pools(
        ops.region, ops.cluster, ops.service, DB_POOL_SIZE="25", MAX_TASKS="20", DB_CONNECTION_BUDGET="2000"
    )
    check = results()["connection-budget"]
    assert check.status == "FAIL"
    assert (
        "100 connections per task (4 workers x 25): 2,000 at MaxCapacity 20, 3,000 at the ceiling 30" in check.evidence
    )
    assert "max_connections is at most 450" in check.evidence
    assert "do not raise max_connections" in check.fix and "DB_CONNECTION_BUDGET=315" in check.fix


def test_suspended_scale_out_fails(ops: Stack) -> None:
    boto3.client("application-autoscaling", region_name=ops.region).register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=ops.resource_id,
        ScalableDimension="ecs:service:DesiredCount",
        SuspendedState={"DynamicScalingOutSuspended": True},
    )
    check = results()["scaling-suspended"]
    assert check.status == "FAIL" and "DynamicScalingOutSuspended" in check.evidence
    assert "DynamicScalingOutSuspended=false" in check.fix


def test_muted_alarm_actions_fail(ops: Stack) -> None:
    boto3.client("cloudwatch", region_name=ops.region).disable_alarm_actions(
        AlarmNames=["sensor-autopilot-cpu-emergency"]
    )
    check = results()["scaling-alarms"]
    assert check.status == "FAIL" and "sensor-autopilot-cpu-emergency" in check.fix


def test_refused_and_failed_activities_are_reported(ops: Stack) -> None:
    scaling_activities.record_activity(
        ops.region,
        ops.resource_id,
        NOW - timedelta(minutes=5),
        "Failed to set desired count to 21",
        status="Failed",
        cause="AccessDenied: not authorized to perform ecs:UpdateService",
    )
    check = results()["scaling-activities"]
    assert check.status == "FAIL" and "ecs:UpdateService" in check.evidence


def test_flapping_in_the_activity_history_warns(ops: Stack) -> None:
    for minutes, count in ((50, 6), (40, 3), (30, 6), (20, 3)):
        scaling_activities.record_activity(
            ops.region, ops.resource_id, NOW - timedelta(minutes=minutes), f"Setting desired count to {count}."
        )
    check = results()["flapping"]
    assert check.status == "WARN" and "2 out/in reversals" in check.evidence and "60 % to 70 %" in check.fix


def test_at_max_warns_and_at_the_ceiling_fails(ops: Stack) -> None:
    set_running(ops, 20)
    assert results()["at-max"].status == "WARN"
    set_target(ops, max_capacity=30)
    set_running(ops, 30)
    check = results()["at-max"]
    assert check.status == "FAIL" and "ceiling 30" in check.evidence


def test_a_floor_raised_by_hand_warns_and_an_expired_lease_fails(ops: Stack) -> None:
    set_target(ops, min_capacity=8)
    assert results()["floor-lease"].status == "WARN"
    lease = Lease(
        resource_id=ops.resource_id,
        original_min=3,
        leased_min=8,
        raised_at=NOW - timedelta(hours=2),
        expires_at=NOW - timedelta(hours=1),
        alarm_name="manual:sre",
        episode="ops|tok",
    )
    state_table(ops.table_name).put_lease(lease)
    check = results()["floor-lease"]
    assert check.status == "FAIL" and "is still 8 (was 3)" in check.evidence


def test_stickiness_warns_once_scaled_out(ops: Stack) -> None:
    set_running(ops, 8)
    check = results()["stickiness"]
    assert check.status == "WARN" and "StickySessions=false" in check.fix


def test_database_cpu_connections_and_replica_lag(ops: Stack) -> None:
    cw = boto3.client("cloudwatch", region_name=ops.region)
    for metric, instance, value in (
        ("CPUUtilization", ops.primary_id, 92.0),
        ("DatabaseConnections", ops.primary_id, 420.0),
        ("ReplicaLag", ops.replica_id, 40.0),
    ):
        cw.put_metric_data(
            Namespace="AWS/RDS",
            MetricData=[
                {
                    "MetricName": metric,
                    "Value": value,
                    "Timestamp": NOW - timedelta(minutes=2),
                    "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": instance}],
                }
            ],
        )
    found = results()
    assert (found["db-cpu"].status, found["db-connections"].status) == ("FAIL", "FAIL")
    assert "420 connections open of max_connections 450" in found["db-connections"].evidence
    assert found["replica-reads"].status == "WARN" and "lag 40 s > 5 s" in found["replica-reads"].evidence


def test_a_smaller_replica_fails_parity(ops: Stack) -> None:
    boto3.client("rds", region_name=ops.region).modify_db_instance(
        DBInstanceIdentifier=ops.replica_id, DBInstanceClass="db.t3.small", ApplyImmediately=True
    )
    check = results()["replica-parity"]
    assert check.status == "FAIL" and "db.t3.small" in check.evidence


def test_a_custom_scaling_role_warns(ops: Stack) -> None:
    aas = boto3.client("application-autoscaling", region_name=ops.region)
    key = {"ServiceNamespace": "ecs", "ResourceId": ops.resource_id, "ScalableDimension": "ecs:service:DesiredCount"}
    aas.deregister_scalable_target(**key)  # the role of a registered target is set when it is registered
    aas.register_scalable_target(
        **key, MinCapacity=3, MaxCapacity=20, RoleARN="arn:aws:iam::123456789012:role/hand-made-scaling"
    )
    check = results()["scaling-role"]
    assert check.status == "WARN" and "hand-made-scaling" in check.evidence


def test_a_slow_scaling_alarm_warns(ops: Stack) -> None:
    cw = boto3.client("cloudwatch", region_name=ops.region)
    [alarm] = cw.describe_alarms(AlarmNames=["sensor-autopilot-cpu-emergency"])["MetricAlarms"]
    keep = ("AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Threshold", "ComparisonOperator")
    cw.put_metric_alarm(**{k: alarm[k] for k in keep}, Period=300, EvaluationPeriods=3, DatapointsToAlarm=3)
    check = results()["metric-resolution"]
    assert check.status == "WARN" and "300 s period x 3 = 900 s" in check.evidence
