"""What Application Auto Scaling does to the service that moto does not: keep desired within [min, max].

In AWS, raising a scalable target's MinCapacity makes AAS raise the service's desired count; moto records the
new bounds but leaves ECS alone. The embedded AWS calls this after every change so that the Verify step sees
the tasks arrive, as it would in an account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autopilot_cli.embedded.harness_clients import harness_clients


def reconcile_capacity(resource_id: str, region: str) -> tuple[int, int]:
    """Clamp the service's desired count into the scalable target's bounds. Returns (before, after)."""
    _, cluster, service = resource_id.split("/", 2)
    clients = harness_clients(region)
    aas = clients.autoscaling
    targets = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id])["ScalableTargets"]
    ecs = clients.ecs
    desired = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["desiredCount"]
    if not targets:
        return desired, desired
    wanted = min(max(desired, targets[0]["MinCapacity"]), targets[0]["MaxCapacity"])
    if wanted != desired:
        ecs.update_service(cluster=cluster, service=service, desiredCount=wanted)
    return desired, wanted


def actuator_hook(resource_id: str, region: str) -> Callable[[str, Any], None]:
    """A Lambda-router hook that plays Application Auto Scaling's part before each function runs."""

    def hook(_logical_id: str, _payload: Any) -> None:
        reconcile_capacity(resource_id, region)

    return hook
