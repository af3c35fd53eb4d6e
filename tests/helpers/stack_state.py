"""Read and nudge the embedded stack's state in tests."""

from __future__ import annotations

from typing import Any

from autopilot_cli.embedded.seed_stack import EmbeddedStack

from tests.helpers.clients import clients


def target(stack: EmbeddedStack) -> dict[str, Any]:
    found = clients(stack.region).autoscaling.describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[stack.resource_id]
    )["ScalableTargets"]
    return found[0]  # type: ignore[no-any-return]


def set_target(stack: EmbeddedStack, min_capacity: int | None = None, max_capacity: int | None = None) -> None:
    kwargs = {k: v for k, v in (("MinCapacity", min_capacity), ("MaxCapacity", max_capacity)) if v is not None}
    clients(stack.region).autoscaling.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=stack.resource_id, ScalableDimension="ecs:service:DesiredCount", **kwargs
    )


def set_running(stack: EmbeddedStack, count: int) -> None:
    """moto sets running = desired on update, as a settled service would be."""
    clients(stack.region).ecs.update_service(cluster=stack.cluster, service=stack.service, desiredCount=count)


def table_items(stack: EmbeddedStack, prefix: str) -> list[dict[str, Any]]:
    items = clients(stack.region).table(stack.table_name).scan()["Items"]
    return [i for i in items if str(i["pk"]).startswith(prefix)]
