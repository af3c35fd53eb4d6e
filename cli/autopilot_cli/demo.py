"""``make demo``: one incident on the embedded stack, through the real remediation workflow.

The scaling guide's stack is created from ``template.yaml`` in an embedded AWS (moto on 127.0.0.1); the state
machine is the real ASL file, executed by moto's Step Functions, and its Lambda tasks run the real handlers
in-process. Time is virtual: decisions take their time from the events.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from autopilot.models.cost import CostReport
from rich.markup import escape

from autopilot_cli.demo_panels import approval_panel, audit_table, cost_panel, execution_panel
from autopilot_cli.embedded.actuator import actuator_hook
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.embedded.lambda_router import LambdaRouter
from autopilot_cli.embedded.seed_stack import EmbeddedStack, seed_stack
from autopilot_cli.embedded.server import client_environment, patched_environ, running_server
from autopilot_cli.embedded.session import state_dir
from autopilot_cli.embedded.workflow import (
    DeployedWorkflow,
    ExecutionResult,
    deploy_workflow,
    envelope,
    start,
    wait_for,
    wait_for_approval,
)
from autopilot_cli.invoke import logs_to_stderr, run_handler
from autopilot_cli.output import console
from autopilot_cli.template_model import events_dir, function_environment

FAST_WAITS = {"verify": 0, "approval_timeout": 60}
SERVER_LOG = "demo-server.log"
# Powertools warns when a handler flushes no metric; several handlers rightly record none for a decision.
EMPTY_METRICS_WARNING = r"No application metrics to publish"


def _quiet_functions() -> None:
    """The story is told on stdout; the functions' JSON logs (warnings only) go to stderr, metrics nowhere.

    Only Powertools' "no metrics" notice is filtered, by its message: any other warning still shows.
    """
    from autopilot.observability import logger

    logger.setLevel("WARNING")
    logs_to_stderr()
    warnings.filterwarnings("ignore", message=EMPTY_METRICS_WARNING, category=UserWarning)


@contextmanager
def embedded_workflow(log_file: Path) -> Iterator[tuple[EmbeddedStack, DeployedWorkflow]]:
    """The embedded AWS with the seed stack and the workflow; Lambda tasks routed to the handlers."""
    env = {**client_environment(0, "us-east-2"), "POWERTOOLS_METRICS_DISABLED": "true"}
    with running_server(log_file) as port, patched_environ({**env, **client_environment(port, "us-east-2")}):
        stack = seed_stack()
        router = LambdaRouter(stack.resolver)
        router.before_invoke(actuator_hook(stack.resource_id, stack.region))
        with router.active():
            yield stack, deploy_workflow(stack.resolver)


def _event(name: str) -> dict[str, Any]:
    return json.loads((events_dir() / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _at(event: dict[str, Any], minutes: int) -> dict[str, Any]:
    """The same alarm, a new episode ``minutes`` after the sample's."""
    moved = copy.deepcopy(event)
    when = datetime.fromisoformat(event["time"].replace("Z", "+00:00")) + timedelta(minutes=minutes)
    moved["time"] = when.isoformat().replace("+00:00", "Z")
    moved["detail"]["state"]["timestamp"] = when.isoformat()
    return moved


def _capacity(stack: EmbeddedStack) -> str:
    target = boto3.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[stack.resource_id]
    )["ScalableTargets"][0]
    svc = boto3.client("ecs").describe_services(cluster=stack.cluster, services=[stack.service])["services"][0]
    return (
        f"MinCapacity {target['MinCapacity']} / MaxCapacity {target['MaxCapacity']}; "
        f"desired {svc['desiredCount']}, running {svc['runningCount']}"
    )


def _show(stack: EmbeddedStack, title: str, result: ExecutionResult) -> None:
    output = result.output if isinstance(result.output, dict) else {}
    console.print(execution_panel(title, result.entered_states(), result.status, output, _capacity(stack)))


def _run(stack: EmbeddedStack, workflow: DeployedWorkflow, title: str, payload: dict[str, Any]) -> ExecutionResult:
    mirror_alarm_state(payload, workflow.region)
    result = wait_for(start(workflow, payload), workflow.region, timeout=120)
    _show(stack, title, result)
    return result


