"""The price of one of the service's tasks, as every decision's cost impact reads it: its task definition's vCPUs
and gigabytes at the region's rates for its architecture, with the PRICE_OVERRIDES setting applied."""

from __future__ import annotations

import pytest
from autopilot.logic.cost_prices import price_book
from autopilot.models.scaling import ServiceSnapshot
from autopilot.operations.snapshot import prices, task_hourly_usd
from autopilot.settings.common import CommonSettings

X86_VCPU_HOUR, X86_GB_HOUR = 0.04048, 0.004445  # us-east-2, from the bundled table


def service(cpu_units: int, memory_mb: int, architecture: str = "X86_64") -> ServiceSnapshot:
    return ServiceSnapshot(
        cluster="c",
        service="s",
        desired=1,
        running=1,
        pending=0,
        task_cpu_units=cpu_units,
        task_memory_mb=memory_mb,
        architecture=architecture,
    )


@pytest.mark.parametrize(("cpu_units", "memory_mb", "vcpu", "gb"), [(1024, 2048, 1, 2), (512, 1024, 0.5, 1)])
def test_a_tasks_price_is_its_vcpus_and_gigabytes_at_the_regions_rates(
    cpu_units: int, memory_mb: int, vcpu: float, gb: float
) -> None:
    hourly = task_hourly_usd(service(cpu_units, memory_mb), price_book("us-east-2"))
    assert hourly == pytest.approx(vcpu * X86_VCPU_HOUR + gb * X86_GB_HOUR, rel=1e-9)


def test_an_arm_task_is_priced_at_the_arm_rates() -> None:
    book = price_book("us-east-2")
    arm = task_hourly_usd(service(1024, 2048, "ARM64"), book)
    expected = book.fargate_vcpu_hour["ARM64"].value + 2 * book.fargate_gb_hour["ARM64"].value
    assert arm == pytest.approx(expected, rel=1e-9) and arm < task_hourly_usd(service(1024, 2048), book)


def test_the_price_book_is_the_regions_with_the_settings_overrides() -> None:
    settings = CommonSettings(aws_region="us-east-2", price_overrides={"fargate/X86_64/vcpu_hour": 0.1})
    book = prices(settings)
    assert book.fargate_vcpu_hour["X86_64"].value == 0.1
    assert book.fargate_gb_hour["X86_64"].value == pytest.approx(X86_GB_HOUR)
