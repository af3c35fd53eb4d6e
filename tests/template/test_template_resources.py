"""What moto skips, made from the template: intrinsics, conversions, and refusals that change nothing."""

from __future__ import annotations

import copy
import re
from typing import Any

import boto3
import pytest
from autopilot_cli.embedded.seed_stack import bind_control_plane
from autopilot_cli.embedded.template_intrinsics import condition_holds, resolve, typed
from autopilot_cli.embedded.template_resources import bind_workload, create_alarms, create_autoscaling
from autopilot_cli.template_model import Resolver, TemplateError, load_template

from tests.template.conftest import REGION, TEMPLATE

LB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/sensor-alb/50dc6c495c0c9188"
TG_ARN = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:targetgroup/sensor-tg/73e2d6bc24d8a067"


def _resolver(template: dict[str, Any], **parameters: str) -> Resolver:
    return Resolver(template, stack_name="sensor-autopilot", region=REGION, parameters=dict(parameters))


def _bound(parameters: dict[str, str] | None = None) -> Resolver:
    resolver = _resolver(copy.deepcopy(load_template(TEMPLATE)), **(parameters or {}))
    bind_workload(
        resolver,
        cluster="sensor-app-cluster",
        service="sensor-app-service",
        load_balancer_arn=LB_ARN,
        target_group_arn=TG_ARN,
        primary="sensor-postgres-high-perf",
        replica="sensor-postgres-high-perf-replica",
    )
    bind_control_plane(resolver)  # the control plane's own alarms watch its functions and state machine
    resolver.physical_ids["NotificationTopic"] = f"arn:aws:sns:{REGION}:123456789012:sensor-autopilot-notifications"
    return resolver


CONDITIONS: dict[str, Any] = {
    "Parameters": {
        "Mode": {"Type": "String", "Default": "create"},
        "Type": {"Type": "String", "Default": "gp3"},
        "Subnets": {"Type": "CommaDelimitedList", "Default": "subnet-1,subnet-2"},
    },
    "Conditions": {
        "Creates": {"Fn::Equals": [{"Ref": "Mode"}, "create"]},
        "Existing": {"Fn::Not": [{"Condition": "Creates"}]},
        "Provisioned": {"Fn::Or": [{"Fn::Equals": [{"Ref": "Type"}, "io1"]}, {"Fn::Equals": [{"Ref": "Type"}, "io2"]}]},
        "Both": {"Fn::And": [{"Condition": "Creates"}, {"Fn::Not": [{"Condition": "Provisioned"}]}]},
    },
    "Resources": {},
}


def test_conditions_are_evaluated_over_parameter_values() -> None:
    resolver = _resolver(CONDITIONS)
    assert condition_holds(resolver, "Creates") and not condition_holds(resolver, "Existing")
    assert not condition_holds(resolver, "Provisioned") and condition_holds(resolver, "Both")
    io1 = _resolver(CONDITIONS, Type="io1", Mode="existing")
    assert condition_holds(io1, "Provisioned") and condition_holds(io1, "Existing") and not condition_holds(io1, "Both")


def test_an_undefined_condition_is_named() -> None:
    with pytest.raises(TemplateError, match="'Nope' is used but not defined"):
        condition_holds(_resolver(CONDITIONS), "Nope")


def test_if_novalue_join_select_split_and_lists_resolve() -> None:
    resolver = _resolver(CONDITIONS)
    value = {
        "Subnets": {"Fn::If": ["Creates", {"Ref": "Subnets"}, ["other"]]},
        "Iops": {"Fn::If": ["Provisioned", 3000, {"Ref": "AWS::NoValue"}]},
        "Family": {"Fn::Join": ["", ["postgres", {"Fn::Select": [0, {"Fn::Split": [".", "16.6"]}]}]]},
    }
    assert resolve(resolver, value) == {"Subnets": ["subnet-1", "subnet-2"], "Family": "postgres16"}


