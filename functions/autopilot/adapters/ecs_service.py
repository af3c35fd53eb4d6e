"""ECS: the service's task counts, rollout state and task size, as a :class:`ServiceSnapshot`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from autopilot.errors import ObservationError
from autopilot.models.scaling import ServiceSnapshot

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.type_defs import DeploymentTypeDef, ServiceTypeDef

_ROLLBACK_WORDS = ("rolling back", "rollback", "circuit breaker")


def _rolling_back(deployments: Sequence[DeploymentTypeDef]) -> tuple[bool, str | None, str | None]:
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), deployments[0] if deployments else None)
    if primary is None:
        return False, None, None
    state, reason = primary.get("rolloutState"), primary.get("rolloutStateReason")
    text = (reason or "").lower()
    failed = state == "FAILED" or any(word in text for word in _ROLLBACK_WORDS)
    return failed, state, reason


def task_counts(svc: ServiceTypeDef) -> tuple[int, int, int]:
    """(desired, running, pending). During a deployment the service's counts add up the old and the new tasks;
    the PRIMARY deployment's are the ones the service will keep, so those are counted."""
    deployments = svc.get("deployments", [])
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    if len(deployments) > 1 and primary is not None:
        return int(primary["desiredCount"]), int(primary["runningCount"]), int(primary["pendingCount"])
    return int(svc["desiredCount"]), int(svc["runningCount"]), int(svc["pendingCount"])


def describe_service(ecs: ECSClient, cluster: str, service: str) -> ServiceSnapshot:
    found = ecs.describe_services(cluster=cluster, services=[service])
    services = found.get("services", [])
    if not services:
        raise ObservationError(f"ECS service {service} not found in cluster {cluster}: check CLUSTER_NAME/SERVICE_NAME")
    svc = services[0]
    rolling_back, state, reason = _rolling_back(svc.get("deployments", []))
    task_def = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
    platform = task_def.get("runtimePlatform") or {}
    desired, running, pending = task_counts(svc)
    return ServiceSnapshot(
        cluster=cluster,
        service=service,
        desired=desired,
        running=running,
        pending=pending,
        rollout_state=state,
        rollout_reason=reason,
        rolling_back=rolling_back,
        task_cpu_units=int(task_def.get("cpu", 1024)),
        task_memory_mb=int(task_def.get("memory", 2048)),
        architecture=str(platform.get("cpuArchitecture", "X86_64")),
    )