def _approval_episode(stack: EmbeddedStack, workflow: DeployedWorkflow) -> None:
    boto3.client("ecs").update_service(cluster=stack.cluster, service=stack.service, desiredCount=20)
    alarm = _at(_event("alarm-cpu-emergency.json"), 120)
    payload = envelope(alarm, now=alarm["time"], seconds=FAST_WAITS)
    mirror_alarm_state(payload, workflow.region)
    arn = start(workflow, payload)
    request = wait_for_approval(arn, workflow.region, timeout=60)
    summary = request.message.get("approval_request", {}).get("summary", "")
    console.print(
        approval_panel(
            "16:00 still in alarm at MaxCapacity: approval requested",
            summary,
            f"approved by sre-on-call (autopilot approve {request.approval_id})",
        )
    )
    _approve_by_id(stack, request.approval_id, datetime.fromisoformat(alarm["time"].replace("Z", "+00:00")))
    _show(stack, "16:00 approved", wait_for(arn, workflow.region, timeout=120))


def _approve_by_id(stack: EmbeddedStack, approval_id: str | None, now: datetime) -> None:
    """What ``autopilot approve ID`` does: the ops operation answers; the task token never leaves the table."""
    from autopilot.adapters.clients import aws_clients
    from autopilot.models.ops import ApprovalAnswer, Caller
    from autopilot.operations.ops_approvals import answer
    from autopilot.settings.cache import clear_all
    from autopilot.settings.ops import get_ops_settings

    if approval_id is None:
        raise RuntimeError("the workflow asked for an approval that was not recorded")
    with patched_environ(function_environment(stack.resolver, "OpsApiFunction")):
        clear_all()
        sre = Caller(arn=f"arn:aws:iam::{stack.account}:user/sre-on-call")
        settings = get_ops_settings()
        answer(aws_clients(settings.aws_region), approval_id, ApprovalAnswer(decision="approve"), sre, now, settings)
    clear_all()


def _audit(stack: EmbeddedStack) -> None:
    items = boto3.resource("dynamodb").Table(stack.table_name).scan()["Items"]
    records = sorted((i for i in items if str(i["pk"]).startswith("AUDIT#")), key=lambda i: str(i["sk"]))
    console.print(audit_table(records))


def _cost(stack: EmbeddedStack) -> None:
    result = run_handler(
        "CostReportFunction",
        _event("schedule-cost-report.json"),
        function_environment(stack.resolver, "CostReportFunction"),
    )
    key = result["delivery"]["json_key"]
    stored = boto3.client("s3").get_object(Bucket=stack.bucket, Key=key)["Body"].read()
    where = f"Full report (Markdown and JSON) in S3 bucket {stack.bucket}, key {result['delivery']['markdown_key']}."
    console.print(cost_panel(CostReport.model_validate_json(stored), where))


def _simulation() -> None:
    """The same control plane under load: the seed's timeline and a flash crowd, native scaling vs the autopilot."""
    from autopilot_cli.simulate import demo_renderable

    console.rule("[bold]Simulated load: native autoscaling vs the autopilot (`autopilot simulate`)")
    console.print(demo_renderable(("seed", "flash-crowd")))


def run_demo() -> None:
    _quiet_functions()
    console.rule("[bold]Sensor Autopilot — one incident on the embedded AWS (no account, no Docker)")
    log_file = state_dir() / SERVER_LOG
    with embedded_workflow(log_file) as (stack, workflow):
        console.print(
            f"Seed stack from template.yaml: {stack.cluster}/{stack.service}, {_capacity(stack)}; "
            f"RDS {stack.primary_id} + {stack.replica_id}"
        )
        alarm = _event("alarm-cpu-emergency.json")
        _run(
            stack,
            workflow,
            "14:00 CPU emergency alarm (95 %) → remediation workflow",
            envelope(alarm, now=alarm["time"], seconds=FAST_WAITS),
        )
        _run(
            stack,
            workflow,
            "14:00 EventBridge delivers the same alarm again (at least once)",
            envelope(alarm, now=alarm["time"], seconds=FAST_WAITS),
        )
        recovered = _event("alarm-cpu-recovered.json")
        ok_at = datetime.fromisoformat(recovered["time"].replace("Z", "+00:00"))
        _run(
            stack,
            workflow,
            "14:23 alarm OK for longer than the 180 s scale-in cooldown",
            envelope(recovered, now=ok_at + timedelta(seconds=181), seconds=FAST_WAITS),
        )
        _approval_episode(stack, workflow)
        _audit(stack)
        _cost(stack)
    _simulation()
    console.rule("[bold green]demo complete — every step above ran the real ASL and the real handlers")
    console.print("The embedded AWS logged each request it served to:")
    console.print(escape(str(log_file)), overflow="fold", highlight=False)
