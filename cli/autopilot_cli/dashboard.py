"""``autopilot dashboard``: a live view of the stack (rich), refreshed every few seconds.

``scripts/monitor_dashboard.py`` runs it. ``--frames N`` stops after N frames (``--once`` is one frame).
Each frame is read with :func:`collect_frame` and drawn by :func:`render`, a pure function of the frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

import typer
from autopilot.clock import resolve_now
from autopilot.errors import AutopilotError
from rich.console import Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from autopilot_cli import output
from autopilot_cli.dashboard_data import collect_frame
from autopilot_cli.doctor.snapshot import task_environment
from autopilot_cli.embedded import session
from autopilot_cli.ops_commands import AwsOpt, StackOpt, ops_environment

Frame = dict[str, Any]


def _num(value: float | None, fmt: str = "{:.0f}", unit: str = "") -> str:
    return "no data" if value is None else fmt.format(value) + unit


def _capacity(frame: Frame) -> Table:
    svc, target = frame["service"], frame["target"]
    table = Table(title="Tasks", show_header=False, expand=True)
    table.add_row("running / desired", f"{svc['running']} / {svc['desired']} (pending {svc['pending']})")
    table.add_row("min / max", f"{target['min']} / {target['max']}")
    leases = [f"floor {x['leased_min']} until {x['expires_at']} (was {x['original_min']})" for x in frame["leases"]]
    table.add_row("floor leases", "; ".join(leases) or "none")
    table.add_row("deployment", f"{svc['rollout_state']}{' (rolling back)' if svc['rolling_back'] else ''}")
    return table


def _load(frame: Frame) -> Table:
    m, db = frame["metrics"], frame["database"]
    budget = frame.get("connection_budget")
    connections = _num(m.get("db_connections")) + (f" of budget {budget}" if budget else "")
    table = Table(title="Load", show_header=False, expand=True)
    table.add_row("CPU / memory", f"{_num(m.get('cpu'), unit=' %')} / {_num(m.get('memory'), unit=' %')}")
    table.add_row("requests per target", _num(m.get("requests_per_target"), unit="/min"))
    table.add_row("p99 / 5xx", f"{_num(m.get('p99'), '{:.3f}', ' s')} / {_num(m.get('http_5xx'))}")
    table.add_row("DB connections", connections)
    table.add_row("replica lag", _num(db["replica_lag_seconds"], "{:.1f}", " s"))
    cost = frame["cost_now"]
    table.add_row("cost now", f"${cost['hourly_usd']:.3f}/h (${cost['monthly_usd']:,.0f}/month)")
    return table


def _events(frame: Frame) -> Group:
    alarms = ", ".join(a["name"] for a in frame["alarms_in_alarm"]) or "none"
    actions = Table(title="Last actions (newest first)", expand=True)
    for column in ("at", "function", "action", "taken", "reason"):
        actions.add_column(column, overflow="fold")
    for a in frame["last_actions"]:
        actions.add_row(str(a["at"]), a["function"], a["action"], str(a["taken"]), a["reason"])
    return Group(Text(f"alarms in ALARM: {alarms}"), actions)


def render(frame: Frame) -> RenderableType:
    svc = frame["service"]
    title = Text(f"{svc['cluster']} / {svc['service']} at {frame['at']}", style="bold")
    return Group(title, _capacity(frame), _load(frame), _events(frame))


def run(
    read: Callable[[], Frame],
    show: Callable[[RenderableType], None],
    frames: int | None,
    wait: Callable[[], None],
) -> int:
    """Read and show frames until ``frames`` are shown (forever with None); ``wait`` between frames."""
    shown = 0
    while frames is None or shown < frames:
        if shown:
            wait()
        show(render(read()))
        shown += 1
    return shown


def live(read: Callable[[], Frame], frames: int | None, interval: float) -> int:
    """The terminal view: one rich Live area redrawn every ``interval`` seconds."""
    with Live(console=output.console, refresh_per_second=4, screen=False) as view:
        return run(read, view.update, frames, lambda: time.sleep(interval))  # the refresh period of a live view


def dashboard(
    interval: Annotated[float, typer.Option(min=1.0, help="Seconds between frames")] = 5.0,
    frames: Annotated[int | None, typer.Option(min=1, help="Stop after this many frames")] = None,
    once: Annotated[bool, typer.Option("--once", help="One frame, then exit")] = False,
    aws: AwsOpt = False,
    stack_name: StackOpt = "sensor-autopilot",
) -> None:
    """A live view: tasks against min/max and leases, load, database, alarms, last actions, cost now."""
    count = 1 if once else frames
    try:
        with ops_environment(aws, stack_name) as (settings, _caller, clients):
            env, _group = task_environment(clients, settings)
            budget = int(env["DB_CONNECTION_BUDGET"]) if env.get("DB_CONNECTION_BUDGET", "").isdigit() else None
            live(lambda: collect_frame(clients, settings, resolve_now(None), budget), count, interval)
    except (AutopilotError, session.EmbeddedError) as exc:
        output.fail(str(exc))
        raise typer.Exit(code=1) from exc
