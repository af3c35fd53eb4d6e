"""Optional refresh of the Fargate and RDS instance prices from the AWS Pricing API (PRICING_API_ENABLED).

The Pricing API answers from us-east-1. When it is off or cannot answer (the embedded AWS does not emulate it),
the bundled price table is used and the report says so; a refresh never stops a report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from autopilot.models.prices import PriceOverride
from autopilot.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_pricing import PricingClient
    from mypy_boto3_pricing.type_defs import FilterTypeDef
FARGATE_USAGE = {
    "Fargate-vCPU-Hours:perCPU": "fargate/X86_64/vcpu_hour",
    "Fargate-GB-Hours": "fargate/X86_64/gb_hour",
    "Fargate-ARM-vCPU-Hours:perCPU": "fargate/ARM64/vcpu_hour",
    "Fargate-ARM-GB-Hours": "fargate/ARM64/gb_hour",
}
ENGINES = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB"}


def on_demand_usd(document: str | dict[str, Any]) -> float | None:
    """The on-demand USD price of one Pricing API product document, or None when it has none."""
    product = json.loads(document) if isinstance(document, str) else document
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None:
                return float(usd)
    return None


def _usage_path(usagetype: str) -> str | None:
    """``USE2-Fargate-GB-Hours`` -> its table path; Spot and Windows usage types do not match."""
    for suffix, path in FARGATE_USAGE.items():
        if re.fullmatch(r"(?:[A-Z0-9]+-)?" + re.escape(suffix), usagetype):
            return path
    return None


def fargate_prices(documents: Iterable[str | dict[str, Any]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for document in documents:
        product = json.loads(document) if isinstance(document, str) else document
        path = _usage_path(product.get("product", {}).get("attributes", {}).get("usagetype", ""))
        price = on_demand_usd(product)
        if path and price:
            found[path] = price
    return found


def _filters(**fields: str) -> list[FilterTypeDef]:
    return [{"Type": "TERM_MATCH", "Field": name, "Value": value} for name, value in fields.items()]


def _products(pricing: PricingClient, service: str, filters: list[FilterTypeDef]) -> list[str]:
    pages = pricing.get_paginator("get_products").paginate(ServiceCode=service, Filters=filters)
    return [doc for page in pages for doc in page.get("PriceList", [])]


def _rds_prices(pricing: PricingClient, region: str, engine_classes: set[tuple[str, str]]) -> dict[str, float]:
    found: dict[str, float] = {}
    for engine, instance_class in sorted(engine_classes):
        if engine not in ENGINES:
            continue
        filters = _filters(
            regionCode=region,
            instanceType=instance_class,
            databaseEngine=ENGINES[engine],
            deploymentOption="Single-AZ",
            productFamily="Database Instance",
        )
        prices = [p for p in (on_demand_usd(doc) for doc in _products(pricing, "AmazonRDS", filters)) if p]
        if prices:
            found[f"rds_instance_hour/{engine}/{instance_class}/hour"] = min(prices)
    return found


def refresh_prices(
    pricing: PricingClient, region: str, engine_classes: set[tuple[str, str]], enabled: bool, now: datetime
) -> tuple[dict[str, PriceOverride], str]:
    """Prices to lay over the table, and a sentence for the report saying where the prices came from."""
    if not enabled:
        return {}, "Pricing API refresh is off (PRICING_API_ENABLED=false): the table's figures were used."
    try:
        found = fargate_prices(_products(pricing, "AmazonECS", _filters(regionCode=region, productFamily="Compute")))
        found |= _rds_prices(pricing, region, engine_classes)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("Pricing API unavailable, using the bundled table", extra={"error": str(exc)})
        return {}, f"Pricing API unavailable ({exc}): the bundled price table was used."
    source = f"AWS Pricing API, {region}, {now:%Y-%m-%d}"
    overrides = {path: PriceOverride(value=value, source=source) for path, value in found.items()}
    return overrides, f"Pricing API refresh: {len(overrides)} prices from the API, the rest from the table."
