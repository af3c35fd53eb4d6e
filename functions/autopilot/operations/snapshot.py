"""Observe the service: ECS counts, the scalable target, the active lease and a task's price (adapters → model)."""

from __future__ import annotations

from autopilot.adapters.autoscaling import describe_target
from autopilot.adapters.clients import AwsClients
from autopilot.adapters.ecs_service import describe_service
from autopilot.adapters.state_table import StateTable
from autopilot.logic.cost_prices import fargate_task_hourly, price_book, settings_overrides
from autopilot.models.prices import PriceBook
from autopilot.models.scaling import ServiceObservation, ServiceSnapshot
from autopilot.settings.common import CommonSettings


def prices(settings: CommonSettings) -> PriceBook:
    """The region's price book with the ``PRICE_OVERRIDES`` setting applied (the cost report's own book)."""
    return price_book(settings.aws_region, settings_overrides(settings.price_overrides))


def task_hourly_usd(service: ServiceSnapshot, book: PriceBook) -> float:
    """The price of one of the service's tasks (its task definition's size and architecture)."""
    return fargate_task_hourly(book, service.task_cpu_units / 1024, service.task_memory_mb / 1024, service.architecture)


def service_task_hourly(clients: AwsClients, settings: CommonSettings) -> float:
    """The price of one of the service's tasks now (its task definition as ECS describes it)."""
    service = describe_service(clients.ecs, settings.cluster_name, settings.service_name)
    return task_hourly_usd(service, prices(settings))


def observe_service(clients: AwsClients, settings: CommonSettings, table: StateTable) -> ServiceObservation:
    service = describe_service(clients.ecs, settings.cluster_name, settings.service_name)
    target = describe_target(clients.autoscaling, settings.scalable_resource_id)
    return ServiceObservation(
        service=service,
        target=target,
        lease=table.get_lease(target.resource_id),
        task_hourly_usd=task_hourly_usd(service, prices(settings)),
    )