def test_typed_gives_the_api_types_parameters_resolve_to_strings() -> None:
    converted = typed({"MinCapacity": "3", "TargetValue": "60", "ReturnData": "false", "Name": 7, "Items": ["1"]})
    assert converted == {"MinCapacity": 3, "TargetValue": 60.0, "ReturnData": False, "Name": 7, "Items": ["1"]}


def test_bind_workload_records_what_ref_and_getatt_return() -> None:
    resolver = _bound()
    assert resolver.get_att("LoadBalancer", "LoadBalancerFullName") == "app/sensor-alb/50dc6c495c0c9188"
    assert resolver.get_att("TargetGroup", "TargetGroupFullName") == "targetgroup/sensor-tg/73e2d6bc24d8a067"
    assert resolver.ref("PrimaryDatabase") == "sensor-postgres-high-perf"
    assert resolver.ref("ReplicaDatabase") == "sensor-postgres-high-perf-replica"
    assert resolver.get_att("Service", "Name") == "sensor-app-service"


@pytest.fixture
def service(aws: None) -> None:
    """The ECS service the scalable target scales (moto checks it exists)."""
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="sensor-app-cluster")
    ecs.create_service(cluster="sensor-app-cluster", serviceName="sensor-app-service", desiredCount=1)


def _alarm_names() -> list[str]:
    """Our alarms (target tracking creates and owns its own, named TargetTracking-...)."""
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    return [
        alarm["AlarmName"] for alarm in cloudwatch.describe_alarms(AlarmNamePrefix="sensor-autopilot-")["MetricAlarms"]
    ]


def test_alarms_before_the_scaling_policies_is_refused_and_creates_no_alarm(aws: None) -> None:
    with pytest.raises(TemplateError, match="CpuEmergencyStepPolicy"):
        create_alarms(_bound())
    assert _alarm_names() == []


def test_an_alarm_without_a_name_is_refused_and_creates_no_alarm(service: None) -> None:
    resolver = _bound()
    create_autoscaling(resolver)
    del resolver.template["Resources"]["DbCpuAlarm"]["Properties"]["AlarmName"]
    with pytest.raises(TemplateError, match="DbCpuAlarm has no AlarmName"):
        create_alarms(resolver)
    assert _alarm_names() == []


def test_an_alarm_property_the_emulator_cannot_map_is_named(service: None) -> None:
    resolver = _bound()
    create_autoscaling(resolver)
    resolver.template["Resources"]["DbCpuAlarm"]["Properties"]["Tags"] = [{"Key": "team", "Value": "sre"}]
    with pytest.raises(TemplateError, match="DbCpuAlarm uses properties this emulator does not map: Tags"):
        create_alarms(resolver)
    assert _alarm_names() == []


def test_a_policy_on_another_target_is_refused_and_registers_nothing(aws: None) -> None:
    resolver = _bound()
    resolver.template["Resources"]["MemoryTargetTrackingPolicy"]["Properties"]["ScalingTargetId"] = "elsewhere|x|ecs"
    with pytest.raises(TemplateError, match=re.escape("MemoryTargetTrackingPolicy targets 'elsewhere|x|ecs'")):
        create_autoscaling(resolver)
    targets = boto3.client("application-autoscaling", region_name=REGION).describe_scalable_targets(
        ServiceNamespace="ecs"
    )
    assert targets["ScalableTargets"] == []


def test_the_template_parameters_reach_the_scalable_target_and_alarms(service: None) -> None:
    resolver = _bound({"MinCapacity": "5", "MaxCapacity": "25", "EmergencyCpuPercent": "90"})
    assert create_autoscaling(resolver) == "service/sensor-app-cluster/sensor-app-service"
    create_alarms(resolver)
    target = boto3.client("application-autoscaling", region_name=REGION).describe_scalable_targets(
        ServiceNamespace="ecs"
    )["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (5, 25)
    alarms = boto3.client("cloudwatch", region_name=REGION).describe_alarms(
        AlarmNames=["sensor-autopilot-cpu-emergency", "sensor-autopilot-at-max-capacity"]
    )["MetricAlarms"]
    assert sorted(alarm["Threshold"] for alarm in alarms) == [25.0, 90.0]
