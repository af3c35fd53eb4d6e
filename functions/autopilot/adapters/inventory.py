"""What the stack runs, from the describe APIs: the snapshot the cost model prices.

The workload (service, task size, scalable target, RDS primary and replicas, load balancers) must be observed,
or the report is not made. The control plane is an estimate apart: if it cannot be listed, the report says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.errors import ObservationError
from autopilot.models.cost import (
    ControlPlaneInventory,
    DbInstanceInventory,
    Inventory,
    LambdaFunctionInventory,
    LoadBalancerInventory,
    ServiceInventory,
    ServicePoolSettings,
)
from autopilot.settings.cost import CostSettings

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricAlarmTypeDef
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.type_defs import TaskDefinitionTypeDef
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_rds.type_defs import DBInstanceTypeDef

    from autopilot.adapters.clients import AwsClients

HIGH_RESOLUTION_PERIOD = 60
POOL_VARIABLES = ("DB_CONNECTION_BUDGET", "MAX_TASKS", "WEB_CONCURRENCY", "DB_POOL_SIZE")


def _scalable_target(aas: ApplicationAutoScalingClient, settings: CostSettings) -> tuple[int | None, int | None]:
    targets = aas.describe_scalable_targets(
        ServiceNamespace="ecs",
        ResourceIds=[settings.scalable_resource_id],
        ScalableDimension="ecs:service:DesiredCount",
    )["ScalableTargets"]
    if not targets:
        return None, None
    return int(targets[0]["MinCapacity"]), int(targets[0]["MaxCapacity"])


def pool_settings(task_def: TaskDefinitionTypeDef) -> ServicePoolSettings:
    """The sensor API's connection settings from the first container that sets any (non-numbers are ignored)."""
    for container in task_def.get("containerDefinitions", []):
        env = {item.get("name"): str(item.get("value", "")) for item in container.get("environment", [])}
        found = {name.lower(): int(env[name]) for name in POOL_VARIABLES if env.get(name, "").strip().isdigit()}
        if found:
            return ServicePoolSettings.model_validate(found)
    return ServicePoolSettings()


