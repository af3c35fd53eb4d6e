"""The transformed template deployed into moto's CloudFormation, plus what moto skips made from the same template.

Service, scalable target, policies, alarms, database pair and rules are then read back from the (emulated) AWS
APIs and compared with the seed's figures and the template. What is made outside the stack, and why: see
``tests/template/stack_in_moto.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from autopilot_cli.embedded.seed_stack import SEED_NAMES
from autopilot_cli.embedded.template_resources import (
    bind_workload,
    create_alarms,
    create_autoscaling,
    create_service,
    create_task_definition,
)
from autopilot_cli.template_model import Resolver, load_template
from moto import mock_aws
from moto.cloudformation.parsing import NULL_MODELS
from moto.events.models import EventPattern

from tests.template.conftest import TEMPLATE
from tests.template.sam_transform import transformed_template
from tests.template.stack_in_moto import ACCOUNT, IMAGE, MASTER_SECRET_ARN, REGION, STACK_NAME, deploy, moto_gaps

# moto lists a wait condition handle as unsupported each time it reads the stack; it has nothing to create.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS..CloudFormation..WaitConditionHandle")
CLUSTER = "sensor-app-cluster"
SERVICE = "sensor-app-service"
PRIMARY = "sensor-postgres-high-perf"
REPLICA = "sensor-postgres-high-perf-replica"
ROUTED_SUFFIXES = {
    "cpu-emergency",
    "at-max-capacity",
    "p99-latency",
    "5xx-rate",
    "replica-lag",
    "db-connections",
    "db-cpu",
    "db-free-storage",
}
OPS_SUFFIXES = {
    *(
        f"ops-{name}-errors-throttles"
        for name in (
            *("assess", "emergency-scale", "restore-capacity", "sweeper"),
            *("replica-check", "promote-replica", "cost-report", "notify"),
        )
    ),
    "ops-workflow-failures",
    "ops-sweeper-heartbeat",
}
ALARM_SUFFIXES = ROUTED_SUFFIXES | OPS_SUFFIXES
# samconfig.toml's prod: the scaling guide's names as parameters (empty ones derive from the stack name)
PARAMETERS = {"ImageUri": IMAGE, **SEED_NAMES}
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@dataclass
class Deployed:
    stack: dict[str, Any]
    physical: dict[str, str]
    outside: dict[str, dict[str, Any]]
    resolver: Resolver
    alarm_names: list[str]


def _client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]


def _bind(resolver: Resolver, physical: dict[str, str], secrets: dict[str, str]) -> None:
    """What the stack's Ref/GetAtt return for the resources made outside it (CloudFormation knows these)."""
    iam = _client("iam")
    replica = _client("rds").describe_db_instances(DBInstanceIdentifier=physical["ReplicaDatabase"])["DBInstances"]
    resolver.physical_ids.update(secrets)
    resolver.attributes.update(
        {
            "PrimaryDatabase.MasterUserSecret.SecretArn": MASTER_SECRET_ARN,
            "ReplicaDatabase.Endpoint.Address": replica[0]["Endpoint"]["Address"],
            "TaskExecutionRole.Arn": iam.get_role(RoleName=physical["TaskExecutionRole"])["Role"]["Arn"],
            "TaskRole.Arn": iam.get_role(RoleName=physical["TaskRole"])["Role"]["Arn"],
        }
    )
    bind_workload(
        resolver,
        cluster=physical["Cluster"],
        service=SERVICE,
        load_balancer_arn=physical["LoadBalancer"],
        target_group_arn=physical["TargetGroup"],
        primary=physical["PrimaryDatabase"],
        replica=physical["ReplicaDatabase"],
    )


@pytest.fixture(scope="module")
def deployed() -> Iterator[Deployed]:
    with pytest.MonkeyPatch.context() as env, moto_gaps():
        for name, value in FAKE_ENV.items():
            env.setenv(name, value)
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        with mock_aws():
            deployment = deploy(transformed_template(), PARAMETERS)
            cfn = _client("cloudformation")
            stack = cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
            summaries = cfn.list_stack_resources(StackName=STACK_NAME)["StackResourceSummaries"]
            physical = {item["LogicalResourceId"]: item["PhysicalResourceId"] for item in summaries}
            resolver = Resolver(
                load_template(TEMPLATE),
                stack_name=STACK_NAME,
                region=REGION,
                account=ACCOUNT,
                parameters=PARAMETERS,
                physical_ids=dict(physical),
            )
            _bind(resolver, physical, deployment.secrets)
            physical["TaskDefinition"] = create_task_definition(resolver)
            create_service(resolver)
            create_autoscaling(resolver)
            names = create_alarms(resolver)
            yield Deployed(stack, physical, deployment.outside, resolver, names)


