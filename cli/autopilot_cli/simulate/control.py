"""The autopilot's control plane in the simulation: the real handlers against moto, in virtual time.

CloudWatch in moto never evaluates alarms, so the simulator writes each alarm's state and its timestamp into
moto's backend object at the virtual time the change happens (``set_alarm_state`` would stamp the wall clock),
then publishes the "CloudWatch Alarm State Change" event, matched against the template's own EventBridge rule.
``fast`` runs the workflow's handler sequence in-process (Assess, then EmergencyScale or RestoreCapacity);
otherwise the real state machine runs in moto's Step Functions with the Lambda tasks routed to the handlers.
The sweeper runs on its 5-minute schedule. Every handler sees the virtual clock as "now".
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from autopilot.adapters.state_table import StateTable
from autopilot.clock import use_clock
from autopilot.logic.task_price import price_table
from autopilot.settings.common import get_common_settings
from autopilot.settings.cost import get_cost_settings
from autopilot.settings.replica import get_replica_settings
from autopilot.settings.scaling import get_scaling_settings
from moto import mock_aws
from moto.cloudwatch.models import cloudwatch_backends
from moto.dynamodb.models import dynamodb_backends
from moto.ecs.models import ecs_backends
from moto.events.models import EventPattern

from autopilot_cli.embedded.seed_stack import EmbeddedStack, seed_stack
from autopilot_cli.embedded.server import patched_environ
from autopilot_cli.invoke import logs_to_stderr
from autopilot_cli.lambda_context import LocalLambdaContext
from autopilot_cli.simulate.cloudwatch import AlarmDefinition
from autopilot_cli.simulate.events import EPOCH, Where, alarm_event, at, reason_data, scheduled_event
from autopilot_cli.template_model import function_environment, function_handler, function_settings

MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
ENV = {
    "AWS_ACCESS_KEY_ID": "simulation",
    "AWS_SECRET_ACCESS_KEY": "simulation",
    "AWS_SESSION_TOKEN": "simulation",
    "AWS_DEFAULT_REGION": "us-east-2",
    "AWS_REGION": "us-east-2",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}
_UNSET = ("AWS_ENDPOINT_URL", "AWS_PROFILE")  # moto in-process, never a server or an account


@dataclass
class Action:
    """Something the control plane decided, taken or not (from a handler's result)."""

    second: int
    function: str
    action: str
    taken: bool
    summary: str
    alarm: str | None = None
    trigger_state: str | None = None
    trigger_second: int | None = None
    alarm_state_then: str | None = None
    alarm_since_then: int | None = None


@dataclass
class ControlPlane:
    stack: EmbeddedStack = field(repr=False)
    fast: bool = True
    actions: list[Action] = field(default_factory=list, repr=False)
    _pattern: EventPattern | None = field(default=None, repr=False)
    _workflow: Any = field(default=None, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    # RestoreCapacity answers "look again at <time>" while the cooldown runs: the workflow's WaitForCooldown and
    # RecheckRestore, replayed in fast mode at that virtual second.
    _rechecks: list[tuple[int, dict[str, Any], dict[str, Any]]] = field(default_factory=list, repr=False)

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self.stack.region)  # type: ignore[call-overload]
        return self._clients[service]

    def _table(self) -> Any:
        if "table" not in self._clients:
            dynamodb = boto3.resource("dynamodb", region_name=self.stack.region)
            self._clients["table"] = dynamodb.Table(self.stack.table_name)
        return self._clients["table"]

    # ---------------------------------------------------------------- state shared with the model
    def reset(self, min_capacity: int, max_capacity: int) -> None:
        """A fresh run on the same stack: empty state table, original bounds, settled service, alarms OK.

        The table is emptied in moto itself, as the service and the alarms are set below: a Scan and a batch of
        deletes through the API cost a tenth of a short run's CPU, to read back every record the last run wrote."""
        dynamodb_backends[self.stack.account][self.stack.region].get_table(self.stack.table_name).items.clear()
        self._client("application-autoscaling").register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=self.stack.resource_id,
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=min_capacity,
            MaxCapacity=max_capacity,
        )
        self.sync_service(min_capacity, min_capacity, 0)
        for alarm in self._alarms().values():
            alarm.update_state("simulation start", "{}", "OK")
            alarm.state_updated_timestamp = EPOCH.replace(tzinfo=None)
        self.actions = []
        self._rechecks = []

    def sync_service(self, desired: int, running: int, pending: int) -> None:
        """Write the model's task counts into moto's ECS service (what DescribeServices returns)."""
        service = ecs_backends[self.stack.account][self.stack.region].services[
            f"{self.stack.cluster}:{self.stack.service}"
        ]
        service.desired_count, service.running_count, service.pending_count = desired, running, pending
        for deployment in service.deployments:
            deployment.update({"desiredCount": desired, "runningCount": running, "pendingCount": pending})

    def bounds(self) -> tuple[int, int]:
        target = self._client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs", ResourceIds=[self.stack.resource_id]
        )["ScalableTargets"][0]
        return int(target["MinCapacity"]), int(target["MaxCapacity"])

    def has_floor_lease(self) -> bool:
        """Whether the target's raised floor is on lease (read as the functions read it)."""
        return StateTable(self._table()).get_lease(self.stack.resource_id) is not None

    def has_any_lease(self) -> bool:
        """A raised floor or a raised maximum: what the sweeper has to look at."""
        max_lease = StateTable(self._table()).get_max_lease(self.stack.resource_id)
        return self.has_floor_lease() or max_lease is not None

    def _alarms(self) -> dict[str, Any]:
        return cloudwatch_backends[self.stack.account][self.stack.region].alarms  # type: ignore[no-any-return]

    # ---------------------------------------------------------------- CloudWatch in virtual time
    def set_alarm(self, definition: AlarmDefinition, state: str, second: int, points: list[float]) -> dict[str, Any]:
        """Change the alarm in moto at virtual ``second``; returns the state-change event CloudWatch sends."""
        alarm = self._alarms()[definition.name]
        previous = (alarm.state_value, alarm.state_updated_timestamp)
        reason = reason_data(definition, points)
        alarm.update_state(reason[0], reason[1], state)
        alarm.state_updated_timestamp = at(second).replace(tzinfo=None)
        return alarm_event(self._where(), definition, state, second, reason, previous)

    def _where(self) -> Where:
        s = self.stack
        return Where(s.account, s.region, s.cluster, s.service, s.resolver.stack_name)

    def routed(self, event: dict[str, Any]) -> bool:
        """Whether the template's EventBridge rule sends this event to the workflow."""
        if self._pattern is None:
            resolver = self.stack.resolver
            events = resolver.template["Resources"]["RemediationStateMachine"]["Properties"]["Events"]
            pattern = resolver.resolve(events["AlarmStateChange"]["Properties"]["Pattern"])
            self._pattern = EventPattern.load(json.dumps(pattern))
        return bool(self._pattern.matches_event(event))  # type: ignore[arg-type]

    # ---------------------------------------------------------------- the functions
    def _call(self, logical_id: str, payload: dict[str, Any], second: int) -> Any:
        """The function's handler with its template environment and a LambdaContext, as ``autopilot invoke``
        runs it; boto3 clients are kept between calls (a warm Lambda), settings are re-read per function."""
        template = self.stack.resolver.template
        module_name, _, attribute = function_handler(template, logical_id).rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        limits = function_settings(template, logical_id)
        name = f"{self.stack.resolver.stack_name}-{logical_id}"
        context = LocalLambdaContext(
            function_name=name, memory_limit_in_mb=limits["memory"], timeout_seconds=limits["timeout"]
        )
        env = {**function_environment(self.stack.resolver, logical_id), **ENV, "AWS_LAMBDA_FUNCTION_NAME": name}
        with patched_environ(env), use_clock(lambda: at(second)), contextlib.redirect_stderr(io.StringIO()):
            _forget_settings()
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    return handler(payload, context)
            finally:
                _forget_settings()

    def deliver(self, event: dict[str, Any], second: int) -> None:
        """EventBridge delivers ``event`` at virtual ``second``: run the workflow (or its handler sequence)."""
        if not self.routed(event):
            return
        payload = {"trigger": event, "now": at(second).isoformat(), "seconds": {"verify": 0, "approval_timeout": 1}}
        if self.fast:
            self._fast(payload, event, second)
        else:
            self._workflow_run(payload, event, second)

    def _record(self, second: int, function: str, result: dict[str, Any], event: dict[str, Any] | None) -> None:
        detail = (event or {}).get("detail", {})
        trigger_at = detail.get("state", {}).get("timestamp")
        alarm_name = detail.get("alarmName")
        state_then, since_then = None, None
        if alarm_name:
            current = self._alarms()[alarm_name]
            state_then = current.state_value
            since_then = int((current.state_updated_timestamp.replace(tzinfo=UTC) - EPOCH).total_seconds())
        self.actions.append(
            Action(
                second=second,
                function=function,
                action=str(result.get("action", "none")),
                taken=bool(result.get("taken")),
                summary=str(result.get("summary", "")),
                alarm=alarm_name,
                trigger_state=detail.get("state", {}).get("value"),
                trigger_second=int((datetime.fromisoformat(trigger_at) - EPOCH).total_seconds())
                if trigger_at
                else None,
                alarm_state_then=state_then,
                alarm_since_then=since_then,
            )
        )

    def _fast(self, payload: dict[str, Any], event: dict[str, Any], second: int) -> None:
        assessment = self._call("AssessFunction", payload, second)
        kind = assessment.get("kind")
        function = {"scale-out": "EmergencyScaleFunction", "recovered": "RestoreCapacityFunction"}.get(kind)
        if function is None:
            return
        result = self._call(function, payload, second)
        self._record(second, function, result, event)
        wait = result.get("recheck_in_seconds") if function == "RestoreCapacityFunction" else None
        if isinstance(wait, int) and wait >= 0:
            self._rechecks.append((second + wait, payload | {"restore": result}, event))

    def rechecks_due(self, second: int) -> bool:
        return any(due <= second for due, _, _ in self._rechecks)

    def run_rechecks(self, second: int) -> None:
        """RecheckRestore of the runs whose cooldown is over by ``second``."""
        due = [entry for entry in self._rechecks if entry[0] <= second]
        self._rechecks = [entry for entry in self._rechecks if entry[0] > second]
        for _, payload, event in due:
            self._record(
                second, "RestoreCapacityFunction", self._call("RestoreCapacityFunction", payload, second), event
            )

    def _workflow_run(self, payload: dict[str, Any], event: dict[str, Any], second: int) -> None:
        from autopilot_cli.embedded.workflow import fail_approval, pending_approval, start, wait_for

        arn = start(self._workflow, payload)
        with use_clock(lambda: at(second)), contextlib.redirect_stderr(io.StringIO()):
            for _ in range(3):
                request = pending_approval(arn, self.stack.region)
                if request is not None:
                    fail_approval(request.task_token, "NoOperator", "no operator in a simulation", self.stack.region)
                result = wait_for(arn, self.stack.region, timeout=60)
                if result.status != "RUNNING":
                    break
        for name in ("decision", "restore"):
            out = (result.output or {}).get(name, {}) if isinstance(result.output, dict) else {}
            out = out.get("output", out) if isinstance(out, dict) else {}
            if out:
                function = "EmergencyScaleFunction" if name == "decision" else "RestoreCapacityFunction"
                self._record(second, function, out, event)

    def sweep(self, second: int) -> None:
        """The 5-minute sweeper. With no lease in the table it would read, find nothing and change nothing, so
        that run is skipped to keep long simulations fast."""
        if not self.has_any_lease():
            return
        event = scheduled_event(self._where(), second)
        result = self._call("SweeperFunction", event, second)
        for entry in result.get("restored", []):
            self._record(second, "SweeperFunction", entry, None)

    def audit(self) -> list[dict[str, Any]]:
        items = self._table().scan()["Items"]
        return [dict(i) for i in items if str(i["pk"]).startswith("AUDIT#")]


