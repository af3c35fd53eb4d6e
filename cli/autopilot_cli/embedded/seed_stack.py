"""Create the scaling guide's stack in whatever AWS boto3 points at (moto in-process or the embedded server).

Names and figures come from ``template.yaml``: its parameter defaults and its control-plane resources'
properties, so the embedded stack and the template cannot drift apart. The template derives physical names from
the stack name; the embedded stack passes the scaling guide's names as parameters (``SEED_NAMES``, as
samconfig.toml's prod does), so a default stack is named as the seed's. Another stack name with
``seed_names=False`` gives a second stack beside it, named from its stack name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autopilot_cli.embedded import kms_keys, rds_emulation
from autopilot_cli.embedded.harness_clients import harness_clients
from autopilot_cli.embedded.template_intrinsics import resolve
from autopilot_cli.embedded.template_resources import bind_workload, create_alarms, create_autoscaling
from autopilot_cli.template_model import Resolver, TemplateError, function_ids, load_template

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import KeyValuePairTypeDef

STACK_NAME = "sensor-autopilot"
ACCOUNT = "123456789012"
REGION = "us-east-2"
CLUSTER = "sensor-app-cluster"
SERVICE = "sensor-app-service"
PRIMARY_DB = "sensor-postgres-high-perf"
REPLICA_DB = "sensor-postgres-high-perf-replica"
# The container settings the control plane reads back (the cost report quotes the service's pool sizes).
CONTAINER_SETTINGS = ("WEB_CONCURRENCY", "DB_CONNECTION_BUDGET", "MAX_TASKS", "READ_MAX_LAG_SECONDS")
SEED_NAMES = {"ClusterName": CLUSTER, "ServiceName": SERVICE, "DbInstanceIdentifier": PRIMARY_DB}


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


@dataclass(frozen=True)
class WorkloadNames:
    """The workload's physical names, as the template derives them for this stack."""

    cluster: str
    service: str
    primary: str
    replica: str
    family: str


def workload_names(resolver: Resolver) -> WorkloadNames:
    def name(logical_id: str, prop: str) -> str:
        props = resolver.template["Resources"][logical_id].get("Properties", {})
        if prop not in props:
            raise TemplateError(f"template.yaml's {logical_id} has no {prop}: the embedded stack names it from there")
        return str(resolve(resolver, props[prop]))

    primary = name("PrimaryDatabase", "DBInstanceIdentifier")
    replica_name = resolver.template["Resources"]["ReplicaDatabase"]["Properties"]["DBInstanceIdentifier"]
    replica = resolver.sub(str(replica_name["Fn::Sub"]), {"PrimaryDatabase": primary})
    return WorkloadNames(
        cluster=name("Cluster", "ClusterName"),
        service=name("Service", "ServiceName"),
        primary=primary,
        replica=replica,
        family=name("TaskDefinition", "Family"),
    )


def _network(region: str) -> tuple[str, list[str], str]:
    ec2 = harness_clients(region).ec2
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
    harness_clients(region).dynamodb.create_table(
        TableName=table_props["TableName"],
        AttributeDefinitions=table_props["AttributeDefinitions"],
        KeySchema=table_props["KeySchema"],
        BillingMode=table_props["BillingMode"],
    )
    harness_clients(region).dynamodb.update_time_to_live(
        TableName=table_props["TableName"],
        TimeToLiveSpecification={
            "AttributeName": table_props["TimeToLiveSpecification"]["AttributeName"],
            "Enabled": True,
        },
    )
    topic_name = resolver.resolve(resources["NotificationTopic"]["Properties"]["TopicName"])
    topic_arn = harness_clients(region).sns.create_topic(Name=topic_name)["TopicArn"]
    bucket = resolver.resolve(resources["ReportBucket"]["Properties"]["BucketName"])
    s3 = harness_clients(region).s3
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})  # type: ignore[typeddict-item]
    param = resolver.resolve(resources["WriterHostParameter"]["Properties"]["Name"])
    return {
        "StateTable": table_props["TableName"],
        "NotificationTopic": topic_arn,
        "NotificationTopic.TopicName": topic_name,
        "ReportBucket": bucket,
        "WriterHostParameter": param,
    }


def _load_balancer(prefix: str, region: str, vpc: str, subnets: list[str], sg: str) -> tuple[str, str]:
    """Load balancer and target group named ``<prefix>-alb`` and ``<prefix>-tg`` (at most 32 characters)."""
    elb = harness_clients(region).elbv2
    lb = elb.create_load_balancer(Name=f"{prefix}-alb", Subnets=subnets, SecurityGroups=[sg], Type="application")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(
        Name=f"{prefix}-tg", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip", HealthCheckPath="/healthz"
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(
        LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}]
    )
    return lb_arn, tg


def _container_environment(resolver: Resolver) -> list[KeyValuePairTypeDef]:
    """The sensor API's connection settings, as the template's task definition gives them."""
    container = resolver.template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    return [
        {"name": item["Name"], "value": str(resolver.resolve(item["Value"]))}
        for item in container["Environment"]
        if item["Name"] in CONTAINER_SETTINGS
    ]


