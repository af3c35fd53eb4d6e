"""Read (and, where a scenario needs it, set) the embedded stack's AWS state in workflow tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from autopilot.models.notifications import DigestEntry
from autopilot.models.records import AuditRecord, Lease
from autopilot_cli.embedded.seed_stack import EmbeddedStack
from moto.core import DEFAULT_ACCOUNT_ID
from moto.rds.models import rds_backends

from tests.helpers.clients import clients, digest_store, state_table
from tests.helpers.sns import published

SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def target(stack: EmbeddedStack) -> tuple[int, int]:
    """(MinCapacity, MaxCapacity) of the service's scalable target."""
    found = clients(stack.region).autoscaling.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[stack.resource_id]
    )["ScalableTargets"][0]
    return int(found["MinCapacity"]), int(found["MaxCapacity"])


def set_target(stack: EmbeddedStack, min_capacity: int, max_capacity: int) -> None:
    clients(stack.region).autoscaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=stack.resource_id,
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=min_capacity,
        MaxCapacity=max_capacity,
    )


def service(stack: EmbeddedStack) -> tuple[int, int]:
    """(desired, running) of the ECS service."""
    svc = clients(stack.region).ecs.describe_services(cluster=stack.cluster, services=[stack.service])["services"][0]
    return int(svc["desiredCount"]), int(svc["runningCount"])


def set_desired(stack: EmbeddedStack, count: int) -> None:
    """moto sets running = desired on an update, as a settled service would be."""
    clients(stack.region).ecs.update_service(cluster=stack.cluster, service=stack.service, desiredCount=count)


def lease(stack: EmbeddedStack) -> Lease | None:
    return state_table(stack.table_name).get_lease(stack.resource_id)


def audit(stack: EmbeddedStack, resource_id: str | None = None) -> list[AuditRecord]:
    """The audit trail of a resource in the order the decisions were taken (the table reads newest first)."""
    return list(reversed(state_table(stack.table_name).recent_records(resource_id or stack.resource_id, SINCE)))


def messages(stack: EmbeddedStack) -> list[dict[str, Any]]:
    """What was published on the notification topic, oldest first: subject and (parsed) message."""
    return published(stack.topic_arn)


def notifications(stack: EmbeddedStack) -> list[dict[str, Any]]:
    """The Notify function's messages (not the approval requests)."""
    return [m for m in messages(stack) if not (isinstance(m["message"], dict) and "approval_request" in m["message"])]


def digest(stack: EmbeddedStack, until: datetime) -> list[DigestEntry]:
    """The routine notifications waiting for a digest sent at ``until``."""
    return digest_store(stack.table_name).pending(until)


def approval_requests(stack: EmbeddedStack) -> list[dict[str, Any]]:
    return [m for m in messages(stack) if isinstance(m["message"], dict) and "approval_request" in m["message"]]


def writer_host(stack: EmbeddedStack) -> str:
    parameter = clients(stack.region).ssm.get_parameter(Name=stack.writer_parameter)
    return str(parameter["Parameter"]["Value"])


def put_rds_metric(stack: EmbeddedStack, metric: str, instance_id: str, values: list[float], now: datetime) -> None:
    """One datapoint a minute, the last one a minute before ``now``."""
    clients(stack.region).cloudwatch.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": instance_id}],
                "Timestamp": now - timedelta(minutes=len(values) - i),
                "Value": value,
            }
            for i, value in enumerate(values)
        ],
    )


def primary_down(stack: EmbeddedStack, now: datetime, replica_lag: float) -> None:
    """The primary failed: RDS reports it (moto's API cannot set a failed status: set in its backend), it has no
    DatabaseConnections datapoints, and the replica's lag is known."""
    rds_backends[DEFAULT_ACCOUNT_ID][stack.region].databases[stack.primary_id].status = "failed"
    put_rds_metric(stack, "ReplicaLag", stack.replica_id, [replica_lag, replica_lag], now)


def primary_up(stack: EmbeddedStack, now: datetime, replica_lag: float) -> None:
    put_rds_metric(stack, "DatabaseConnections", stack.primary_id, [40.0, 42.0, 41.0], now)
    put_rds_metric(stack, "ReplicaLag", stack.replica_id, [replica_lag], now)


def replica_endpoint(stack: EmbeddedStack) -> str:
    described = clients(stack.region).rds.describe_db_instances(DBInstanceIdentifier=stack.replica_id)["DBInstances"][0]
    return str(described["Endpoint"]["Address"])
