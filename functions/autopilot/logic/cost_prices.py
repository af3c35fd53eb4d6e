"""A typed view of one region of the price table, with overrides (settings or a Pricing API refresh) applied.

Every rate keeps its source and whether it is verified, so each line item of a report can say where its price
came from.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from autopilot.errors import ConfigurationError
from autopilot.logic.task_price import price_table, region_prices
from autopilot.models.prices import DbClassSpec, PriceBook, PriceOverride, Rate


def _rate(item: Mapping[str, Any], key: str) -> Rate:
    return Rate(value=float(item[key]), source=str(item["source"]), verified=bool(item["verified"]))


def _is_new_rds_class(region: Mapping[str, Any], parts: list[str]) -> bool:
    """``rds_instance_hour/<engine>/<class>/hour`` for a class the table does not have yet."""
    if len(parts) != 4 or parts[0] != "rds_instance_hour" or parts[3] != "hour":
        return False
    engines = region.get("rds_instance_hour", {})
    return parts[1] in engines and parts[2] not in engines[parts[1]]


def apply_override(region: dict[str, Any], path: str, override: PriceOverride) -> None:
    """Set the figure at ``path`` (``/``-separated) in ``region``; only a new RDS class may be added."""
    parts = path.strip("/").split("/")
    stamp = {"source": override.source, "verified": override.verified}
    if _is_new_rds_class(region, parts):
        region["rds_instance_hour"][parts[1]][parts[2]] = {"hour": override.value, **stamp}
        return
    node: Any = region
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    current = node.get(parts[-1]) if isinstance(node, dict) else None
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise ConfigurationError(
            f"price override {path!r}: no such price in the region's price table; nothing was changed. Use a path such "
            "as fargate/X86_64/vcpu_hour or rds_instance_hour/postgres/db.t3.medium/hour."
        )
    node[parts[-1]] = override.value
    node.update(stamp)


def _lambda_rates(item: Mapping[str, Any]) -> dict[str, Rate]:
    return {"x86_64": _rate(item, "gb_second_x86"), "arm64": _rate(item, "gb_second_arm")}


def _book(region: str, data: dict[str, Any], hours: float, classes: Mapping[str, Any]) -> PriceBook:
    fargate = data["fargate"]
    gp3_iops = data["rds_iops_month"]["gp3"]
    return PriceBook(
        region=region,
        hours_per_month=hours,
        fargate_vcpu_hour={arch: _rate(item, "vcpu_hour") for arch, item in fargate.items()},
        fargate_gb_hour={arch: _rate(item, "gb_hour") for arch, item in fargate.items()},
        rds_instance_hour={
            engine: {cls: _rate(item, "hour") for cls, item in by_class.items()}
            for engine, by_class in data["rds_instance_hour"].items()
        },
        multi_az_factor=_rate(data["multi_az_factor"], "value"),
        storage_gb_month={kind: _rate(item, "price") for kind, item in data["rds_storage_gb_month"].items()},
        iops_month={kind: _rate(item, "price") for kind, item in data["rds_iops_month"].items()},
        gp3_included_iops=int(gp3_iops["included_iops"]),
        gp3_included_iops_from_400gib=int(gp3_iops["included_iops_from_400gib"]),
        alb_hour=_rate(data["alb"], "hour"),
        alb_lcu_hour=_rate(data["alb"], "lcu_hour"),
        lambda_request_million=_rate(data["lambda"], "request_million"),
        lambda_gb_second=_lambda_rates(data["lambda"]),
        sfn_per_1000_transitions=_rate(data["stepfunctions_standard"], "per_1000_transitions"),
        alarm_standard=_rate(data["cloudwatch_alarm"], "standard"),
        alarm_high_resolution=_rate(data["cloudwatch_alarm"], "high_resolution"),
        alarm_composite=_rate(data["cloudwatch_composite_alarm"], "month"),
        dashboard_month=_rate(data["cloudwatch_dashboard"], "month"),
        rds_proxy_vcpu_hour=_rate(data["rds_proxy"], "vcpu_hour"),
        db_classes={name: DbClassSpec.model_validate(spec) for name, spec in classes.items()},
    )


def price_book(region: str, overrides: Mapping[str, PriceOverride] | None = None) -> PriceBook:
    """The bundled table's prices for ``region`` with ``overrides`` applied (each checked against the table)."""
    data = copy.deepcopy(region_prices(region))
    applied = []
    for path, override in sorted((overrides or {}).items()):
        apply_override(data, path, override)
        applied.append(f"{path} = {override.value} ({override.source})")
    table = price_table()
    book = _book(region, data, float(table["hours_per_month"]), table["rds_instance_classes"]["classes"])
    book.overrides = applied
    return book


def fargate_task_hourly(book: PriceBook, vcpu: float, memory_gb: float, architecture: str = "X86_64") -> float:
    """One Fargate task's hourly price (vCPU + memory), overrides applied: the one price of a task, used by every
    decision's cost impact and by the cost report."""
    arch = architecture.upper()
    if arch not in book.fargate_vcpu_hour or arch not in book.fargate_gb_hour:
        raise ConfigurationError(f"unknown Fargate architecture {architecture!r}; use X86_64 or ARM64")
    return vcpu * book.fargate_vcpu_hour[arch].value + memory_gb * book.fargate_gb_hour[arch].value


def settings_overrides(values: Mapping[str, float]) -> dict[str, PriceOverride]:
    """The ``PRICE_OVERRIDES`` setting as overrides; the operator vouches for them."""
    return {path: PriceOverride(value=value, source="PRICE_OVERRIDES setting") for path, value in values.items()}
