"""Application Auto Scaling: read the ECS service's scalable target and move its MinCapacity/MaxCapacity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from autopilot.errors import ObservationError
from autopilot.models.scaling import TargetSnapshot

if TYPE_CHECKING:
    from mypy_boto3_application_autoscaling import ApplicationAutoScalingClient
    from mypy_boto3_application_autoscaling.type_defs import RegisterScalableTargetRequestTypeDef

NAMESPACE: Final = "ecs"
DIMENSION: Final = "ecs:service:DesiredCount"


def describe_target(aas: ApplicationAutoScalingClient, resource_id: str) -> TargetSnapshot:
    resp = aas.describe_scalable_targets(
        ServiceNamespace=NAMESPACE, ResourceIds=[resource_id], ScalableDimension=DIMENSION
    )
    targets = resp.get("ScalableTargets", [])
    if not targets:
        raise ObservationError(
            f"no scalable target for {resource_id}: the service is not registered with Application Auto Scaling"
        )
    return TargetSnapshot(resource_id=resource_id, min=targets[0]["MinCapacity"], max=targets[0]["MaxCapacity"])


def set_capacity(
    aas: ApplicationAutoScalingClient,
    resource_id: str,
    *,
    min_capacity: int | None = None,
    max_capacity: int | None = None,
) -> None:
    """RegisterScalableTarget on an existing target updates only the bounds given."""
    request: RegisterScalableTargetRequestTypeDef = {
        "ServiceNamespace": NAMESPACE,
        "ResourceId": resource_id,
        "ScalableDimension": DIMENSION,
    }
    if min_capacity is not None:
        request["MinCapacity"] = min_capacity
    if max_capacity is not None:
        request["MaxCapacity"] = max_capacity
    aas.register_scalable_target(**request)
