"""Create the scaling guide's stack in whatever AWS boto3 points at (moto in-process or the embedded server).

Names and figures come from ``template.yaml``: its parameter defaults and its control-plane resources'
properties, so the embedded stack and the template cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import boto3

from autopilot_cli.embedded.template_resources import bind_workload, create_alarms, create_autoscaling
from autopilot_cli.template_model import Resolver, load_template

if TYPE_CHECKING:  # the stubs are a development dependency
    from mypy_boto3_ecs.type_defs import KeyValuePairTypeDef

STACK_NAME = "sensor-autopilot"
ACCOUNT = "123456789012"
REGION = "us-east-2"
CLUSTER = "sensor-app-cluster"
SERVICE = "sensor-app-service"
PRIMARY_DB = "sensor-postgres-high-perf"
REPLICA_DB = "sensor-postgres-high-perf-replica"


@dataclass
class EmbeddedStack:
    region: str
    account: str
    cluster: str
    service: str
    resource_id: str
    primary_id: str
    replica_id: str
    table_name: str
    topic_arn: str
    bucket: str
    writer_parameter: str
    load_balancer_arn: str
    target_group_arn: str
    subnets: list[str]
    security_group: str
    resolver: Resolver
    physical_ids: dict[str, str] = field(default_factory=dict)


def _param(resolver: Resolver, name: str, default: str) -> str:
    return resolver.parameters.get(name) or default


def _network(region: str) -> tuple[str, list[str], str]:
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{region}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    sg = ec2.create_security_group(GroupName="sensor-app", Description="sensor API tasks", VpcId=vpc)["GroupId"]
    return vpc, subnets, sg


def _control_plane(resolver: Resolver) -> dict[str, str]:
    """State table, topic, report bucket and writer parameter, from the template's own properties."""
    resources = resolver.template["Resources"]
    region = resolver.region
    table_props = resolver.resolve(resources["StateTable"]["Properties"])
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=table_props["TableName"],
        AttributeDefinitions=table_props["AttributeDefinitions"],
        KeySchema=table_props["KeySchema"],
        BillingMode=table_props["BillingMode"],
    )
    boto3.client("dynamodb", region_name=region).update_time_to_live(
        TableName=table_props["TableName"],
        TimeToLiveSpecification={
            "AttributeName": table_props["TimeToLiveSpecification"]["AttributeName"],
            "Enabled": True,
        },
    )
    topic_name = resolver.resolve(resources["NotificationTopic"]["Properties"]["TopicName"])
    topic_arn = boto3.client("sns", region_name=region).create_topic(Name=topic_name)["TopicArn"]
    bucket = resolver.resolve(resources["ReportBucket"]["Properties"]["BucketName"])
    s3 = boto3.client("s3", region_name=region)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})  # type: ignore[typeddict-item]
    param = resolver.resolve(resources["WriterHostParameter"]["Properties"]["Name"])
    return {
        "StateTable": table_props["TableName"],
        "NotificationTopic": topic_arn,
        "NotificationTopic.TopicName": topic_name,
        "ReportBucket": bucket,
        "WriterHostParameter": param,
    }


def _load_balancer(region: str, vpc: str, subnets: list[str], sg: str) -> tuple[str, str]:
    elb = boto3.client("elbv2", region_name=region)
    lb = elb.create_load_balancer(Name="sensor-app-alb", Subnets=subnets, SecurityGroups=[sg], Type="application")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(
        Name="sensor-app-tg", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip", HealthCheckPath="/healthz"
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(
        LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}]
    )
    return lb_arn, tg


def _container_environment(resolver: Resolver) -> list[KeyValuePairTypeDef]:
    """The pool settings the template gives the sensor API's container (the doctor reads them)."""
    values = {
        "WEB_CONCURRENCY": _param(resolver, "WorkersPerTask", "4"),
        "DB_CONNECTION_BUDGET": _param(resolver, "DbConnectionBudget", "300"),
        "MAX_TASKS": _param(resolver, "CapacityCeiling", "30"),
        "READ_MAX_LAG_SECONDS": _param(resolver, "ReadMaxLagSeconds", "5"),
    }
    return [{"name": name, "value": value} for name, value in values.items()]


def _target_group_attributes(resolver: Resolver, tg: str) -> None:
    """Stickiness and connection draining as the template's target group has them."""
    delay = _param(resolver, "DeregistrationDelaySeconds", "30")
    boto3.client("elbv2", region_name=resolver.region).modify_target_group_attributes(
        TargetGroupArn=tg,
        Attributes=[
            {"Key": "stickiness.enabled", "Value": _param(resolver, "StickySessions", "true")},
            {"Key": "deregistration_delay.timeout_seconds", "Value": delay},
        ],
    )


