"""What a simulation is made of: the model's assumptions (each a stated default) and the template's policies.

Scaling policies and alarms are read from ``template.yaml`` with its parameter defaults (overridable), so the
simulator scales the way the stack deploys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autopilot_cli.embedded.seed_stack import ACCOUNT, REGION, STACK_NAME
from autopilot_cli.embedded.template_intrinsics import resolve, resources_of_type
from autopilot_cli.simulate.cloudwatch import AlarmDefinition
from autopilot_cli.template_model import Resolver, TemplateError, load_template, project_dir

SERVICE_BENCH = Path("bench") / "results" / "service.json"  # under the project directory
SAFETY_FACTOR = 40.0
FALLBACK_CAPACITY_RPS = 50.0  # the scaling guide's "~50 requests/second per task", if the bench file is absent
STRATEGIES = ("native-1min", "native-20s", "native-1min+autopilot", "native-20s+autopilot")


def bench_capacity(path: Path | None = None, safety_factor: float = SAFETY_FACTOR) -> tuple[float, str]:
    """Requests/s per task (one vCPU) for coalesced ingest, from the service benchmark, / the safety factor.

    The benchmark's service CPU per request (read from /proc, so it holds however busy the benchmark machine was)
    gives what one vCPU serves: 1,000,000 us / (us per request). Older result files carry only a throughput."""
    if safety_factor <= 0:
        raise ValueError(f"the safety factor must be > 0, got {safety_factor}")
    try:
        data = json.loads((path if path is not None else project_dir() / SERVICE_BENCH).read_text())
    except (OSError, ValueError):
        return FALLBACK_CAPACITY_RPS, "the scaling guide's ~50 req/s per task (no service benchmark found)"
    try:
        coalesced = data["servers"]["uvicorn"]["wrk"]["scenarios"]["single_coalesced"]
        per_vcpu = 1_000_000 / float(coalesced["service_cpu_us_per_request"])
        source = (
            f"{per_vcpu:.0f} req/s per vCPU (coalesced ingest, service CPU per request, bench/results/service.json)"
        )
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        try:
            per_vcpu = float(data["scenarios"]["single_coalesced"]["rps"])
            source = f"{per_vcpu:.0f} req/s coalesced ingest (bench/results/service.json)"
        except (KeyError, TypeError, ValueError):
            return FALLBACK_CAPACITY_RPS, "the scaling guide's ~50 req/s per task (no service benchmark found)"
    return per_vcpu / safety_factor, f"{source} / {safety_factor:g}"


@dataclass(frozen=True)
class Assumptions:
    """The model's free figures. Sources are in docs/benchmarks.md; "stated default" means no AWS figure."""

    capacity_rps: float
    capacity_source: str = "given"
    publication_delay_60_s: int = 150  # calibrated: 3 x 60 s + 30 s alignment + 150 s = 360 s, AWS reports 363 s
    publication_delay_20_s: int = 20  # calibrated: 3 x 20 s + 10 s alignment + 20 s = 90 s, AWS reports 86 s
    task_start_s: int = 60  # stated default: image pull, start, two ALB health checks
    queue_timeout_s: float = 30.0  # stated default
    p99_slo_s: float = 1.0  # the template's LatencyP99Seconds
    sweep_every_s: int = 300  # the sweeper's rate(5 minutes)
    redeliver_after_s: int | None = None  # EventBridge at-least-once: deliver every alarm event again this late
    lose_ok_events: bool = False  # never deliver an alarm's OK event (the sweeper must bring the floor down)


@dataclass(frozen=True)
class Strategy:
    name: str
    high_resolution: bool
    autopilot: bool

    @classmethod
    def parse(cls, name: str) -> Strategy:
        if name not in STRATEGIES:
            raise ValueError(f"unknown strategy {name!r}: use one of {', '.join(STRATEGIES)}")
        return cls(name, "20s" in name, name.endswith("+autopilot"))


@dataclass(frozen=True)
class TrackingSpec:
    name: str
    metric: str
    target: float
    high_resolution_capable: bool


@dataclass(frozen=True)
class Policies:
    """The template's native scaling and the alarms that matter to capacity, resolved."""

    min_capacity: int
    max_capacity: int
    ceiling: int
    scale_out_cooldown: int
    scale_in_cooldown: int
    tracking: tuple[TrackingSpec, ...]
    step_percent: float
    step_min: int
    step_cooldown: int
    emergency: AlarmDefinition
    at_max: AlarmDefinition
    workers: int
    task_cpu: float
    task_memory_gb: float
    drain_s: int
    parameters: dict[str, str] = field(default_factory=dict)


