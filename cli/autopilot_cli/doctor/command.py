"""``autopilot doctor [--json] [--aws]``: exit 0 all OK, 1 a warning, 2 a failure."""

from __future__ import annotations

from typing import Annotated

import typer

from autopilot_cli import output
from autopilot_cli.doctor.checks import run_checks
from autopilot_cli.doctor.render import exit_code, render
from autopilot_cli.doctor.snapshot import collect
from autopilot_cli.ops_commands import AwsOpt, JsonOpt, NowOpt, StackOpt, decision_time, run_operation


def doctor(
    json_output: JsonOpt = False,
    now: NowOpt = None,
    aws: AwsOpt = False,
    stack_name: StackOpt = "sensor-autopilot",
    strict: Annotated[bool, typer.Option(help="Exit non-zero on a warning too")] = True,
) -> None:
    """The scaling guide's troubleshooting table, checked: OK / WARN / FAIL, the evidence and the fix."""
    at = decision_time(now)
    results = run_operation(
        lambda settings, _caller, clients: run_checks(collect(clients, settings, stack_name, at)), aws, stack_name
    )
    if json_output:
        output.emit_json([r.model_dump(mode="json") for r in results])
    else:
        output.console.print(render(results))
    code = exit_code(results)
    if code == 2 or (code == 1 and strict):
        raise typer.Exit(code=code)
