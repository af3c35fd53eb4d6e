"""TargetTrackingMetricResolution: 20 turns on the 20-second metrics and the HighResolution metric types."""

from __future__ import annotations

from typing import Any

from autopilot_cli.embedded.template_intrinsics import resolve
from autopilot_cli.template_model import Resolver, load_template


def resolved(resolution: str | None) -> tuple[dict[str, Any], list[str]]:
    params = {"TargetTrackingMetricResolution": resolution} if resolution else {}
    resolver = Resolver(load_template(), stack_name="s", region="us-east-2", parameters=params)
    resources = resolver.template["Resources"]
    monitoring = resolve(resolver, {"M": resources["Service"]["Properties"].get("Monitoring")})
    kinds = [
        resolve(resolver, resources[name]["Properties"]["TargetTrackingScalingPolicyConfiguration"])[
            "PredefinedMetricSpecification"
        ]["PredefinedMetricType"]
        for name in ("CpuTargetTrackingPolicy", "MemoryTargetTrackingPolicy")
    ]
    return monitoring, kinds


def test_default_keeps_one_minute_metrics() -> None:
    monitoring, kinds = resolved(None)
    assert monitoring == {}
    assert kinds == ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"]


def test_twenty_publishes_20_second_metrics_and_tracks_the_high_resolution_types() -> None:
    monitoring, kinds = resolved("20")
    metrics = {"MetricNames": ["CPUUtilization", "MemoryUtilization"], "ResolutionSeconds": 20}
    assert monitoring == {"M": {"MetricConfigurations": [metrics]}}
    assert kinds == [
        "ECSServiceAverageCPUUtilizationHighResolution",
        "ECSServiceAverageMemoryUtilizationHighResolution",
    ]


def test_only_60_and_20_are_allowed() -> None:
    parameter = load_template()["Parameters"]["TargetTrackingMetricResolution"]
    assert (sorted(parameter["AllowedValues"]), parameter["Default"]) == ([20, 60], 60)