_METRICS = {
    "ECSServiceAverageCPUUtilization": ("cpu", True),
    "ECSServiceAverageCPUUtilizationHighResolution": ("cpu", True),
    "ECSServiceAverageMemoryUtilization": ("memory", True),
    "ECSServiceAverageMemoryUtilizationHighResolution": ("memory", True),
    "ALBRequestCountPerTarget": ("requests", False),
}


def _resolver(parameters: dict[str, str]) -> Resolver:
    resolver = Resolver(load_template(), stack_name=STACK_NAME, region=REGION, account=ACCOUNT)
    unknown = sorted(set(parameters) - set(resolver.template.get("Parameters", {})))
    if unknown:
        raise TemplateError(f"template.yaml has no parameter {', '.join(unknown)}; check the name")
    resolver.parameters.update(parameters)
    return resolver


def _alarm(resolver: Resolver, logical_id: str) -> AlarmDefinition:
    props = resolver.template["Resources"][logical_id]["Properties"]
    keys = ("AlarmName", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator")
    resolved = {k: resolve(resolver, props[k]) for k in (*keys, "TreatMissingData", "Statistic") if k in props}
    return AlarmDefinition.from_properties(resolved)


def read_policies(parameters: dict[str, str] | None = None) -> Policies:
    """The template's scaling policies, alarms and task size, with ``parameters`` overriding defaults."""
    resolver = _resolver(dict(parameters or {}))
    p = resolver.parameters
    tracking: list[TrackingSpec] = []
    step: dict[str, Any] = {}
    for logical_id, res in resources_of_type(resolver.template, "AWS::ApplicationAutoScaling::ScalingPolicy").items():
        props = res["Properties"]
        if "TargetTrackingScalingPolicyConfiguration" in props:
            cfg = props["TargetTrackingScalingPolicyConfiguration"]
            kind = str(resolve(resolver, cfg["PredefinedMetricSpecification"]["PredefinedMetricType"]))
            if kind not in _METRICS:
                raise TemplateError(f"{logical_id}: the simulator does not model the metric {kind}")
            metric, capable = _METRICS[kind]
            tracking.append(TrackingSpec(logical_id, metric, float(resolve(resolver, cfg["TargetValue"])), capable))
        else:
            step = {k: resolve(resolver, v) for k, v in props["StepScalingPolicyConfiguration"].items()}
    if not step:
        raise TemplateError("template.yaml has no step scaling policy; the simulator expects the emergency step")
    return Policies(
        min_capacity=int(p["MinCapacity"]),
        max_capacity=int(p["MaxCapacity"]),
        ceiling=int(p["CapacityCeiling"]),
        scale_out_cooldown=int(p["ScaleOutCooldownSeconds"]),
        scale_in_cooldown=int(p["ScaleInCooldownSeconds"]),
        tracking=tuple(tracking),
        step_percent=float(step["StepAdjustments"][0]["ScalingAdjustment"]),
        step_min=int(step.get("MinAdjustmentMagnitude", 1)),
        step_cooldown=int(step.get("Cooldown", 0)),
        emergency=_alarm(resolver, "CpuEmergencyAlarm"),
        at_max=_alarm(resolver, "AtMaxCapacityAlarm"),
        workers=int(p["WorkersPerTask"]),
        task_cpu=int(p["TaskCpu"]) / 1024,
        task_memory_gb=int(p["TaskMemory"]) / 1024,
        drain_s=int(p["DeregistrationDelaySeconds"]),
        parameters=dict(parameters or {}),
    )


def default_assumptions(capacity_rps: float | None = None, safety_factor: float = SAFETY_FACTOR) -> Assumptions:
    if capacity_rps is not None:
        if capacity_rps <= 0:
            raise ValueError(f"capacity must be > 0 req/s per task, got {capacity_rps}")
        return Assumptions(capacity_rps=capacity_rps, capacity_source="given on the command line")
    rps, source = bench_capacity(safety_factor=safety_factor)
    return Assumptions(capacity_rps=rps, capacity_source=source)


def with_changes(assumptions: Assumptions, **changes: Any) -> Assumptions:
    return replace(assumptions, **changes)
