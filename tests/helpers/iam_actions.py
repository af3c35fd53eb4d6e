"""What IAM authorises for one recorded AWS call: the action, the resource ARN(s) it is checked against, and the
permissions AWS documents as implied (checked on the caller's policy as well).

Resource ARNs follow the Service Authorization Reference: an API with no resource-level permissions is checked
against ``*``; an API that lists without naming a resource is checked against the widest ARN of its type.
An operation with no rule here fails the IAM test with a message naming it: add its rule when a handler starts
calling a new API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tests.helpers.iam_calls import Call

ACCOUNT = "123456789012"  # moto's account


@dataclass(frozen=True)
class Need:
    """One permission a call needs: an action on a resource, with the condition keys the request sets."""

    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict)
    why: str = ""  # for implied permissions: the documented reason


Rule = Callable[[Call], list[Need]]
STAR = "*"


def _arn(call: Call, service: str, rest: str) -> str:
    return f"arn:aws:{service}:{call.region}:{ACCOUNT}:{rest}"


def _star(action: str) -> Rule:
    return lambda call: [Need(action, STAR)]


def _table(action: str) -> Rule:
    def needs(call: Call) -> list[Need]:
        resource = _arn(call, "dynamodb", f"table/{call.params['TableName']}")
        index = call.params.get("IndexName")
        return [Need(action, f"{resource}/index/{index}" if index else resource)]

    return needs


def _transact_write(call: Call) -> list[Need]:
    verbs = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
    return [
        Need(f"dynamodb:{verbs[kind]}", _arn(call, "dynamodb", f"table/{body['TableName']}"))
        for item in call.params["TransactItems"]
        for kind, body in item.items()
    ]


def _ecs_service(action: str) -> Rule:
    def needs(call: Call) -> list[Need]:
        cluster = call.params.get("cluster", "default").rsplit("/", 1)[-1]
        names = call.params.get("services") or [call.params["service"]]
        return [Need(action, _arn(call, "ecs", f"service/{cluster}/{name.rsplit('/', 1)[-1]}")) for name in names]

    return needs


def _register_scalable_target(call: Call) -> list[Need]:
    """AAS checks the target resource's own permissions (user guide, "permission validation" for ECS services)."""
    p = call.params
    keys = {
        "application-autoscaling:service-namespace": p["ServiceNamespace"],
        "application-autoscaling:scalable-dimension": p["ScalableDimension"],
    }
    needs = [
        Need(
            "application-autoscaling:RegisterScalableTarget",
            _arn(call, "application-autoscaling", "scalable-target/*"),
            keys,
        )
    ]
    if p["ServiceNamespace"] == "ecs":
        _, cluster, service = p["ResourceId"].split("/", 2)
        target = _arn(call, "ecs", f"service/{cluster}/{service}")
        why = "implied: Application Auto Scaling checks the caller may describe and update the ECS service"
        needs += [Need("ecs:DescribeServices", target, why=why), Need("ecs:UpdateService", target, why=why)]
    if p.get("Tags"):
        needs.append(
            Need("application-autoscaling:TagResource", _arn(call, "application-autoscaling", "scalable-target/*"))
        )
    return needs


def _rds_instance(action: str) -> Rule:
    def needs(call: Call) -> list[Need]:
        identifier = call.params.get("DBInstanceIdentifier")
        if identifier is None:
            return [Need(action, _arn(call, "rds", "db:*"))]
        return [Need(action, _arn(call, "rds", f"db:{identifier}"))]

    return needs


def _rds_events(call: Call) -> list[Need]:
    source = call.params.get("SourceIdentifier")
    return [Need("rds:DescribeEvents", _arn(call, "rds", f"db:{source}") if source else STAR)]


def _ssm_parameter(action: str) -> Rule:
    def needs(call: Call) -> list[Need]:
        return [Need(action, _arn(call, "ssm", f"parameter/{call.params['Name'].lstrip('/')}"))]

    return needs


def _s3_object(action: str) -> Rule:
    return lambda call: [Need(action, f"arn:aws:s3:::{call.params['Bucket']}/{call.params['Key']}")]


def _sns_publish(call: Call) -> list[Need]:
    return [Need("sns:Publish", call.params["TopicArn"])]


def _alarms(call: Call) -> list[Need]:
    names = call.params.get("AlarmNames")
    if not names:
        return [Need("cloudwatch:DescribeAlarms", _arn(call, "cloudwatch", "alarm:*"))]
    return [Need("cloudwatch:DescribeAlarms", _arn(call, "cloudwatch", f"alarm:{name}")) for name in names]


def _put_alarm(call: Call) -> list[Need]:
    return [Need("cloudwatch:PutMetricAlarm", _arn(call, "cloudwatch", f"alarm:{call.params['AlarmName']}"))]


