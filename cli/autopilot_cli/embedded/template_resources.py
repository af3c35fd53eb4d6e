"""Create what moto's CloudFormation leaves out, from template.yaml's own properties.

moto skips ``AWS::CloudWatch::Alarm`` and ``AWS::ApplicationAutoScaling::*`` silently; it creates an
``AWS::ECS::TaskDefinition`` without CPU, network mode, platform and roles, and an ``AWS::ECS::Service``
without its load balancer and network configuration. These functions create them with boto3 (in whatever AWS
boto3 points at) from the resolved template properties, so the template stays the single source of truth.

Order: physical IDs from a deployed stack or ``bind_workload`` → ``create_task_definition`` and
``create_service`` if needed → ``create_autoscaling`` (records the policies' ARNs, which alarm actions refer
to) → ``create_alarms``.
"""

from __future__ import annotations

from typing import Any

from autopilot_cli.embedded.harness_clients import harness_clients
from autopilot_cli.embedded.template_intrinsics import properties, resources_of_type
from autopilot_cli.template_model import Resolver, TemplateError

ALARM_TYPE = "AWS::CloudWatch::Alarm"
TARGET_TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
POLICY_TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
SERVICE_TYPE = "AWS::ECS::Service"
TASK_DEFINITION_TYPE = "AWS::ECS::TaskDefinition"
_VERBATIM_KEYS = frozenset({"Options", "DockerLabels"})  # user-defined keys, not API field names


def _single(resolver: Resolver, resource_type: str) -> str:
    found = list(resources_of_type(resolver.template, resource_type))
    if len(found) != 1:
        raise TemplateError(f"expected exactly one {resource_type} in the template, found {len(found)}: {found}")
    return found[0]


def bind_workload(
    resolver: Resolver,
    *,
    cluster: str,
    service: str,
    load_balancer_arn: str,
    target_group_arn: str,
    primary: str,
    replica: str,
) -> None:
    """Record the workload's physical names under the template's logical IDs (what Ref/GetAtt return)."""
    template = resolver.template
    databases = resources_of_type(template, "AWS::RDS::DBInstance")
    replica_ids = [name for name, res in databases.items() if "SourceDBInstanceIdentifier" in res["Properties"]]
    primary_ids = [name for name in databases if name not in replica_ids]
    service_id = _single(resolver, SERVICE_TYPE)
    lb_id = _single(resolver, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    tg_id = _single(resolver, "AWS::ElasticLoadBalancingV2::TargetGroup")
    resolver.physical_ids.update(
        {
            _single(resolver, "AWS::ECS::Cluster"): cluster,
            service_id: f"arn:aws:ecs:{resolver.region}:{resolver.account}:service/{cluster}/{service}",
            lb_id: load_balancer_arn,
            tg_id: target_group_arn,
            **dict.fromkeys(primary_ids, primary),
            **dict.fromkeys(replica_ids, replica),
        }
    )
    resolver.attributes.update(
        {
            f"{service_id}.Name": service,
            f"{lb_id}.LoadBalancerFullName": load_balancer_arn.split(":loadbalancer/", 1)[-1],
            f"{tg_id}.TargetGroupFullName": target_group_arn.rsplit(":", 1)[-1],
        }
    )


def _camel(value: Any, verbatim: bool = False) -> Any:
    """CloudFormation's PascalCase property names as the ECS API's camelCase fields."""
    if isinstance(value, list):
        return [_camel(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        (key if verbatim else key[:1].lower() + key[1:]): _camel(item, key in _VERBATIM_KEYS)
        for key, item in value.items()
    }


def create_task_definition(resolver: Resolver) -> str:
    """Register the task definition with the template's properties; returns its ARN (what Ref returns)."""
    logical_id = _single(resolver, TASK_DEFINITION_TYPE)
    props = properties(resolver, logical_id)
    if props is None:
        raise TemplateError(f"{logical_id} has a false Condition: there is no task definition to register")
    request = {key: value for key, value in _camel(props).items() if key not in ("tags",)}
    ecs = harness_clients(resolver.region).ecs
    arn = str(ecs.register_task_definition(**request)["taskDefinition"]["taskDefinitionArn"])
    resolver.physical_ids[logical_id] = arn
    return arn


def create_service(resolver: Resolver) -> str:
    """Create the ECS service with the template's properties; returns its ARN (what Ref returns)."""
    logical_id = _single(resolver, SERVICE_TYPE)
    props = properties(resolver, logical_id)
    if props is None:
        raise TemplateError(f"{logical_id} has a false Condition: there is no service to create")
    network = props["NetworkConfiguration"]["AwsvpcConfiguration"]
    ecs = harness_clients(resolver.region).ecs
    service = ecs.create_service(
        cluster=props["Cluster"],
        serviceName=props["ServiceName"],
        taskDefinition=props["TaskDefinition"],
        desiredCount=props.get("DesiredCount", 1),  # ECS starts a service without DesiredCount at 1
        launchType=props.get("LaunchType", "FARGATE"),
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": network["Subnets"],
                "securityGroups": network["SecurityGroups"],
                "assignPublicIp": network.get("AssignPublicIp", "DISABLED"),
            }
        },
        loadBalancers=[
            {
                "targetGroupArn": lb["TargetGroupArn"],
                "containerName": lb["ContainerName"],
                "containerPort": lb["ContainerPort"],
            }
            for lb in props.get("LoadBalancers", [])
        ],
        deploymentConfiguration=_deployment_configuration(props.get("DeploymentConfiguration", {})),
        healthCheckGracePeriodSeconds=props.get("HealthCheckGracePeriodSeconds", 0),
    )["service"]
    arn = str(service["serviceArn"])
    resolver.physical_ids[logical_id] = arn
    resolver.attributes[f"{logical_id}.Name"] = props["ServiceName"]
    return arn