def test_the_stack_is_created_with_every_resource_moto_supports(deployed: Deployed) -> None:
    assert deployed.stack["StackStatus"] == "CREATE_COMPLETE", deployed.stack.get("StackStatusReason")
    expected = {
        name
        for name, res in transformed_template()["Resources"].items()
        if name not in deployed.outside
        and res.get("Condition") not in ("HasCertificate", "HasNotificationEmail")
        and res["Type"] not in NULL_MODELS  # e.g. the listeners' wait handle: nothing to create, nothing listed
        and res["Type"] != "AWS::SecretsManager::SecretTargetAttachment"  # moto has none; it adds host and port
    }
    assert expected - set(deployed.physical) == set()


def test_outputs_name_the_api_the_dashboard_and_the_control_plane(deployed: Deployed) -> None:
    outputs = {item["OutputKey"]: item["OutputValue"] for item in deployed.stack["Outputs"]}
    assert outputs["ApiUrl"].startswith("http://") and outputs["ApiUrl"].endswith(".elb.amazonaws.com")
    assert outputs["DashboardUrl"].endswith(f"#dashboards:name={STACK_NAME}")
    assert outputs["StateMachineArn"] == deployed.physical["RemediationStateMachine"]
    assert outputs["NotificationTopicArn"] == deployed.physical["NotificationTopic"]
    assert outputs["ReportBucketName"] == deployed.physical["ReportBucket"]
    assert outputs["ClusterName"] == CLUSTER and outputs["ServiceName"] == SERVICE


