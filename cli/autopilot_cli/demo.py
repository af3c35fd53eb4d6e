"""``make demo``: one incident on the embedded stack, told step by step.

The scaling guide's stack is created in an embedded AWS (moto on 127.0.0.1); the real handlers run with their
environment from template.yaml, in virtual time taken from the events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from rich.panel import Panel
from rich.table import Table

from autopilot_cli.embedded.actuator import reconcile_capacity
from autopilot_cli.embedded.seed_stack import EmbeddedStack, seed_stack
from autopilot_cli.embedded.server import client_environment, patched_environ, running_server
from autopilot_cli.invoke import run_handler
from autopilot_cli.output import console
from autopilot_cli.template_model import function_environment

EVENTS = Path(__file__).resolve().parents[2] / "events"


@contextmanager
def embedded_stack() -> Iterator[EmbeddedStack]:
    with running_server() as port, patched_environ(client_environment(port, "us-east-2")):
        yield seed_stack()


def _event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _capacity(stack: EmbeddedStack) -> str:
    target = boto3.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[stack.resource_id]
    )["ScalableTargets"][0]
    svc = boto3.client("ecs").describe_services(cluster=stack.cluster, services=[stack.service])["services"][0]
    return (
        f"MinCapacity {target['MinCapacity']} / MaxCapacity {target['MaxCapacity']}; "
        f"desired {svc['desiredCount']}, running {svc['runningCount']}"
    )


def _step(stack: EmbeddedStack, title: str, function: str, payload: Any) -> dict[str, Any]:
    result: dict[str, Any] = run_handler(function, payload, function_environment(stack.resolver, function))
    reconcile_capacity(stack.resource_id, stack.region)
    lines = [f"[bold]{result.get('summary', '')}[/]"]
    if result.get("reason"):
        lines.append(f"why: {result['reason']}")
    lines.append(f"now: {_capacity(stack)}")
    console.print(Panel("\n".join(lines), title=f"{title}  [dim]({function})[/]", expand=True))
    return result


def _audit_table(stack: EmbeddedStack) -> Table:
    items = boto3.resource("dynamodb").Table(stack.table_name).scan()["Items"]
    records = sorted((i for i in items if str(i["pk"]).startswith("AUDIT#")), key=lambda i: str(i["sk"]))
    table = Table(title="Audit trail (DynamoDB): every decision, taken or skipped")
    for column, width in (("time", 8), ("function", 16), ("action", 13), ("taken", 5), ("reason", None)):
        table.add_column(column, overflow="fold", min_width=width)
    for item in records:
        table.add_row(
            str(item["at"]), str(item["function"]), str(item["action"]), str(item["taken"]), str(item["reason"])[:140]
        )
    return table


def _cost(stack: EmbeddedStack) -> None:
    from autopilot_cli.cost_command import render_cost_report

    env = function_environment(stack.resolver, "CostReportFunction")
    console.print(Panel(render_cost_report(env, "md"), title="Cost report (CostReportFunction)", expand=True))


def run_demo() -> None:
    console.rule("[bold]Sensor Autopilot — demo on the embedded AWS (no account)")
    with embedded_stack() as stack:
        console.print(
            f"Seed stack: cluster {stack.cluster}, service {stack.service}; {_capacity(stack)}; "
            f"RDS {stack.primary_id} + {stack.replica_id}"
        )
        alarm = _event("alarm-cpu-emergency.json")
        decision = _step(stack, "14:00 CPU emergency alarm (95 %)", "EmergencyScaleFunction", alarm)
        _step(stack, "EventBridge delivers the same alarm again", "EmergencyScaleFunction", alarm)
        recovered = _event("alarm-cpu-recovered.json")
        _step(stack, "14:20 alarm back to OK", "RestoreCapacityFunction", recovered)
        ok_at = datetime.fromisoformat(recovered["time"].replace("Z", "+00:00"))
        later = (ok_at + timedelta(seconds=181)).isoformat()
        _step(
            stack,
            "14:23 OK for longer than the scale-in cooldown",
            "RestoreCapacityFunction",
            {"trigger": recovered, "now": later},
        )
        _step(stack, "15:05 sweeper (every 5 minutes)", "SweeperFunction", _event("schedule-sweeper.json"))
        console.print(_audit_table(stack))
        _cost(stack)
        console.print(
            f"Decision of the incident: {decision.get('summary')}\n"
            "After the restore, target tracking scales the service in from the desired count at its own pace."
        )
    console.rule("[bold green]demo complete")
