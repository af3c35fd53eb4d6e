"""The remediation workflow in whatever AWS boto3 points at (moto in-process, or the embedded server).

:func:`deploy_workflow` creates the functions (dummy code: a :class:`~autopilot_cli.embedded.lambda_router.
LambdaRouter` runs the real handlers) and the state machine from ``template.yaml``'s own definition, with its
``DefinitionSubstitutions`` applied here because moto ignores them. :func:`start` starts an execution,
:func:`wait_for` polls DescribeExecution until it ends (bounded), and :func:`wait_for_approval`,
:func:`answer_approval` and :func:`fail_approval` drive the approval callbacks.
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from autopilot_cli.embedded.asl_cache import share_parsed_definitions
from autopilot_cli.embedded.execution_ends import ends_so_far, wait_for_an_end
from autopilot_cli.embedded.execution_ends import install as install_end_signal
from autopilot_cli.embedded.harness_clients import harness_clients
from autopilot_cli.embedded.sfn_lambda_client import share_task_clients
from autopilot_cli.template_model import Resolver, function_ids, template_path

STATE_MACHINE_ID = "RemediationStateMachine"
APPROVAL_RESOURCE = "arn:aws:states:::lambda:invoke.waitForTaskToken"
_APPROVAL_ACTION = "invoke.waitForTaskToken"
_TASK_ENDED = {"TaskSucceeded", "TaskFailed", "TaskTimedOut", "TaskAborted"}
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


class WorkflowError(Exception):
    """The workflow could not be deployed, started or followed; the message says what to do."""


@dataclass(frozen=True)
class DeployedWorkflow:
    state_machine_arn: str
    function_arns: dict[str, str]
    substitutions: dict[str, str]
    region: str


@dataclass(frozen=True)
class ExecutionResult:
    execution_arn: str
    status: str
    output: Any
    error: str | None
    cause: str | None
    events: list[dict[str, Any]] = field(repr=False)

    def entered_states(self) -> list[str]:
        """Names of the states entered, in order (a state entered again is listed again)."""
        return [str(e["stateEnteredEventDetails"]["name"]) for e in self.events if "stateEnteredEventDetails" in e]


@dataclass(frozen=True)
class ApprovalRequest:
    task_token: str
    state: str
    message: dict[str, Any]
    approval_id: str | None = None


def definition_path(template: dict[str, Any]) -> Path:
    props = _state_machine_properties(template)
    uri = props.get("DefinitionUri")
    if not isinstance(uri, str):
        raise WorkflowError(f"{STATE_MACHINE_ID} in template.yaml needs DefinitionUri pointing at the ASL file")
    return template_path().parent / uri


def substitutions(resolver: Resolver, function_arns: dict[str, str]) -> dict[str, str]:
    """``DefinitionSubstitutions`` of the template, resolved (functions' ``.Arn`` from ``function_arns``)."""
    arns = {f"{logical_id}.Arn": arn for logical_id, arn in function_arns.items()}
    with_arns = replace(resolver, attributes={**resolver.attributes, **arns})
    subs = _state_machine_properties(resolver.template).get("DefinitionSubstitutions", {})
    return {name: str(with_arns.resolve(value)) for name, value in subs.items()}


def apply_substitutions(definition: str, values: dict[str, str]) -> str:
    """Replace every ``${Name}``, as CloudFormation does; a name with no value is an error."""
    missing = sorted({name for name in _PLACEHOLDER.findall(definition) if name not in values})
    if missing:
        raise WorkflowError(
            f"the state machine definition uses {', '.join(missing)} but DefinitionSubstitutions in "
            "template.yaml does not define them; add them there"
        )
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], definition)


@contextmanager
def instant_waits() -> Iterator[None]:
    """Wait states take no real time while the block runs: for executions in virtual time (tests, simulations),
    where the handlers decide at the time the waiting state named (RecheckRestore at the end of the cooldown)."""
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    original = WaitFunction._wait_interval
    WaitFunction._wait_interval = lambda self, env, wait_seconds: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        WaitFunction._wait_interval = original  # type: ignore[method-assign]


