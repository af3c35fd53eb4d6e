"""``autopilot``: run the control plane's functions locally, against the embedded AWS (default) or an account."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from autopilot.errors import AutopilotError

from autopilot_cli import dashboard, ops_commands, output
from autopilot_cli.collector import settle_imports
from autopilot_cli.deployed_stack import account_environment
from autopilot_cli.doctor import command as doctor_command
from autopilot_cli.embedded import session
from autopilot_cli.embedded.actuator import reconcile_capacity
from autopilot_cli.embedded.alarm_mirror import mirror_alarm_state
from autopilot_cli.invoke import InvokeError, load_event, run_handler, with_overrides
from autopilot_cli.template_model import (
    TemplateError,
)

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
embedded_app = typer.Typer(help="Start, stop or inspect the embedded AWS (moto on 127.0.0.1).", no_args_is_help=True)
app.add_typer(embedded_app, name="embedded")

AwsFlag = Annotated[
    bool, typer.Option("--aws", help="Talk to the AWS account of your credentials, not the embedded AWS")
]


@app.command()
def invoke(
    function: Annotated[str, typer.Argument(help="Logical ID in template.yaml, e.g. EmergencyScaleFunction")],
    event: Annotated[Path, typer.Option("--event", "-e", help="Event file (see events/)")],
    now: Annotated[str | None, typer.Option(help="Decision time (ISO 8601) instead of the event's own")] = None,
    dry_run: Annotated[bool | None, typer.Option("--dry-run/--enforce", help="Override DRY_RUN for this run")] = None,
    aws: AwsFlag = False,
    stack_name: Annotated[str, typer.Option(help="Stack name (with --aws)")] = "sensor-autopilot",
) -> None:
    """Run a function's handler in-process with its template environment and print its JSON result."""
    try:
        payload = with_overrides(load_event(event), now, dry_run)
        if aws:
            result = run_handler(function, payload, account_environment(function, stack_name), stack_name)
        else:
            with session.embedded_aws() as handle:
                mirror_alarm_state(payload, handle.region)
                result = run_handler(function, payload, handle.function_env(function))
                reconcile_capacity(handle.resource_id, handle.region)
    except (InvokeError, TemplateError, AutopilotError, session.EmbeddedError) as exc:
        output.fail(str(exc))
        raise typer.Exit(code=2 if isinstance(exc, InvokeError | TemplateError) else 1) from exc
    output.emit_json(result)
    if isinstance(result, dict) and result.get("summary"):
        output.errors.print(f"[bold]{result['summary']}[/]", highlight=False)


@app.command()
def run(
    event: Annotated[Path, typer.Option("--event", "-e", help="Event file (see events/)")],
    now: Annotated[str | None, typer.Option(help="Decision time (ISO 8601) instead of the event's own")] = None,
    dry_run: Annotated[bool | None, typer.Option("--dry-run/--enforce", help="Override DRY_RUN for this run")] = None,
    verify_seconds: Annotated[int, typer.Option(help="Seconds the workflow waits before verifying")] = 0,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the execution")] = 120.0,
) -> None:
    """Run the remediation workflow on the embedded AWS with an event; stops at an approval request."""
    from autopilot_cli.embedded.workflow import DeployedWorkflow, WorkflowError, envelope
    from autopilot_cli.workflow_commands import run_until_settled

    try:
        trigger = load_event(event)
        with session.embedded_aws() as handle:
            workflow = DeployedWorkflow(handle.state_machine_arn, {}, {}, handle.region)
            payload = envelope(trigger, now=now, dry_run=dry_run, seconds={"verify": verify_seconds})
            mirror_alarm_state(payload, handle.region)
            result = run_until_settled(workflow, payload, timeout)
    except (InvokeError, WorkflowError, session.EmbeddedError) as exc:
        output.fail(str(exc))
        raise typer.Exit(code=2 if isinstance(exc, InvokeError) else 1) from exc
    output.emit_json(result)
    if result["status"] == "WAITING_FOR_APPROVAL":
        output.errors.print(
            f"approval requested: autopilot approve {result['approval_id']} (or autopilot reject ...)", soft_wrap=True
        )
    elif result["status"] != "SUCCEEDED":
        raise typer.Exit(code=1)


