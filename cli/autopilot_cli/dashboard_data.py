"""What ``autopilot dashboard`` shows, read once per frame: the ops API's status, the scaling guide's
monitoring metrics (latest one-minute values) and the last decisions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from autopilot.adapters.clients import AwsClients
from autopilot.operations.ops_actions import list_actions
from autopilot.operations.ops_status import collect_status
from autopilot.settings.ops import OpsSettings

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

WINDOW = timedelta(minutes=5)
LAST_ACTIONS = 5


def _dimension(arn: str, marker: str) -> str:
    """CloudWatch's LoadBalancer / TargetGroup dimension: the part of the ARN from ``app/`` or ``targetgroup/``."""
    return arn[arn.index(marker) :] if marker in arn else arn


def _query(qid: str, namespace: str, metric: str, dims: dict[str, str], stat: str) -> MetricDataQueryTypeDef:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            },
            "Period": 60,
            "Stat": stat,
        },
    }


def _balancer(clients: AwsClients, settings: OpsSettings) -> tuple[str | None, str | None]:
    service = clients.ecs.describe_services(cluster=settings.cluster_name, services=[settings.service_name])
    groups = [lb["targetGroupArn"] for lb in service["services"][0].get("loadBalancers", [])]
    if not groups:
        return None, None
    group = clients.elbv2.describe_target_groups(TargetGroupArns=groups[:1])["TargetGroups"][0]
    balancers = group.get("LoadBalancerArns", [])
    return groups[0], balancers[0] if balancers else None


def _queries(clients: AwsClients, settings: OpsSettings) -> list[MetricDataQueryTypeDef]:
    ecs = {"ClusterName": settings.cluster_name, "ServiceName": settings.service_name}
    found = [
        _query("cpu", "AWS/ECS", "CPUUtilization", ecs, "Average"),
        _query("memory", "AWS/ECS", "MemoryUtilization", ecs, "Average"),
        _query(
            "db_connections",
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": settings.primary_db_instance_id},
            "Maximum",
        ),
    ]
    group, balancer = _balancer(clients, settings)
    if group and balancer:
        lb = {"LoadBalancer": _dimension(balancer, "app/")}
        found += [
            _query(
                "requests_per_target",
                "AWS/ApplicationELB",
                "RequestCountPerTarget",
                {"TargetGroup": _dimension(group, "targetgroup/")},
                "Sum",
            ),
            _query("p99", "AWS/ApplicationELB", "TargetResponseTime", lb, "p99"),
            _query("http_5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, "Sum"),
        ]
    return found


def latest_metrics(clients: AwsClients, settings: OpsSettings, now: datetime) -> dict[str, float | None]:
    """The newest one-minute value of each metric in the last five minutes (None without data)."""
    queries = _queries(clients, settings)
    resp = clients.cloudwatch.get_metric_data(MetricDataQueries=queries, StartTime=now - WINDOW, EndTime=now)
    values: dict[str, float | None] = {q["Id"]: None for q in queries}
    for result in resp.get("MetricDataResults", []):
        pairs = sorted(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
        if pairs:
            values[result["Id"]] = float(pairs[-1][1])
    return values


def collect_frame(
    clients: AwsClients, settings: OpsSettings, now: datetime, connection_budget: int | None
) -> dict[str, Any]:
    status = collect_status(clients, settings, now)
    actions = list_actions(clients, settings, None, LAST_ACTIONS, None)
    return status | {
        "metrics": latest_metrics(clients, settings, now),
        "connection_budget": connection_budget,
        "last_actions": actions.items,
    }