def _task_answer(action: str) -> Rule:
    """A task token names no resource; it belongs to an execution of the stack's own state machine, the ARN the
    policy is scoped to (the embedded stack's name)."""
    return lambda call: [Need(action, _arn(call, "states", "stateMachine:sensor-autopilot-remediation"))]


def _lambda_configuration(call: Call) -> list[Need]:
    return [Need("lambda:GetFunctionConfiguration", _arn(call, "lambda", f"function:{call.params['FunctionName']}"))]


RULES: dict[tuple[str, str], Rule] = {
    ("dynamodb", "GetItem"): _table("dynamodb:GetItem"),
    ("dynamodb", "PutItem"): _table("dynamodb:PutItem"),
    ("dynamodb", "UpdateItem"): _table("dynamodb:UpdateItem"),
    ("dynamodb", "DeleteItem"): _table("dynamodb:DeleteItem"),
    ("dynamodb", "Query"): _table("dynamodb:Query"),
    ("dynamodb", "Scan"): _table("dynamodb:Scan"),
    ("dynamodb", "TransactWriteItems"): _transact_write,
    ("ecs", "DescribeServices"): _ecs_service("ecs:DescribeServices"),
    ("ecs", "UpdateService"): _ecs_service("ecs:UpdateService"),
    ("ecs", "DescribeTaskDefinition"): _star("ecs:DescribeTaskDefinition"),
    ("application-autoscaling", "DescribeScalableTargets"): _star("application-autoscaling:DescribeScalableTargets"),
    ("application-autoscaling", "RegisterScalableTarget"): _register_scalable_target,
    ("cloudwatch", "GetMetricData"): _star("cloudwatch:GetMetricData"),
    ("cloudwatch", "PutMetricData"): _star("cloudwatch:PutMetricData"),
    ("cloudwatch", "DescribeAlarms"): _alarms,
    ("cloudwatch", "PutMetricAlarm"): _put_alarm,
    ("cloudwatch", "ListDashboards"): _star("cloudwatch:ListDashboards"),
    ("rds", "DescribeDBInstances"): _rds_instance("rds:DescribeDBInstances"),
    ("rds", "PromoteReadReplica"): _rds_instance("rds:PromoteReadReplica"),
    ("rds", "ModifyDBInstance"): _rds_instance("rds:ModifyDBInstance"),
    ("states", "SendTaskSuccess"): _task_answer("states:SendTaskSuccess"),
    ("states", "SendTaskFailure"): _task_answer("states:SendTaskFailure"),
    ("rds", "StopDBInstance"): _rds_instance("rds:StopDBInstance"),
    ("rds", "DescribeEvents"): _rds_events,
    ("rds", "DescribePendingMaintenanceActions"): _star("rds:DescribePendingMaintenanceActions"),
    ("rds", "DescribeDBParameters"): lambda call: [
        Need("rds:DescribeDBParameters", _arn(call, "rds", f"pg:{call.params['DBParameterGroupName']}"))
    ],
    ("ssm", "GetParameter"): _ssm_parameter("ssm:GetParameter"),
    ("ssm", "PutParameter"): _ssm_parameter("ssm:PutParameter"),
    ("s3", "PutObject"): _s3_object("s3:PutObject"),
    ("s3", "DeleteObject"): _s3_object("s3:DeleteObject"),
    ("sns", "Publish"): _sns_publish,
    ("elasticloadbalancing", "DescribeLoadBalancers"): _star("elasticloadbalancing:DescribeLoadBalancers"),
    ("elasticloadbalancing", "DescribeTargetGroups"): _star("elasticloadbalancing:DescribeTargetGroups"),
    ("lambda", "ListFunctions"): _star("lambda:ListFunctions"),
    ("lambda", "GetFunctionConfiguration"): _lambda_configuration,
    ("ce", "GetCostAndUsage"): _star("ce:GetCostAndUsage"),
    ("pricing", "GetProducts"): _star("pricing:GetProducts"),
}


def needs_of(call: Call, topic_keys: Mapping[str, str] | None = None) -> list[Need]:
    """The permissions a call needs; raises KeyError naming the operation when no rule describes it.

    ``topic_keys`` maps encrypted topics to their KMS key: publishing to one also needs GenerateDataKey and Decrypt
    on the key (SNS user guide, server-side encryption)."""
    rule = RULES.get((call.service, call.operation))
    if rule is None:
        raise KeyError(
            f"{call.function} calls {call.service}:{call.operation} (in {call.test}) and tests/helpers/iam_actions.py "
            "has no rule for it: add one naming its IAM action and resource ARN (Service Authorization Reference)"
        )
    needs = rule(call)
    keys = topic_keys or {}
    why = "implied: publishing to a topic encrypted with a customer managed key"
    for need in list(needs):
        key = keys.get(need.resource) if need.action == "sns:Publish" else None
        if key:
            needs += [Need("kms:GenerateDataKey", key, why=why), Need("kms:Decrypt", key, why=why)]
    return needs
