"""``autopilot scale | approvals | approve | reject | actions``: the ops API's operations from the command line.

The same operations as the API (``autopilot.operations.ops_*``), with OpsApiFunction's environment from
template.yaml, against the embedded AWS or (``--aws``) the account of your credentials. The caller recorded
in the decision log is your STS identity.
"""

from __future__ import annotations

import contextlib
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any, TypeVar

import boto3
import typer
from autopilot.adapters.clients import AwsClients, aws_clients
from autopilot.clock import resolve_now
from autopilot.errors import AutopilotError
from autopilot.models.ops import ApprovalAnswer, Caller, ScaleRequest
from autopilot.operations.ops_actions import list_actions
from autopilot.operations.ops_approvals import answer, list_approvals
from autopilot.operations.ops_scale import request_floor
from autopilot.settings.cache import clear_all
from autopilot.settings.ops import OpsSettings, get_ops_settings
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError

from autopilot_cli import output
from autopilot_cli.deployed_stack import account_environment
from autopilot_cli.embedded import session
from autopilot_cli.embedded.server import patched_environ
from autopilot_cli.invoke import logs_to_stderr
from autopilot_cli.ops_render import render_actions, render_approvals

FUNCTION = "OpsApiFunction"
_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m?)?$")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class OpsCommandError(Exception):
    """A command-line value is wrong; the message says which and how to write it."""


def parse_duration(text: str) -> int:
    """``30m``, ``2h``, ``1h30m`` or bare minutes (``45``) → minutes."""
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or match is None or not (match["h"] or match["m"]):
        raise OpsCommandError(f"--for {text!r}: write a duration like 30m, 2h or 1h30m")
    return int(match["h"] or 0) * 60 + int(match["m"] or 0)


def new_client_token() -> str:
    return f"cli-{uuid.uuid4().hex[:16]}"


def decision_time(now: str | None) -> datetime:
    if now is None:
        return resolve_now(None)
    try:
        return resolve_now(TypeAdapter(datetime).validate_python(now))
    except ValidationError as exc:
        raise OpsCommandError(f"--now {now!r}: write an ISO 8601 time such as 2026-11-27T14:00:10Z") from exc


@contextlib.contextmanager
def ops_environment(aws: bool, stack_name: str) -> Iterator[tuple[OpsSettings, Caller, AwsClients]]:
    """OpsApiFunction's settings, your identity and the command's boto3 clients; the operations' logs go to
    stderr."""
    if aws:
        env_cm: contextlib.AbstractContextManager[Any] = patched_environ(account_environment(FUNCTION, stack_name))
        with env_cm:
            yield _settings_and_caller()
        return
    with session.embedded_aws() as handle, patched_environ(handle.function_env(FUNCTION)):
        yield _settings_and_caller()


def _settings_and_caller() -> tuple[OpsSettings, Caller, AwsClients]:
    clear_all()
    logs_to_stderr()
    settings = get_ops_settings()
    arn = boto3.client("sts", region_name=settings.aws_region).get_caller_identity()["Arn"]
    return settings, Caller(arn=str(arn)), aws_clients(settings.aws_region)


def quietly(call: Callable[[], T]) -> T:
    """Run an operation with anything it writes to stdout sent to stderr (stdout is the command's output)."""
    with contextlib.redirect_stdout(sys.stderr):
        return call()


# ---------------------------------------------------------------------------------------------- commands
AwsOpt = Annotated[bool, typer.Option("--aws", help="The account of your credentials, not the embedded AWS")]
StackOpt = Annotated[str, typer.Option(help="Stack name (with --aws)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output")]
NowOpt = Annotated[str | None, typer.Option(help="Decision time (ISO 8601) instead of now")]


def run_operation(work: Callable[[OpsSettings, Caller, AwsClients], Any], aws: bool, stack_name: str) -> Any:
    try:
        with ops_environment(aws, stack_name) as (settings, caller, clients):
            return quietly(lambda: work(settings, caller, clients))
    except IdempotencyValidationError as exc:
        output.fail("that --client-token was already used with another request; use a new one. Nothing was changed.")
        raise typer.Exit(code=1) from exc
    except (OpsCommandError, AutopilotError, session.EmbeddedError) as exc:
        output.fail(str(exc))
        raise typer.Exit(code=1) from exc