def _target_group_attributes(resolver: Resolver, tg: str) -> None:
    """Stickiness and connection draining as the template's target group has them."""
    delay = _param(resolver, "DeregistrationDelaySeconds", "30")
    harness_clients(resolver.region).elbv2.modify_target_group_attributes(
        TargetGroupArn=tg,
        Attributes=[
            {"Key": "stickiness.enabled", "Value": _param(resolver, "StickySessions", "true")},
            {"Key": "deregistration_delay.timeout_seconds", "Value": delay},
        ],
    )


def _ecs(resolver: Resolver, names: WorkloadNames, subnets: list[str], sg: str, tg: str) -> None:
    region = resolver.region
    ecs = harness_clients(region).ecs
    ecs.create_cluster(clusterName=names.cluster)
    cpu, memory = _param(resolver, "TaskCpu", "1024"), _param(resolver, "TaskMemory", "2048")
    arch = _param(resolver, "TaskArchitecture", "X86_64")
    task_def = ecs.register_task_definition(
        family=names.family,
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
        cluster=names.cluster,
        serviceName=names.service,
        taskDefinition=task_def,
        desiredCount=baseline,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg]}},
        loadBalancers=[{"targetGroupArn": tg, "containerName": "sensor-api", "containerPort": 8000}],
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    _target_group_attributes(resolver, tg)
    # moto starts a service with 0 running tasks; an update sets running = desired, as a settled service is.
    ecs.update_service(cluster=names.cluster, service=names.service, desiredCount=baseline)


def _database(resolver: Resolver, names: WorkloadNames, subnets: list[str], sg: str) -> str:
    region = resolver.region
    rds = harness_clients(region).rds
    subnet_group = f"{resolver.stack_name}-db"
    rds.create_db_subnet_group(
        DBSubnetGroupName=subnet_group, DBSubnetGroupDescription="sensor database", SubnetIds=subnets
    )
    storage_type = _param(resolver, "DbStorageType", "gp3")
    primary = rds.create_db_instance(
        DBInstanceIdentifier=names.primary,
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
        DBSubnetGroupName=subnet_group,
        VpcSecurityGroupIds=[sg],
        BackupRetentionPeriod=7,
        EnablePerformanceInsights=True,
    )["DBInstance"]
    rds.create_db_instance_read_replica(
        DBInstanceIdentifier=names.replica,
        SourceDBInstanceIdentifier=names.primary,
        DBInstanceClass=_param(resolver, "DbInstanceClass", "db.t3.medium"),
    )
    return str(primary["Endpoint"]["Address"]) if primary.get("Endpoint") else f"{names.primary}.local"


def bind_control_plane(resolver: Resolver) -> None:
    """The functions' and the state machine's names as ``embedded.workflow.deploy_workflow`` creates them (the
    control plane's own alarms refer to them)."""
    for logical_id in function_ids(resolver.template):
        name = resolver.physical_ids.setdefault(logical_id, f"{resolver.stack_name}-{logical_id}")
        arn = f"arn:aws:lambda:{resolver.region}:{resolver.account}:function:{name}"
        resolver.attributes.setdefault(f"{logical_id}.Arn", arn)
    machine = resolver.template["Resources"]["RemediationStateMachine"]["Properties"]
    name = str(resolver.resolve(machine.get("Name", "remediation")))
    arn = f"arn:aws:states:{resolver.region}:{resolver.account}:stateMachine:{name}"
    resolver.physical_ids.setdefault("RemediationStateMachine", arn)


def seed_stack(
    region: str = REGION,
    parameters: dict[str, str] | None = None,
    *,
    stack_name: str = STACK_NAME,
    seed_names: bool = True,
) -> EmbeddedStack:
    """Create the whole seed stack; returns its names and a resolver for the functions' environment."""
    rds_emulation.install()  # RDS promotion finishing, pending maintenance actions
    kms_keys.install()  # symmetric keys without an RSA key pair each
    given = {**(SEED_NAMES if seed_names else {}), **(parameters or {})}
    resolver = Resolver(load_template(), stack_name=stack_name, region=region, account=ACCOUNT, parameters=given)
    names = workload_names(resolver)
    vpc, subnets, sg = _network(region)
    ids = _control_plane(resolver)
    lb_arn, tg = _load_balancer("sensor-app" if seed_names else stack_name[:28], region, vpc, subnets, sg)
    _ecs(resolver, names, subnets, sg, tg)
    writer_host = _database(resolver, names, subnets, sg)
    resolver.physical_ids.update({k: v for k, v in ids.items() if "." not in k})
    resolver.attributes.update({k: v for k, v in ids.items() if "." in k})
    bind_workload(
        resolver,
        cluster=names.cluster,
        service=names.service,
        load_balancer_arn=lb_arn,
        target_group_arn=tg,
        primary=names.primary,
        replica=names.replica,
    )
    bind_control_plane(resolver)
    resource_id = create_autoscaling(resolver)  # the scalable target and the native policies, as the template says
    create_alarms(resolver)
    harness_clients(region).ssm.put_parameter(
        Name=ids["WriterHostParameter"], Value=writer_host, Type="String", Overwrite=True
    )
    return EmbeddedStack(
        region=region,
        account=ACCOUNT,
        cluster=names.cluster,
        service=names.service,
        resource_id=resource_id,
        primary_id=names.primary,
        replica_id=names.replica,
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
