"""Observe the service: ECS counts, the scalable target and the active lease (adapters → snapshot)."""

from __future__ import annotations

from autopilot.adapters.autoscaling import describe_target
from autopilot.adapters.ecs_service import describe_service
from autopilot.adapters.state_table import StateTable
from autopilot.logic.task_price import fargate_task_hourly
from autopilot.models.scaling import ServiceObservation, ServiceSnapshot
from autopilot.settings.common import CommonSettings


def task_hourly_usd(service: ServiceSnapshot, region: str) -> float:
    """The on-demand price of one of the service's tasks (its task definition's size and architecture)."""
    return fargate_task_hourly(
        region, service.task_cpu_units / 1024, service.task_memory_mb / 1024, service.architecture
    )


def observe_service(settings: CommonSettings, table: StateTable) -> ServiceObservation:
    service = describe_service(settings.cluster_name, settings.service_name)
    target = describe_target(settings.scalable_resource_id)
    return ServiceObservation(
        service=service,
        target=target,
        lease=table.get_lease(target.resource_id),
        task_hourly_usd=task_hourly_usd(service, settings.aws_region),
    )
