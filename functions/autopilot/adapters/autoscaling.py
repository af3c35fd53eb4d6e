"""Application Auto Scaling: read the ECS service's scalable target and move its MinCapacity/MaxCapacity."""

from __future__ import annotations

from autopilot.adapters.aws import client
from autopilot.errors import ObservationError
from autopilot.models.scaling import TargetSnapshot

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"


def describe_target(resource_id: str) -> TargetSnapshot:
    resp = client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=[resource_id], ScalableDimension=DIMENSION
    )
    targets = resp.get("ScalableTargets", [])
    if not targets:
        raise ObservationError(
            f"no scalable target for {resource_id}: the service is not registered with Application Auto Scaling"
        )
    return TargetSnapshot(resource_id=resource_id, min=targets[0]["MinCapacity"], max=targets[0]["MaxCapacity"])


def set_capacity(resource_id: str, *, min_capacity: int | None = None, max_capacity: int | None = None) -> None:
    """RegisterScalableTarget on an existing target updates only the bounds given."""
    kwargs: dict[str, int] = {}
    if min_capacity is not None:
        kwargs["MinCapacity"] = min_capacity
    if max_capacity is not None:
        kwargs["MaxCapacity"] = max_capacity
    client("application-autoscaling").register_scalable_target(
        ServiceNamespace=NAMESPACE, ResourceId=resource_id, ScalableDimension=DIMENSION, **kwargs
    )