def _ecs(resolver: Resolver, subnets: list[str], sg: str, tg: str) -> None:
    region = resolver.region
    ecs = boto3.client("ecs", region_name=region)
    ecs.create_cluster(clusterName=CLUSTER)
    cpu, memory = _param(resolver, "TaskCpu", "1024"), _param(resolver, "TaskMemory", "2048")
    arch = _param(resolver, "TaskArchitecture", "X86_64")
    task_def = ecs.register_task_definition(
        family="sensor-api",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=cpu,
        memory=memory,
        runtimePlatform={"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},  # type: ignore[typeddict-item]
        containerDefinitions=[
            {
                "name": "sensor-api",
                "image": "public.ecr.aws/docker/library/python:3.13-slim",
                "essential": True,
                "portMappings": [{"containerPort": 8000}],
                "environment": _container_environment(resolver),
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    baseline = int(_param(resolver, "MinCapacity", "3"))
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=SERVICE,
        taskDefinition=task_def,
        desiredCount=baseline,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg]}},
        loadBalancers=[{"targetGroupArn": tg, "containerName": "sensor-api", "containerPort": 8000}],
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    _target_group_attributes(resolver, tg)
    # moto starts a service with 0 running tasks; an update sets running = desired, as a settled service is.
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=baseline)


def _database(resolver: Resolver, subnets: list[str], sg: str) -> str:
    region = resolver.region
    rds = boto3.client("rds", region_name=region)
    rds.create_db_subnet_group(
        DBSubnetGroupName="sensor-db", DBSubnetGroupDescription="sensor database", SubnetIds=subnets
    )
    storage_type = _param(resolver, "DbStorageType", "gp3")
    primary = rds.create_db_instance(
        DBInstanceIdentifier=PRIMARY_DB,
        DBInstanceClass=_param(resolver, "DbInstanceClass", "db.t3.medium"),
        Engine="postgres",
        EngineVersion="15.7",
        MasterUsername="sensor",
        ManageMasterUserPassword=True,
        AllocatedStorage=int(_param(resolver, "DbAllocatedStorage", "100")),
        MaxAllocatedStorage=int(_param(resolver, "DbMaxAllocatedStorage", "200")),
        StorageType=storage_type,
        StorageEncrypted=True,
        MultiAZ=False,
        DBSubnetGroupName="sensor-db",
        VpcSecurityGroupIds=[sg],
        BackupRetentionPeriod=7,
        EnablePerformanceInsights=True,
    )["DBInstance"]
    rds.create_db_instance_read_replica(
        DBInstanceIdentifier=REPLICA_DB,
        SourceDBInstanceIdentifier=PRIMARY_DB,
        DBInstanceClass=_param(resolver, "DbInstanceClass", "db.t3.medium"),
    )
    return str(primary["Endpoint"]["Address"]) if primary.get("Endpoint") else f"{PRIMARY_DB}.local"


def seed_stack(region: str = REGION, parameters: dict[str, str] | None = None) -> EmbeddedStack:
    """Create the whole seed stack; returns its names and a resolver for the functions' environment."""
    resolver = Resolver(
        load_template(), stack_name=STACK_NAME, region=region, account=ACCOUNT, parameters=dict(parameters or {})
    )
    vpc, subnets, sg = _network(region)
    ids = _control_plane(resolver)
    lb_arn, tg = _load_balancer(region, vpc, subnets, sg)
    _ecs(resolver, subnets, sg, tg)
    writer_host = _database(resolver, subnets, sg)
    resolver.physical_ids.update({k: v for k, v in ids.items() if "." not in k})
    resolver.attributes.update({k: v for k, v in ids.items() if "." in k})
    bind_workload(
        resolver,
        cluster=CLUSTER,
        service=SERVICE,
        load_balancer_arn=lb_arn,
        target_group_arn=tg,
        primary=PRIMARY_DB,
        replica=REPLICA_DB,
    )
    resource_id = create_autoscaling(resolver)  # the scalable target and the native policies, as the template says
    create_alarms(resolver)
    boto3.client("ssm", region_name=region).put_parameter(
        Name=ids["WriterHostParameter"], Value=writer_host, Type="String", Overwrite=True
    )
    return EmbeddedStack(
        region=region,
        account=ACCOUNT,
        cluster=CLUSTER,
        service=SERVICE,
        resource_id=resource_id,
        primary_id=PRIMARY_DB,
        replica_id=REPLICA_DB,
        table_name=ids["StateTable"],
        topic_arn=ids["NotificationTopic"],
        bucket=ids["ReportBucket"],
        writer_parameter=ids["WriterHostParameter"],
        load_balancer_arn=lb_arn,
        target_group_arn=tg,
        subnets=subnets,
        security_group=sg,
        resolver=resolver,
        physical_ids=ids,
    )