@app.command()
def cost(
    format: Annotated[str, typer.Option("--format", "-f", help="json or md")] = "md",
    chart: Annotated[Path | None, typer.Option(help="Also draw the scenarios as a PNG chart")] = None,
    aws: AwsFlag = False,
) -> None:
    """Print the cost report of the stack (embedded by default)."""
    from autopilot_cli.cost_command import cost as cost_command

    cost_command(format=format, aws=aws, chart=chart)


@app.command()
def status(
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    aws: AwsFlag = False,
) -> None:
    """Running vs desired tasks, the scalable target, floor leases, alarms and recent decisions."""
    from autopilot_cli.status import collect_current, render

    try:
        if aws:
            result = collect_current()
        else:
            with session.embedded_aws():
                result = collect_current()
    except (AutopilotError, session.EmbeddedError) as exc:
        output.fail(str(exc))
        raise typer.Exit(code=1) from exc
    if json_output:
        output.emit_json(result)
    else:
        output.console.print(render(result))


@app.command()
def simulate(
    profile: Annotated[str, typer.Option(help="seed, flash-crowd, ramp, diurnal, sawtooth, or a .csv/.yaml file")],
    strategies: Annotated[
        str | None, typer.Option(help="Comma-separated; default all four (native-1min, native-20s, each +autopilot)")
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for the JSON, Markdown and PNG outputs")] = Path("simulation"),
    fast: Annotated[
        bool, typer.Option("--fast/--workflow", help="Handler sequence in-process, or the real ASL in moto")
    ] = True,
    param: Annotated[list[str] | None, typer.Option(help="Template parameter override Name=Value (repeat)")] = None,
    capacity: Annotated[float | None, typer.Option(help="Requests/s one task serves (default: from the bench)")] = None,
    task_start: Annotated[int | None, typer.Option(help="Seconds from asking for a task to it serving")] = None,
    redeliver_after: Annotated[
        int | None, typer.Option(help="Deliver every alarm event again this many seconds later (at least once)")
    ] = None,
    timeline_rows: Annotated[int, typer.Option(help="Timeline rows printed per strategy")] = 20,
) -> None:
    """Replay load through CloudWatch, Application Auto Scaling and the control plane: native vs autopilot."""
    from autopilot_cli.simulate.command import SimulateError, run_command
    from autopilot_cli.simulate.profiles import ProfileError

    try:
        run_command(profile, strategies, out, fast, param or [], capacity, task_start, redeliver_after, timeline_rows)
    except (SimulateError, ProfileError, TemplateError, ValueError) as exc:
        output.fail(str(exc))
        raise typer.Exit(code=2) from exc


@app.command()
def demo() -> None:
    """One incident on the embedded stack: CPU emergency, floor raised, recovery, floor restored, cost report."""
    from autopilot_cli.demo import run_demo

    run_demo()


# the ops API's operations (cli/autopilot_cli/ops_commands.py)
app.command()(ops_commands.scale)
app.command()(ops_commands.approvals)
app.command()(ops_commands.approve)
app.command()(ops_commands.reject)
app.command()(ops_commands.actions)
app.command()(doctor_command.doctor)
app.command()(dashboard.dashboard)


@app.command()
def openapi() -> None:
    """Print the ops API's OpenAPI document (docs/ops-api.openapi.json is this output)."""
    from autopilot.ops_api.app import create_app

    output.emit_json(create_app().openapi())


@embedded_app.command("start")
def embedded_start() -> None:
    """Start the embedded AWS in the background and seed the scaling guide's stack."""
    state = session.start()
    output.console.print(f"embedded AWS on http://127.0.0.1:{state['port']} (pid {state['pid']})")


@embedded_app.command("stop")
def embedded_stop() -> None:
    """Stop the embedded AWS (its state is lost)."""
    output.console.print("stopped" if session.stop() else "not running")


@embedded_app.command("status")
def embedded_status() -> None:
    """Is the embedded AWS running, and where."""
    state = session.read_state()
    output.console.print(f"running on port {state['port']} (pid {state['pid']})" if state else "not running")


@embedded_app.command("reset")
def embedded_reset() -> None:
    """Start again from the seed stack."""
    session.stop()
    state = session.start()
    output.console.print(f"reset: embedded AWS on port {state['port']} (pid {state['pid']})")


def main() -> None:
    """The ``autopilot`` command: the collector set for the work (:mod:`autopilot_cli.collector`), then the app."""
    settle_imports()
    app()