def deploy_workflow(resolver: Resolver) -> DeployedWorkflow:
    """Create the Lambda functions and the state machine of ``template.yaml``; returns their ARNs."""
    share_parsed_definitions()
    share_task_clients()
    install_end_signal()
    region = resolver.region
    role_arn = _role(region, f"{resolver.stack_name}-workflow")
    lam = harness_clients(region).lambda_
    arns: dict[str, str] = {}
    code = _dummy_zip()
    defaults = resolver.template.get("Globals", {}).get("Function", {})
    for logical_id in function_ids(resolver.template):
        props = resolver.template["Resources"][logical_id]["Properties"]
        created = lam.create_function(
            FunctionName=f"{resolver.stack_name}-{logical_id}",
            Runtime="python3.13",
            Role=role_arn,
            Handler=str(props["Handler"]),
            Code={"ZipFile": code},
            Timeout=60,
            # as the template sizes them, so that what the cost report reads of them is the template's
            MemorySize=int(props.get("MemorySize", defaults.get("MemorySize", 128))),
            Architectures=list(props.get("Architectures", defaults.get("Architectures", ["x86_64"]))),
        )
        arns[logical_id] = created["FunctionArn"]
    values = substitutions(resolver, arns)
    definition = apply_substitutions(definition_path(resolver.template).read_text(), values)
    name = str(resolver.resolve(_state_machine_properties(resolver.template).get("Name", "remediation")))
    created_sm = harness_clients(region).stepfunctions.create_state_machine(
        name=name,
        definition=definition,
        roleArn=role_arn,
        type="STANDARD",
        tracingConfiguration={"enabled": True},
    )
    return DeployedWorkflow(created_sm["stateMachineArn"], arns, values, region)