def _deployment_configuration(config: dict[str, Any]) -> Any:
    breaker = config.get("DeploymentCircuitBreaker", {})
    return {
        "deploymentCircuitBreaker": {
            "enable": breaker.get("Enable", False),
            "rollback": breaker.get("Rollback", False),
        },
        "maximumPercent": config.get("MaximumPercent", 200),
        "minimumHealthyPercent": config.get("MinimumHealthyPercent", 100),
    }


def create_autoscaling(resolver: Resolver) -> str:
    """Register the scalable target and put every scaling policy; returns the target's resource ID.

    Every property is resolved before the first call, so a template error changes nothing.
    """
    target_id = _single(resolver, TARGET_TYPE)
    target = properties(resolver, target_id)
    if target is None:
        raise TemplateError(f"{target_id} has a false Condition: there is no scalable target to register")
    key = {
        "ServiceNamespace": target["ServiceNamespace"],
        "ResourceId": target["ResourceId"],
        "ScalableDimension": target["ScalableDimension"],
    }
    # CloudFormation's Ref of a scalable target: "resource-id|dimension|namespace".
    target_ref = f"{key['ResourceId']}|{key['ScalableDimension']}|{key['ServiceNamespace']}"
    resolver.physical_ids[target_id] = target_ref
    policies = {
        policy_id: _policy_request(policy_id, props, key, target_ref)
        for policy_id in resources_of_type(resolver.template, POLICY_TYPE)
        if (props := properties(resolver, policy_id)) is not None
    }
    aas = harness_clients(resolver.region).autoscaling
    aas.register_scalable_target(**key, MinCapacity=target["MinCapacity"], MaxCapacity=target["MaxCapacity"])
    for policy_id, request in policies.items():
        resolver.physical_ids[policy_id] = str(aas.put_scaling_policy(**request)["PolicyARN"])
    return str(key["ResourceId"])


def _policy_request(policy_id: str, policy: dict[str, Any], key: dict[str, str], target_ref: str) -> dict[str, Any]:
    if policy.get("ScalingTargetId", target_ref) != target_ref:
        raise TemplateError(f"{policy_id} targets {policy['ScalingTargetId']!r}, not the template's scalable target")
    kinds: tuple[str, ...] = ("TargetTrackingScalingPolicyConfiguration", "StepScalingPolicyConfiguration")
    configs: dict[str, Any] = {name: policy[name] for name in kinds if name in policy}
    if len(configs) != 1:
        raise TemplateError(f"{policy_id} must have exactly one of the target-tracking or step configurations")
    return {"PolicyName": policy["PolicyName"], "PolicyType": policy["PolicyType"], **key, **configs}


_ALARM_KEYS = (
    "AlarmName",
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Metrics",
    "ThresholdMetricId",
)


def create_alarms(resolver: Resolver) -> list[str]:
    """Put every alarm of the template; returns their names. Needs ``create_autoscaling`` first (alarm actions).

    Every alarm is resolved and checked before the first call, so a template error creates no alarm.
    """
    requests: dict[str, dict[str, Any]] = {}
    for logical_id in resources_of_type(resolver.template, ALARM_TYPE):
        props = properties(resolver, logical_id)
        if props is None:
            continue
        if "AlarmName" not in props:
            raise TemplateError(f"{logical_id} has no AlarmName; the workflow routes alarms by name, so name it")
        unknown = sorted(set(props) - set(_ALARM_KEYS))
        if unknown:
            raise TemplateError(f"{logical_id} uses properties this emulator does not map: {', '.join(unknown)}")
        requests[logical_id] = props
    cloudwatch = harness_clients(resolver.region).cloudwatch
    for logical_id, props in requests.items():
        cloudwatch.put_metric_alarm(**props)
        name = str(props["AlarmName"])
        resolver.physical_ids[logical_id] = name
        resolver.attributes[f"{logical_id}.Arn"] = (
            f"arn:aws:cloudwatch:{resolver.region}:{resolver.account}:alarm:{name}"
        )
    return [str(props["AlarmName"]) for props in requests.values()]