def test_the_service_runs_behind_the_alb_in_private_subnets(deployed: Deployed) -> None:
    service = _client("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    assert service["launchType"] == "FARGATE"
    # moto's ECS keeps no deploymentConfiguration: the circuit breaker is checked in the template (test_meta).
    assert service["loadBalancers"] == [
        {"targetGroupArn": deployed.physical["TargetGroup"], "containerName": "sensor-api", "containerPort": 8000}
    ]
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert sorted(network["subnets"]) == sorted(
        [deployed.physical["PrivateSubnetA"], deployed.physical["PrivateSubnetB"]]
    )
    assert network["securityGroups"] == [deployed.physical["TaskSecurityGroup"]]
    assert network["assignPublicIp"] == "DISABLED"
    assert service["desiredCount"] == 1, "no DesiredCount in the template: ECS starts at 1, the scalable target owns it"


def test_the_task_definition_is_the_seeds_1_vcpu_2_gb_with_4_workers(deployed: Deployed) -> None:
    task = _client("ecs").describe_task_definition(taskDefinition=deployed.physical["TaskDefinition"])
    definition = task["taskDefinition"]
    assert (definition["cpu"], definition["memory"]) == ("1024", "2048")
    assert definition["runtimePlatform"]["cpuArchitecture"] == "X86_64"
    container = definition["containerDefinitions"][0]
    assert container["image"] == IMAGE
    env = {item["name"]: item["value"] for item in container["environment"]}
    replica_host = _client("rds").describe_db_instances(DBInstanceIdentifier=REPLICA)["DBInstances"][0]["Endpoint"]
    assert env["WEB_CONCURRENCY"] == "4"
    assert env["DB_CONNECTION_BUDGET"] == "300"
    assert env["MAX_TASKS"] == "30", "pools are sized for the capacity ceiling"
    assert env["DB_READ_HOST"] == replica_host["Address"]
    secrets = {item["name"]: item["valueFrom"] for item in container["secrets"]}
    assert secrets["DB_HOST"].endswith(f":parameter/{STACK_NAME}/db/writer-host")
    assert set(secrets) == {"DB_HOST", "DB_PASSWORD", "ADMIN_API_KEYS"}


def test_the_writer_host_parameter_starts_at_the_primary_endpoint(deployed: Deployed) -> None:
    value = _client("ssm").get_parameter(Name=f"/{STACK_NAME}/db/writer-host")["Parameter"]["Value"]
    primary = _client("rds").describe_db_instances(DBInstanceIdentifier=PRIMARY)["DBInstances"][0]
    assert value == primary["Endpoint"]["Address"]


def test_the_scalable_target_is_min_3_max_20(deployed: Deployed) -> None:
    targets = _client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert [(t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets] == [
        (f"service/{CLUSTER}/{SERVICE}", 3, 20)
    ]


def _policies() -> dict[str, dict[str, Any]]:
    found = _client("application-autoscaling").describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    return {policy["PolicyName"].removeprefix(f"{STACK_NAME}-"): policy for policy in found}


def test_target_tracking_on_cpu_60_requests_500_and_memory_80_with_the_seeds_cooldowns(deployed: Deployed) -> None:
    policies = _policies()
    lb_full = deployed.physical["LoadBalancer"].split(":loadbalancer/")[1]
    tg_full = deployed.physical["TargetGroup"].rsplit(":", 1)[1]
    expected = {
        "cpu-target": ("ECSServiceAverageCPUUtilization", 60.0, None),
        "requests-target": ("ALBRequestCountPerTarget", 500.0, f"{lb_full}/{tg_full}"),
        "memory-target": ("ECSServiceAverageMemoryUtilization", 80.0, None),
    }
    for name, (metric, target, label) in expected.items():
        config = policies[name]["TargetTrackingScalingPolicyConfiguration"]
        assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == metric
        assert config["PredefinedMetricSpecification"].get("ResourceLabel") == label
        assert (config["TargetValue"], config["ScaleOutCooldown"], config["ScaleInCooldown"]) == (target, 60, 180)


def test_the_step_policy_adds_half_the_tasks_at_least_two(deployed: Deployed) -> None:
    step = _policies()["cpu-emergency-step"]
    assert step["PolicyType"] == "StepScaling"
    config = step["StepScalingPolicyConfiguration"]
    assert config["AdjustmentType"] == "PercentChangeInCapacity"
    assert (config["MinAdjustmentMagnitude"], config["Cooldown"]) == (2, 60)
    assert config["StepAdjustments"] == [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 50}]


def _alarms() -> dict[str, dict[str, Any]]:
    found = _client("cloudwatch").describe_alarms(AlarmNamePrefix=f"{STACK_NAME}-")["MetricAlarms"]
    return {alarm["AlarmName"].removeprefix(f"{STACK_NAME}-"): alarm for alarm in found}


def test_every_control_plane_alarm_exists_with_the_stack_prefix(deployed: Deployed) -> None:
    assert set(_alarms()) == ALARM_SUFFIXES
    assert sorted(deployed.alarm_names) == sorted(f"{STACK_NAME}-{suffix}" for suffix in ALARM_SUFFIXES)


def test_the_cpu_emergency_alarm_fires_the_step_policy_at_85_percent(deployed: Deployed) -> None:
    alarm = _alarms()["cpu-emergency"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Threshold"]) == ("AWS/ECS", "CPUUtilization", 85.0)
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {"ClusterName": CLUSTER, "ServiceName": SERVICE}
    assert alarm["AlarmActions"] == [_policies()["cpu-emergency-step"]["PolicyARN"]]


def test_capacity_and_database_alarms_watch_our_resources(deployed: Deployed) -> None:
    alarms = _alarms()
    assert alarms["at-max-capacity"]["Threshold"] == 20.0
    assert {d["Value"] for d in alarms["replica-lag"]["Dimensions"]} == {REPLICA}
    assert {d["Value"] for d in alarms["db-cpu"]["Dimensions"]} == {PRIMARY}
    budget = next(query for query in alarms["db-connections"]["Metrics"] if query.get("Expression"))
    assert budget["Expression"] == "100 * connections / 300"
    assert alarms["db-connections"]["Threshold"] == 90.0


def test_the_primary_and_its_replica_are_the_seeds_database(deployed: Deployed) -> None:
    rds = _client("rds")
    primary = rds.describe_db_instances(DBInstanceIdentifier=PRIMARY)["DBInstances"][0]
    replica = rds.describe_db_instances(DBInstanceIdentifier=REPLICA)["DBInstances"][0]
    assert (primary["Engine"], primary["DBInstanceClass"]) == ("postgres", "db.t3.medium")
    assert (primary["AllocatedStorage"], primary["StorageType"], primary["StorageEncrypted"]) == (100, "gp3", True)
    assert "Iops" not in primary or primary["Iops"] in (None, 3000), "gp3 below 400 GiB takes no IOPS value"
    assert primary["ReadReplicaDBInstanceIdentifiers"] == [REPLICA]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == PRIMARY
    assert replica["DBInstanceClass"] == primary["DBInstanceClass"]
    group = deployed.physical["DatabaseParameterGroup"]
    assert [g["DBParameterGroupName"] for g in primary["DBParameterGroups"]] == [group]


def test_the_schedules_run_the_sweeper_every_5_minutes_the_digest_hourly_and_the_cost_report_daily(
    deployed: Deployed,
) -> None:
    events = _client("events")
    sweeper = events.describe_rule(Name=f"{STACK_NAME}-sweeper")
    digest = events.describe_rule(Name=f"{STACK_NAME}-notify-digest")
    cost = events.describe_rule(Name=f"{STACK_NAME}-cost-report")
    assert sweeper["ScheduleExpression"] == "rate(5 minutes)"
    assert digest["ScheduleExpression"] == "rate(1 hour)"
    assert cost["ScheduleExpression"] == "cron(0 6 * * ? *)"
    for rule, function in ((sweeper, "SweeperFunction"), (digest, "NotifyFunction"), (cost, "CostReportFunction")):
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        function_arn = _client("lambda").get_function(FunctionName=deployed.physical[function])["Configuration"]
        assert [target["Arn"] for target in targets] == [function_arn["FunctionArn"]]


def _state_change(alarm: dict[str, Any], state: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "00000000-0000-0000-0000-000000000000",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": "2026-11-27T14:00:05Z",
        "region": REGION,
        "resources": [alarm["AlarmArn"]],
        "detail": {"alarmName": alarm["AlarmName"], "state": {"value": state}, "previousState": {"value": "OK"}},
    }


def test_the_alarm_rule_sends_every_alarms_state_changes_to_the_workflow(deployed: Deployed) -> None:
    """The workload's alarms start the workflow; the control plane's own ("ops-") only notify the topic."""
    events = _client("events")
    rule = events.describe_rule(Name=f"{STACK_NAME}-alarm-state-change")
    pattern = EventPattern.load(rule["EventPattern"])
    for suffix, alarm in _alarms().items():
        for state in ("ALARM", "OK"):
            routed = pattern.matches_event(_state_change(alarm, state))
            assert routed == (suffix in ROUTED_SUFFIXES), f"{alarm['AlarmName']} {state}: routed is {routed}"
    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert [target["Arn"] for target in targets] == [deployed.physical["RemediationStateMachine"]]


def test_the_rds_rule_sends_events_of_both_instances_only(deployed: Deployed) -> None:
    rule = _client("events").describe_rule(Name=f"{STACK_NAME}-rds-instance-event")
    pattern = EventPattern.load(rule["EventPattern"])

    def event(instance: str) -> dict[str, Any]:
        return {
            "source": "aws.rds",
            "detail-type": "RDS DB Instance Event",
            "account": ACCOUNT,
            "region": REGION,
            "resources": [f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{instance}"],
            "detail": {
                "SourceIdentifier": f"rds:{instance}",
                "EventID": "RDS-EVENT-0031",
                "EventCategories": ["failure"],
            },
        }

    assert pattern.matches_event(event(PRIMARY)) and pattern.matches_event(event(REPLICA))
    assert not pattern.matches_event(event("someone-elses-db"))


def test_the_dashboard_shows_our_service_database_and_alarms(deployed: Deployed) -> None:
    body = json.loads(_client("cloudwatch").get_dashboard(DashboardName=STACK_NAME)["DashboardBody"])
    text = json.dumps(body)
    for name in (CLUSTER, SERVICE, PRIMARY, REPLICA, "EstimatedMonthlyCost", "RunningTaskCount", "ReplicaLag"):
        assert name in text, f"the dashboard does not show {name}"
    shown = {arn for widget in body["widgets"] for arn in widget["properties"].get("alarms", [])}
    assert shown == {alarm["AlarmArn"] for alarm in _alarms().values()}