def _forget_settings() -> None:
    for cached in (get_common_settings, get_scaling_settings, get_replica_settings, get_cost_settings, price_table):
        cached.cache_clear()


@contextlib.contextmanager
def control_plane(fast: bool = True, parameters: dict[str, str] | None = None) -> Iterator[ControlPlane]:
    """moto in-process with the seed stack from template.yaml (and, unless ``fast``, the workflow)."""
    from autopilot.observability import logger

    level = logger.log_level
    logger.setLevel("ERROR")  # the functions' own logs are not the simulation's output
    logs_to_stderr()
    try:
        with _environment(), mock_aws(config=MOTO_CONFIG):
            stack = seed_stack(parameters=parameters)
            plane = ControlPlane(stack, fast=fast)
            if fast:
                yield plane
                return
            from autopilot_cli.embedded.lambda_router import LambdaRouter
            from autopilot_cli.embedded.workflow import deploy_workflow, instant_waits

            router = LambdaRouter(stack.resolver)
            with router.active(), instant_waits():
                plane._workflow = deploy_workflow(stack.resolver)
                yield plane
    finally:
        logger.setLevel(level)  # the process's own logging as it was


@contextlib.contextmanager
def _environment() -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in _UNSET if name in os.environ}
    try:
        with patched_environ(ENV):
            yield
    finally:
        os.environ.update(saved)