def _validated(model: type[M], **values: Any) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        output.fail(f"{reasons}. Nothing was changed.")
        raise typer.Exit(code=2) from exc


def scale(
    tasks: Annotated[int, typer.Argument(help="The floor (MinCapacity) to hold")],
    duration: Annotated[str, typer.Option("--for", help="How long: 30m, 2h, 1h30m")],
    reason: Annotated[str, typer.Option(help="Why (kept in the decision log)")],
    client_token: Annotated[str | None, typer.Option(help="Idempotency key; reuse it to retry safely")] = None,
    now: NowOpt = None,
    json_output: JsonOpt = False,
    aws: AwsOpt = False,
    stack_name: StackOpt = "sensor-autopilot",
) -> None:
    """Hold at least N tasks for a while: a floor lease that expires (never a bare desired count)."""
    try:
        minutes, at = parse_duration(duration), decision_time(now)
    except OpsCommandError as exc:
        output.fail(str(exc))
        raise typer.Exit(code=2) from exc
    request = _validated(
        ScaleRequest,
        tasks=tasks,
        duration_minutes=minutes,
        reason=reason,
        client_token=client_token or new_client_token(),
    )
    result = run_operation(lambda s, c, clients: request_floor(clients, request, c, at, s), aws, stack_name)
    if json_output:
        output.emit_json(result)
    else:
        output.console.print(result["summary"], highlight=False)
    if result["action"] == "none":
        raise typer.Exit(code=3)


def approvals(
    include_answered: Annotated[bool, typer.Option("--all", help="Also answered and expired ones")] = False,
    now: NowOpt = None,
    json_output: JsonOpt = False,
    aws: AwsOpt = False,
    stack_name: StackOpt = "sensor-autopilot",
) -> None:
    """Pending approvals: what each would do, what it costs, when it expires."""
    at = decision_time(now)
    found = run_operation(lambda s, c, clients: list_approvals(clients, s, at, include_answered), aws, stack_name)
    rows = [a.model_dump(mode="json") for a in found]
    if json_output:
        output.emit_json(rows)
    else:
        output.console.print(render_approvals(rows))


def _answer(
    approval_id: str, decision: str, comment: str, now: str | None, json_output: bool, aws: bool, stack: str
) -> None:
    reply = _validated(ApprovalAnswer, decision=decision, comment=comment)
    at = decision_time(now)
    result = run_operation(lambda s, c, clients: answer(clients, approval_id, reply, c, at, s), aws, stack)
    if json_output:
        output.emit_json(result.model_dump(mode="json"))
    else:
        output.console.print(f"{result.outcome}: {result.approval.summary}", highlight=False)


def approve(
    approval_id: Annotated[str, typer.Argument(help="The approval id (autopilot approvals lists them)")],
    comment: Annotated[str, typer.Option(help="Why")] = "",
    now: NowOpt = None,
    json_output: JsonOpt = False,
    aws: AwsOpt = False,
    stack_name: StackOpt = "sensor-autopilot",
) -> None:
    """Approve a pending approval by its id (the workflow's task token never leaves the stack)."""
    _answer(approval_id, "approve", comment, now, json_output, aws, stack_name)


def reject(
    approval_id: Annotated[str, typer.Argument(help="The approval id (autopilot approvals lists them)")],
    comment: Annotated[str, typer.Option(help="Why")] = "",
    now: NowOpt = None,
    json_output: JsonOpt = False,
    aws: AwsOpt = False,
    stack_name: StackOpt = "sensor-autopilot",
) -> None:
    """Reject a pending approval by its id: nothing is changed, and that is recorded."""
    _answer(approval_id, "reject", comment, now, json_output, aws, stack_name)


def actions(
    limit: Annotated[int, typer.Option(min=1, max=100, help="Decisions per page")] = 20,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
    resource: Annotated[str | None, typer.Option(help="Default: the ECS service")] = None,
    json_output: JsonOpt = False,
    aws: AwsOpt = False,
    stack_name: StackOpt = "sensor-autopilot",
) -> None:
    """The decision log, newest first."""
    page = run_operation(lambda s, c, clients: list_actions(clients, s, resource, limit, cursor), aws, stack_name)
    if json_output:
        output.emit_json(page.model_dump(mode="json"))
    else:
        output.console.print(render_actions(page))
