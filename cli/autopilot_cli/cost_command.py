"""``autopilot cost``: the cost report of the stack boto3 points at (the embedded AWS unless ``--aws``).

The report is built by the same code as CostReportFunction, reads only, and is printed, not stored or sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from autopilot.adapters.clients import aws_clients
from autopilot.clock import resolve_now
from autopilot.errors import AutopilotError
from autopilot.logic.cost_markdown import render_markdown
from autopilot.models.cost import CostReport
from autopilot.operations.cost_report import build_cost_report
from autopilot.settings.cache import clear_all
from autopilot.settings.cost import get_cost_settings
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from autopilot_cli import output
from autopilot_cli.cost_chart import ChartError, check_chart_path, draw_cost_chart
from autopilot_cli.embedded import session
from autopilot_cli.embedded.server import patched_environ

FORMATS = ("json", "md")


def _check_format(format: str) -> str:
    chosen = format.strip().lower()
    if chosen not in FORMATS:
        raise typer.BadParameter(f"--format {format!r}: use one of {', '.join(FORMATS)}")
    return chosen


def current_report() -> CostReport:
    """The report of whatever AWS boto3 points at now, with settings read afresh from the environment."""
    clear_all()
    try:
        settings = get_cost_settings()
        return build_cost_report(aws_clients(settings.aws_region), settings, resolve_now(None))
    finally:
        clear_all()


def formatted(report: CostReport, format: str) -> str:
    if _check_format(format) == "json":
        return json.dumps(report.model_dump(mode="json"), indent=2) + "\n"
    return render_markdown(report)


def render_cost_report(env: dict[str, str], format: str = "md") -> str:
    """The report as text, with ``env`` (e.g. CostReportFunction's template environment) applied meanwhile."""
    with patched_environ(env):
        return formatted(current_report(), format)


def _build(aws: bool) -> CostReport:
    if aws:
        return current_report()
    with session.embedded_aws():
        return current_report()


def cost(format: str = "md", aws: bool = False, chart: Path | None = None) -> None:
    """Print the cost report as JSON or Markdown; ``chart`` also draws the scenarios as a PNG."""
    try:
        chosen = _check_format(format)
        if chart is not None:
            check_chart_path(chart)
    except (typer.BadParameter, ChartError) as exc:
        output.fail(str(exc))
        raise typer.Exit(code=2) from exc
    try:
        report = _build(aws)
    except (AutopilotError, session.EmbeddedError, BotoCoreError, ClientError, ValidationError) as exc:
        output.fail(f"no cost report: {exc}")
        raise typer.Exit(code=1) from exc
    if chart is not None:
        draw_cost_chart(report, chart)
        output.errors.print(f"chart written to {chart}", highlight=False)
    if chosen == "json":
        output.emit_json(report.model_dump(mode="json"))
    else:
        output.emit_text(render_markdown(report))