def service_inventory(ecs: ECSClient, aas: ApplicationAutoScalingClient, settings: CostSettings) -> ServiceInventory:
    try:
        found = ecs.describe_services(cluster=settings.cluster_name, services=[settings.service_name])
    except ecs.exceptions.ClusterNotFoundException as exc:
        raise ObservationError(
            f"ECS cluster {settings.cluster_name!r} not found; check CLUSTER_NAME (and the region). No report was made."
        ) from exc
    services = [s for s in found.get("services", []) if s.get("status") != "INACTIVE"]
    if not services:
        raise ObservationError(
            f"ECS service {settings.cluster_name}/{settings.service_name} not found; "
            "check CLUSTER_NAME and SERVICE_NAME. No report was made."
        )
    svc = services[0]
    task_def = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
    if not task_def.get("cpu") or not task_def.get("memory"):
        raise ObservationError(
            f"task definition {svc['taskDefinition']} has no task-level cpu/memory: only Fargate tasks are priced."
        )
    low, high = _scalable_target(aas, settings)
    strategy = svc.get("capacityProviderStrategy", [])
    return ServiceInventory(
        cluster=settings.cluster_name,
        service=settings.service_name,
        running_tasks=int(svc.get("runningCount", 0)),
        desired_tasks=int(svc.get("desiredCount", 0)),
        task_definition=str(task_def.get("taskDefinitionArn", svc["taskDefinition"])).rsplit("/", 1)[-1],
        vcpu=int(task_def["cpu"]) / 1024,
        memory_gb=int(task_def["memory"]) / 1024,
        architecture=(task_def.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64",
        min_capacity=low,
        max_capacity=high,
        target_group_arns=[lb["targetGroupArn"] for lb in svc.get("loadBalancers", []) if lb.get("targetGroupArn")],
        uses_spot=any(s.get("capacityProvider") == "FARGATE_SPOT" for s in strategy),
        pool_settings=pool_settings(task_def),
    )


def _db(instance: DBInstanceTypeDef, role: str) -> DbInstanceInventory:
    return DbInstanceInventory.model_validate(
        {
            "instance_id": instance["DBInstanceIdentifier"],
            "engine": instance["Engine"],
            "instance_class": instance["DBInstanceClass"],
            "multi_az": bool(instance.get("MultiAZ", False)),
            "storage_type": instance.get("StorageType", "gp2"),
            "allocated_gb": int(instance.get("AllocatedStorage", 0)),
            "iops": instance.get("Iops"),
            "role": role,
            "source_instance": instance.get("ReadReplicaSourceDBInstanceIdentifier"),
        }
    )


def database_inventory(rds: RDSClient, settings: CostSettings) -> tuple[list[DbInstanceInventory], list[str]]:
    """The primary and its read replicas (those in this region; others are named in the notes)."""
    if not settings.primary_db_instance_id:
        return [], ["PRIMARY_DB_INSTANCE_ID is empty: no database priced"]
    try:
        primary = rds.describe_db_instances(DBInstanceIdentifier=settings.primary_db_instance_id)["DBInstances"][0]
    except rds.exceptions.DBInstanceNotFoundFault as exc:
        raise ObservationError(
            f"RDS instance {settings.primary_db_instance_id!r} not found; set PRIMARY_DB_INSTANCE_ID to the primary "
            "(or to an empty value for a stack without a database). No report was made."
        ) from exc
    replica_ids = list(primary.get("ReadReplicaDBInstanceIdentifiers", []))
    found = [_db(primary, "primary" if replica_ids else "standalone")]
    notes = []
    for replica_id in replica_ids:
        if replica_id.startswith("arn:"):
            notes.append(f"replica {replica_id} is in another region: not priced here")
            continue
        found.append(_db(rds.describe_db_instances(DBInstanceIdentifier=replica_id)["DBInstances"][0], "replica"))
    return found, notes


def load_balancer_inventory(
    elb: ElasticLoadBalancingv2Client, target_group_arns: list[str]
) -> tuple[list[LoadBalancerInventory], list[str]]:
    """The service's load balancers (through its target groups); without target groups, every one in the region."""
    notes = []
    if target_group_arns:
        groups = elb.describe_target_groups(TargetGroupArns=target_group_arns)["TargetGroups"]
        arns = sorted({arn for group in groups for arn in group.get("LoadBalancerArns", [])})
        found = elb.describe_load_balancers(LoadBalancerArns=arns)["LoadBalancers"] if arns else []
    else:
        found = [lb for page in elb.get_paginator("describe_load_balancers").paginate() for lb in page["LoadBalancers"]]
        notes.append("the service names no target group: every load balancer in the region is counted")
    balancers = [
        LoadBalancerInventory(
            name=lb["LoadBalancerName"], type=lb.get("Type", "application"), scheme=lb.get("Scheme", "")
        )
        for lb in found
    ]
    return balancers, notes


def _functions(lam: LambdaClient, names: list[str]) -> tuple[list[LambdaFunctionInventory], list[str]]:
    """The control plane's functions, by name (GetFunctionConfiguration on each: no ListFunctions, which would read
    every function's configuration in the account)."""
    found, notes = [], []
    for name in names:
        try:
            fn = lam.get_function_configuration(FunctionName=name)
        except lam.exceptions.ResourceNotFoundException:
            notes.append(f"control-plane function {name} not found: not counted")
            continue
        found.append(
            LambdaFunctionInventory(
                name=fn["FunctionName"],
                memory_mb=int(fn.get("MemorySize", 128)),
                architecture=(fn.get("Architectures") or ["x86_64"])[0],
            )
        )
    return found, notes


def _period(alarm: MetricAlarmTypeDef) -> int:
    if "Period" in alarm:
        return int(alarm["Period"])
    periods = [int(m["MetricStat"]["Period"]) for m in alarm.get("Metrics", []) if "MetricStat" in m]
    return min(periods, default=HIGH_RESOLUTION_PERIOD)


def control_plane_inventory(
    lam: LambdaClient, cloudwatch: CloudWatchClient, settings: CostSettings
) -> tuple[ControlPlaneInventory, list[str]]:
    """The stack's own functions, alarms and dashboards: its alarms and dashboard are named ``<stack>-...`` (the
    prefix the workflow's EventBridge rule matches too); other alarms in the region are counted apart, not priced.
    """
    stack = settings.owning_stack
    try:
        functions, notes = _functions(lam, settings.function_names)
        pages = list(cloudwatch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm", "CompositeAlarm"]))
        boards = [
            e["DashboardName"]
            for page in cloudwatch.get_paginator("list_dashboards").paginate()
            for e in page["DashboardEntries"]
        ]
    except (BotoCoreError, ClientError) as exc:
        return ControlPlaneInventory(stack_name=stack), [
            f"control plane not listed ({exc}); its estimate counts no alarm"
        ]
    every = [alarm for page in pages for alarm in page.get("MetricAlarms", [])]
    composites = [alarm for page in pages for alarm in page.get("CompositeAlarms", [])]
    metric_alarms = [a for a in every if str(a["AlarmName"]).startswith(f"{stack}-")]
    own_composites = [a for a in composites if str(a["AlarmName"]).startswith(f"{stack}-")]
    high = sum(1 for alarm in metric_alarms if _period(alarm) < HIGH_RESOLUTION_PERIOD)
    inventory = ControlPlaneInventory(
        stack_name=stack,
        functions=functions,
        standard_alarms=len(metric_alarms) - high,
        high_resolution_alarms=high,
        composite_alarms=len(own_composites),
        dashboards=sum(1 for name in boards if name == stack or name.startswith(f"{stack}-")),
        other_alarms=len(every) + len(composites) - len(metric_alarms) - len(own_composites),
    )
    return inventory, notes


def build_inventory(clients: AwsClients, settings: CostSettings) -> Inventory:
    service = service_inventory(clients.ecs, clients.autoscaling, settings)
    databases, db_notes = database_inventory(clients.rds, settings)
    balancers, lb_notes = load_balancer_inventory(clients.elbv2, service.target_group_arns)
    plane, plane_notes = control_plane_inventory(clients.lambda_, clients.cloudwatch, settings)
    notes = db_notes + lb_notes + plane_notes
    if service.uses_spot:
        notes.append("the service uses FARGATE_SPOT: its tasks are priced at on-demand rates (an upper bound)")
    return Inventory(
        region=settings.aws_region,
        service=service,
        databases=databases,
        load_balancers=balancers,
        control_plane=plane,
        notes=notes,
    )
