"""Control-plane benchmark (``make bench``): decision logic, handlers on moto, the workflow end to end.

Everything is measured in one run on one machine, so the ratios compare like with like. Writes
``bench/results/control_plane.json``.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "control_plane.json"
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING, END = "## Control plane", "<!-- control-plane:end -->"
EVENT = json.loads((ROOT / "events" / "alarm-cpu-emergency.json").read_text())


def _timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
    }


def bench_decision() -> dict[str, Any]:
    from autopilot.logic.scaling import decide_scale_out
    from autopilot.models.policy import ScalingPolicy
    from autopilot.models.scaling import ScaleOutInput, ServiceSnapshot, TargetSnapshot

    policy = ScalingPolicy()
    inp = ScaleOutInput(
        now=datetime(2026, 11, 27, tzinfo=UTC),
        service=ServiceSnapshot(cluster="c", service="s", desired=3, running=3, pending=0),
        target=TargetSnapshot(resource_id="service/c/s", min=3, max=20),
        observed_cpu=95.0,
        alarm_name="a",
        episode="e",
        task_hourly_usd=0.04937,
    )
    n = 20000
    start = time.perf_counter()
    for _ in range(n):
        decide_scale_out(inp, policy)
    elapsed = time.perf_counter() - start
    return {"decisions": n, "seconds": round(elapsed, 4), "decisions_per_second": round(n / elapsed)}


def _episode(hours_later: int) -> dict[str, Any]:
    event = copy.deepcopy(EVENT)
    when = datetime(2026, 11, 27, 14, 0, 5, tzinfo=UTC) + timedelta(hours=hours_later)
    event["time"] = when.isoformat().replace("+00:00", "Z")
    event["detail"]["state"]["timestamp"] = when.isoformat()
    return event


def bench_handlers() -> dict[str, Any]:
    import boto3
    from autopilot.handlers import emergency_scale
    from autopilot_cli.embedded.seed_stack import seed_stack
    from autopilot_cli.lambda_context import LocalLambdaContext
    from autopilot_cli.template_model import function_environment

    stack = seed_stack()
    os.environ.update(function_environment(stack.resolver, "EmergencyScaleFunction"))
    ctx = LocalLambdaContext(function_name="bench-emergency-scale")
    aas = boto3.client("application-autoscaling")
    table = boto3.resource("dynamodb").Table(stack.table_name)
    first: list[float] = []
    for hour in range(40):  # distinct episodes, two hours apart: each one acts
        aas.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=stack.resource_id,
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=3,
        )
        table.delete_item(Key={"pk": f"LEASE#{stack.resource_id}", "sk": "LEASE"})
        event = _episode(hour * 2)
        first += _timed(lambda event=event: emergency_scale.handler(event, ctx), 1)  # type: ignore[misc]
    replay = _timed(lambda: emergency_scale.handler(_episode(0), ctx), 200)
    return {"first_delivery": _summary(first), "replayed_delivery": _summary(replay)}


def bench_workflow() -> dict[str, Any]:
    from autopilot_cli.embedded.actuator import actuator_hook
    from autopilot_cli.embedded.lambda_router import LambdaRouter
    from autopilot_cli.embedded.seed_stack import seed_stack
    from autopilot_cli.embedded.workflow import deploy_workflow, envelope, start, wait_for

    stack = seed_stack()
    router = LambdaRouter(stack.resolver)
    router.before_invoke(actuator_hook(stack.resource_id, stack.region))
    samples = []
    with router.active():
        workflow = deploy_workflow(stack.resolver)
        for i in range(5):
            begin = time.perf_counter()
            arn = start(workflow, envelope(_episode(i * 2), seconds={"verify": 0, "approval_timeout": 1}))
            result = wait_for(arn, workflow.region, timeout=120)
            samples.append(time.perf_counter() - begin)
            if result.status != "SUCCEEDED":
                raise RuntimeError(f"workflow run {i} ended {result.status}: {result.error} {result.cause}")
    return {"scale_out_execution": _summary(samples)}


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "system": platform.system()}


def docs_section(results: dict[str, Any]) -> str:
    m, d = results["machine"], results["decision_logic"]
    h, w = results["handlers_on_moto"], results["workflow_on_moto"]["scale_out_execution"]
    first, replay = h["first_delivery"], h["replayed_delivery"]
    rows = [
        ("scaling decision (pure logic)", f"{d['decisions_per_second']:,} decisions/s"),
        (
            "EmergencyScale on moto, first delivery of an episode (observe, decide, lease, act, audit)",
            f"p50 {first['p50_ms']} ms, p99 {first['p99_ms']} ms (n={first['n']})",
        ),
        (
            "the same episode delivered again (the idempotency record answers)",
            f"p50 {replay['p50_ms']} ms, p99 {replay['p99_ms']} ms (n={replay['n']})",
        ),
        ("replayed / first delivery (p50)", str(results["ratios"]["replay_over_first_p50"])),
        (
            "whole scale-out workflow in moto's Step Functions (Assess, EmergencyScale, Verify, Notify)",
            f"p50 {w['p50_ms']:.0f} ms (n={w['n']})",
        ),
    ]
    table = "\n".join(f"| {what} | {figure} |" for what, figure in rows)
    return f"""{HEADING}

`make bench` on {m["cpus"]} cores ({m["cpu"]}), Python {m["python"]}, {results["when"]}; raw figures in
`bench/results/control_plane.json`. All in one run; the machine is shared and noisy, so compare ratios.

| what | figure |
| --- | --- |
{table}

The decision itself takes microseconds; an invocation's time is the AWS calls it makes. A duplicate
EventBridge delivery costs one DynamoDB read, not a second set of AWS calls.
{END}
"""


def write_docs(results: dict[str, Any]) -> None:
    section = docs_section(results)
    text = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else "# Benchmarks\n"
    if HEADING in text:  # this section runs from its heading to its end marker (the service's has none)
        after = text.split(HEADING, 1)[1]
        text = text.split(HEADING, 1)[0] + section.strip() + (after.split(END, 1)[1] if END in after else "\n")
    else:
        text = text.rstrip() + "\n\n" + section
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    from autopilot.settings.cache import clear_all
    from moto import mock_aws

    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-2",
            "AWS_REGION": "us-east-2",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "MAX_ACTIONS_PER_ALARM_PER_HOUR": "1000",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    results: dict[str, Any] = {
        "command": "make bench",
        "machine": machine(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    results["decision_logic"] = bench_decision()
    config: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
    with mock_aws(config=config):
        clear_all()
        results["handlers_on_moto"] = bench_handlers()
    with mock_aws(config=config):
        clear_all()
        results["workflow_on_moto"] = bench_workflow()
    handlers = results["handlers_on_moto"]
    results["ratios"] = {
        "replay_over_first_p50": round(
            handlers["replayed_delivery"]["p50_ms"] / handlers["first_delivery"]["p50_ms"], 3
        )
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_docs(results)
    import sys

    sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
