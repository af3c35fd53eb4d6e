"""Observe the stack once for the doctor (describe and metric APIs only: the doctor changes nothing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from autopilot.adapters.autoscaling import DIMENSION, NAMESPACE, describe_target
from autopilot.adapters.clients import AwsClients
from autopilot.adapters.cloudwatch_rds import RdsMetrics
from autopilot.adapters.ecs_service import describe_service
from autopilot.adapters.rds import RdsAdapter
from autopilot.adapters.state_table import StateTable
from autopilot.errors import ObservationError
from autopilot.models.replica import Datapoint, InstanceSnapshot
from autopilot.settings.ops import OpsSettings
from botocore.exceptions import BotoCoreError, ClientError

from autopilot_cli.doctor.model import Activity, AlarmView, DoctorSnapshot, PoolConfig

WINDOW = timedelta(minutes=10)
CPU_POLICY_METRIC = "ECSServiceAverageCPUUtilization"


def _latest(points: list[Datapoint]) -> float | None:
    return max(points, key=lambda p: p.at).value if points else None


def task_environment(clients: AwsClients, settings: OpsSettings) -> tuple[dict[str, str], str | None]:
    ecs = clients.ecs
    service = ecs.describe_services(cluster=settings.cluster_name, services=[settings.service_name])["services"][0]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    env = {e["name"]: e["value"] for c in definition["containerDefinitions"] for e in c.get("environment", [])}
    groups = [lb["targetGroupArn"] for lb in service.get("loadBalancers", []) if lb.get("targetGroupArn")]
    return env, groups[0] if groups else None


def _int(env: dict[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _pool(env: dict[str, str]) -> PoolConfig | None:
    workers = _int(env, "WEB_CONCURRENCY")
    if workers is None:
        return None
    return PoolConfig(
        workers=workers,
        budget=_int(env, "DB_CONNECTION_BUDGET"),
        max_tasks=_int(env, "MAX_TASKS"),
        pool_size=_int(env, "DB_POOL_SIZE"),
    )


def _stickiness(clients: AwsClients, target_group: str | None) -> bool | None:
    if target_group is None:
        return None
    attributes = clients.elbv2.describe_target_group_attributes(TargetGroupArn=target_group)["Attributes"]
    found = {a["Key"]: a["Value"] for a in attributes}
    return str(found.get("stickiness.enabled", "false")).lower() == "true"


def _scaling(clients: AwsClients, resource_id: str) -> tuple[dict[str, bool], str | None, float | None]:
    aas = clients.autoscaling
    target = aas.describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=[resource_id], ScalableDimension=DIMENSION
    )["ScalableTargets"][0]
    policies = aas.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=resource_id)["ScalingPolicies"]
    cpu_target = next(
        (
            float(p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"])
            for p in policies
            if p.get("TargetTrackingScalingPolicyConfiguration", {})
            .get("PredefinedMetricSpecification", {})
            .get("PredefinedMetricType")
            == CPU_POLICY_METRIC
        ),
        None,
    )
    suspended = {k: bool(v) for k, v in (target.get("SuspendedState") or {}).items()}
    return suspended, target.get("RoleARN"), cpu_target


def _activities(clients: AwsClients, resource_id: str) -> tuple[list[Activity] | None, str | None]:
    try:
        raw = clients.autoscaling.describe_scaling_activities(
            ServiceNamespace=NAMESPACE,
            ResourceId=resource_id,
            ScalableDimension=DIMENSION,
            IncludeNotScaledActivities=True,
        )["ScalingActivities"]
    except (ClientError, BotoCoreError, NotImplementedError) as exc:
        return None, str(exc)
    return [
        Activity(
            start=a["StartTime"],
            status=a["StatusCode"],
            description=a.get("Description", ""),
            cause=a.get("Cause", ""),
            not_scaled=[r["Code"] for r in a.get("NotScaledReasons", [])],
        )
        for a in raw
    ], None


def _alarms(clients: AwsClients, stack_name: str) -> list[AlarmView]:
    found: list[AlarmView] = []
    for page in clients.cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{stack_name}-"):
        found.extend(
            AlarmView(
                name=a["AlarmName"],
                state=a["StateValue"],
                actions_enabled=a.get("ActionsEnabled", True),
                period=a.get("Period"),
                datapoints_to_alarm=a.get("DatapointsToAlarm") or a.get("EvaluationPeriods"),
                metric=a.get("MetricName"),
            )
            for a in page.get("MetricAlarms", [])
        )
    return found


def _instance(rds: RdsAdapter, instance_id: str) -> InstanceSnapshot | None:
    try:
        return rds.describe_instance(instance_id)
    except ObservationError:
        return None


def _primary_cpu(clients: AwsClients, instance_id: str, now: datetime) -> float | None:
    stats = clients.cloudwatch.get_metric_statistics(
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": instance_id}],
        StartTime=now - WINDOW,
        EndTime=now,
        Period=60,
        Statistics=["Average"],
    )["Datapoints"]
    return float(max(stats, key=lambda d: d["Timestamp"])["Average"]) if stats else None


def collect(clients: AwsClients, settings: OpsSettings, stack_name: str, now: datetime) -> DoctorSnapshot:
    env, target_group = task_environment(clients, settings)
    suspended, role, cpu_target = _scaling(clients, settings.scalable_resource_id)
    activities, activities_error = _activities(clients, settings.scalable_resource_id)
    rds = RdsAdapter(clients.rds)
    connections, lag = RdsMetrics(clients.cloudwatch).pair_window(
        settings.primary_db_instance_id, settings.replica_db_instance_id, now - WINDOW, now
    )
    extra: dict[str, Any] = (
        {"read_max_lag": float(env["READ_MAX_LAG_SECONDS"])} if "READ_MAX_LAG_SECONDS" in env else {}
    )
    return DoctorSnapshot(
        now=now,
        service=describe_service(clients.ecs, settings.cluster_name, settings.service_name),
        target=describe_target(clients.autoscaling, settings.scalable_resource_id),
        suspended=suspended,
        scaling_role=role,
        alarms=_alarms(clients, stack_name),
        activities=activities,
        activities_error=activities_error,
        lease=StateTable(clients.table(settings.state_table_name)).get_lease(settings.scalable_resource_id),
        baseline_min=settings.baseline_min_capacity,
        capacity_ceiling=settings.capacity_ceiling,
        primary=_instance(rds, settings.primary_db_instance_id),
        replica=_instance(rds, settings.replica_db_instance_id),
        primary_cpu=_primary_cpu(clients, settings.primary_db_instance_id, now),
        primary_connections=_latest(connections),
        replica_lag=_latest(lag),
        pool=_pool(env),
        stickiness=_stickiness(clients, target_group),
        target_cpu=cpu_target,
        **extra,
    )