def envelope(
    event: dict[str, Any],
    *,
    now: datetime | str | None = None,
    dry_run: bool | None = None,
    seconds: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The workflow's input: the bare event, or the envelope when a time, dry-run or waits are given."""
    if now is None and dry_run is None and seconds is None:
        return event
    out: dict[str, Any] = {"trigger": event, "dry_run": dry_run}
    if now is not None:
        out["now"] = now.isoformat() if isinstance(now, datetime) else now
    if seconds is not None:
        out["seconds"] = dict(seconds)
    return out


def start(workflow: DeployedWorkflow, payload: dict[str, Any], name: str | None = None) -> str:
    """Start an execution with ``payload`` (see :func:`envelope`); returns its ARN. The name defaults to a
    fresh UUID, as StartExecution gives in AWS."""
    sfn = harness_clients(workflow.region).stepfunctions
    started = sfn.start_execution(
        stateMachineArn=workflow.state_machine_arn, name=name or str(uuid.uuid4()), input=json.dumps(payload)
    )
    return str(started["executionArn"])


def history(execution_arn: str, region: str) -> list[dict[str, Any]]:
    sfn = harness_clients(region).stepfunctions
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(dict(e) for e in page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def wait_for(execution_arn: str, region: str, timeout: float = 60.0, poll: float = 0.05) -> ExecutionResult:
    """Poll DescribeExecution until the execution ends; raises if it is still running after ``timeout`` s. Between
    two looks it sleeps ``poll`` s, or until an execution of this process's moto ends (see ``execution_ends``)."""
    sfn = harness_clients(region).stepfunctions
    deadline = time.monotonic() + timeout
    while True:
        seen = ends_so_far()
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise WorkflowError(_still_running(execution_arn, region, timeout))
        wait_for_an_end(seen, poll)
    output = described.get("output")
    return ExecutionResult(
        execution_arn=execution_arn,
        status=str(described["status"]),
        output=json.loads(output) if output else None,
        error=described.get("error"),
        cause=described.get("cause"),
        events=history(execution_arn, region),
    )


def pending_approval(execution_arn: str, region: str) -> ApprovalRequest | None:
    """The approval request the execution is waiting on now (published and not yet answered), if any."""
    pending: ApprovalRequest | None = None
    candidate: ApprovalRequest | None = None
    state = ""
    for event in history(execution_arn, region):
        if "stateEnteredEventDetails" in event:
            state = str(event["stateEnteredEventDetails"]["name"])
        details = next((v for k, v in event.items() if k.startswith("task") and k.endswith("EventDetails")), None)
        if not isinstance(details, dict) or details.get("resource") != _APPROVAL_ACTION:
            continue
        if event["type"] == "TaskScheduled":
            parameters = json.loads(details["parameters"])
            message = parameters["Payload"]
            message = json.loads(message) if isinstance(message, str) else dict(message)
            candidate = ApprovalRequest(str(message["approval_request"]["task_token"]), state, message)
        elif event["type"] == "TaskSubmitted" and candidate is not None:
            recorded = (json.loads(details.get("output") or "{}").get("Payload") or {}).get("approval_id")
            pending = replace(candidate, approval_id=str(recorded) if recorded else None)
        elif event["type"] in _TASK_ENDED:
            pending = None
    return pending


def wait_for_approval(execution_arn: str, region: str, timeout: float = 30.0, poll: float = 0.05) -> ApprovalRequest:
    """Poll until the execution asks for an approval; raises if it ends, or asks nothing, within ``timeout`` s."""
    sfn = harness_clients(region).stepfunctions
    deadline = time.monotonic() + timeout
    while True:
        request = pending_approval(execution_arn, region)
        if request is not None:
            return request
        status = sfn.describe_execution(executionArn=execution_arn)["status"]
        if status != "RUNNING":
            raise WorkflowError(f"execution {execution_arn} ended ({status}) without asking for an approval")
        if time.monotonic() > deadline:
            raise WorkflowError(f"execution {execution_arn} asked for no approval within {timeout:.0f} s")
        time.sleep(poll)


def answer_approval(task_token: str, approved: bool, by: str, region: str, comment: str = "") -> None:
    """Approve or reject: SendTaskSuccess with ``{"approved", "by"}`` (what ``autopilot approve`` sends)."""
    if not by.strip():
        raise WorkflowError("say who answers the approval (by): it is kept in the audit trail")
    answer: dict[str, Any] = {"approved": approved, "by": by}
    if comment:
        answer["comment"] = comment
    harness_clients(region).stepfunctions.send_task_success(taskToken=task_token, output=json.dumps(answer))


def fail_approval(task_token: str, error: str, cause: str, region: str) -> None:
    """SendTaskFailure on an approval: the workflow takes its failure path and changes nothing."""
    harness_clients(region).stepfunctions.send_task_failure(taskToken=task_token, error=error, cause=cause)


def _still_running(execution_arn: str, region: str, timeout: float) -> str:
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in history(execution_arn, region) if "stateEnteredEventDetails" in e
    ]
    last = entered[-1] if entered else "(none)"
    return f"execution {execution_arn} still running after {timeout:.0f} s; last state entered: {last}"


def _state_machine_properties(template: dict[str, Any]) -> dict[str, Any]:
    resource = template.get("Resources", {}).get(STATE_MACHINE_ID)
    if not resource:
        raise WorkflowError(f"template.yaml has no {STATE_MACHINE_ID}; the workflow section is missing")
    return dict(resource.get("Properties", {}))


def _role(region: str, name: str) -> str:
    iam = harness_clients(region).iam
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_ROLE_POLICY))["Role"]["Arn"])


def _dummy_zip() -> bytes:
    """Placeholder code: the router runs the real handlers from this checkout."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "Invocations are routed to the handlers in the autopilot package.\n")
    return buffer.getvalue()
