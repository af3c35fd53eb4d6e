"""The comparison as a terminal table (rich), JSON, Markdown and a PNG chart, and the plain verdict."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.table import Table

from autopilot_cli.simulate.runner import RunRecord
from autopilot_cli.simulate.session import Comparison

COLUMNS = (
    ("strategy", "Strategy"),
    ("overloaded_s", "Overloaded s"),
    ("dropped", "Dropped"),
    ("over_slo_s", "p99>SLO s"),
    ("peak_p99_s", "Peak p99 s"),
    ("task_hours", "Task-h"),
    ("cost_usd", "Cost $"),
    ("native_actions", "Native acts"),
    ("autopilot_actions", "Autopilot acts"),
    ("invariants", "Invariants"),
)


def clock(second: int) -> str:
    hours, rest = divmod(second, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def summary(run: RunRecord, autopilot: bool) -> dict[str, Any]:
    t = run.totals
    return {
        "strategy": run.strategy,
        "overloaded_s": t.overloaded_s,
        "dropped": round(t.dropped),
        "over_slo_s": t.over_slo_s,
        "peak_p99_s": round(t.peak_p99_s, 3),
        "task_hours": round(t.task_hours, 2),
        "cost_usd": round(t.cost_usd, 2),
        "native_actions": t.native_actions,
        "autopilot_actions": t.autopilot_actions if autopilot else "—",
        "invariants": ("held" if not run.violations else f"{len(run.violations)} broken") if autopilot else "—",
    }


def rows(comparison: Comparison) -> list[dict[str, Any]]:
    return [summary(r, r.strategy.endswith("+autopilot")) for r in comparison.runs]


def _fmt(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else (f"{value:,.2f}" if isinstance(value, float) else str(value))


def comparison_table(comparison: Comparison) -> Table:
    """Per strategy (one column each, so four strategies fit an 80-column terminal): overloaded seconds, drops,
    SLO seconds, peak p99, task-hours, cost, actions, invariants."""
    table = Table(title=f"Profile {comparison.profile.name}: {clock(comparison.profile.duration_s)} simulated")
    table.add_column("")
    for run in comparison.runs:
        table.add_column(run.strategy.replace("+", "\n+"), justify="right")
    summaries = rows(comparison)
    for key, title in COLUMNS[1:]:
        table.add_row(title, *(_fmt(row[key]) for row in summaries))
    return table


def timeline(run: RunRecord, limit: int = 40) -> list[tuple[str, str, str, str]]:
    """The scaling guide's "Time | Load | Tasks | Action" rows: every scaling action, in order."""
    out = [
        (clock(r.second), f"{r.load:,.0f} req/s", f"{r.running} (desired {r.desired})", r.action)
        for r in run.timeline[:limit]
    ]
    if len(run.timeline) > limit:
        out.append(("…", "", "", f"{len(run.timeline) - limit} more actions (see the JSON output)"))
    return out


def timeline_table(run: RunRecord, limit: int = 40) -> Table:
    table = Table(title=f"{run.strategy}: Time | Load | Tasks | Action")
    for title in ("Time", "Load", "Tasks", "Action"):
        table.add_column(title, overflow="fold")
    for row in timeline(run, limit):
        table.add_row(*row)
    return table


def verdict(comparison: Comparison) -> str:
    """Does the autopilot halve overload over native 1-minute at no more than 15 % extra task-hours?"""
    names = {r.strategy for r in comparison.runs}
    if not {"native-1min", "native-1min+autopilot"} <= names:
        return "Run native-1min and native-1min+autopilot to compare the autopilot with the template today."
    base, auto = comparison.run("native-1min").totals, comparison.run("native-1min+autopilot").totals
    if base.overloaded_s == 0:
        return (
            f"native-1min is never overloaded on this profile ({base.task_hours:.2f} task-hours): there is nothing for "
            "the autopilot to halve, and it adds nothing."
        )
    extra = (auto.task_hours / base.task_hours - 1) * 100
    met = auto.overloaded_s <= base.overloaded_s / 2 and extra <= 15
    text = (
        f"native-1min+autopilot: {auto.overloaded_s} s overloaded vs {base.overloaded_s} s for native-1min "
        f"({extra:+.1f} % task-hours): the goal (at most half, at most +15 %) is {'met' if met else 'not met'}."
    )
    if "native-20s" in names:
        fast = comparison.run("native-20s").totals
        text += (
            f" native-20s alone: {fast.overloaded_s} s overloaded "
            f"({(fast.task_hours / base.task_hours - 1) * 100:+.1f} % task-hours)."
        )
        if auto.overloaded_s >= fast.overloaded_s and fast.overloaded_s < base.overloaded_s:
            text += (
                " The autopilot adds nothing over 20-second metrics here: deploy with "
                "TargetTrackingMetricResolution=20."
            )
    return text


def to_json(comparison: Comparison) -> dict[str, Any]:
    return {
        "profile": {"name": comparison.profile.name, "duration_s": comparison.profile.duration_s},
        "mode": "fast (handler sequence in-process)" if comparison.fast else "workflow (the ASL in moto)",
        "assumptions": asdict(comparison.assumptions),
        "parameters": comparison.policies.parameters,
        "summary": rows(comparison),
        "verdict": verdict(comparison),
        "invariants": comparison.invariants,
        "runs": {
            r.strategy: {
                "timeline": [asdict(row) for row in r.timeline],
                "actions": [asdict(a) for a in r.actions],
                "native_activities": [asdict(a) for a in r.activities],
                "bounds": r.bounds,
                "alarm_changes": r.alarm_changes,
                "series_every_10s": r.series,
            }
            for r in comparison.runs
        },
    }


def to_markdown(comparison: Comparison) -> str:
    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "| " + " | ".join("---" if k == "strategy" else "---:" for k, _ in COLUMNS) + " |"
    body = ["| " + " | ".join(_fmt(row[k]) for k, _ in COLUMNS) + " |" for row in rows(comparison)]
    a = comparison.assumptions
    lines = [
        f"### Profile `{comparison.profile.name}` ({clock(comparison.profile.duration_s)} simulated)",
        "",
        head,
        rule,
        *body,
        "",
        verdict(comparison),
        "",
        f"Capacity {a.capacity_rps:.0f} req/s per task ({a.capacity_source}); task start {a.task_start_s} s; "
        f"publication delay {a.publication_delay_60_s} s (60 s metrics) / {a.publication_delay_20_s} s (20 s); "
        f"p99 SLO {a.p99_slo_s:g} s; template parameters overridden: {comparison.policies.parameters or 'none'}.",
    ]
    for run in comparison.runs:
        lines += ["", f"#### {run.strategy}", "", "| Time | Load | Tasks | Action |", "| --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(cell.replace('|', '/') for cell in row)} |" for row in timeline(run, 25)]
        if run.violations:
            lines += ["", "Invariants broken:", *[f"- {v}" for v in run.violations]]
    return "\n".join(lines) + "\n"


def chart(comparison: Comparison, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (load_ax, task_ax, lat_ax) = plt.subplots(3, 1, figsize=(11, 9), sharex=True)
    first = comparison.runs[0].series
    minutes = [s / 60 for s in first["second"]]
    load_ax.plot(minutes, first["load"], color="black", label="load (req/s)")
    for run in comparison.runs:
        m = [s / 60 for s in run.series["second"]]
        load_ax.plot(m, run.series["capacity"], label=f"capacity: {run.strategy}")
        task_ax.step(m, run.series["running"], where="post", label=run.strategy)
        lat_ax.plot(m, run.series["p99_s"], label=run.strategy)
    lat_ax.axhline(comparison.assumptions.p99_slo_s, color="red", linestyle="--", label="p99 SLO")
    lat_ax.set_yscale("log")
    load_ax.set_ylabel("req/s")
    task_ax.set_ylabel("running tasks")
    lat_ax.set_ylabel("p99 latency (s)")
    lat_ax.set_xlabel("minutes")
    for ax in (load_ax, task_ax, lat_ax):
        ax.legend(fontsize=7, loc="upper right")
        ax.grid(alpha=0.3)
    fig.suptitle(f"autopilot simulate --profile {comparison.profile.name}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_outputs(comparison: Comparison, out_dir: Path) -> list[Path]:
    """``simulation-<profile>.json``, ``.md`` and ``.png`` in ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"simulation-{comparison.profile.name}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(to_json(comparison), indent=1, default=str) + "\n", encoding="utf-8")
    md_path.write_text(to_markdown(comparison), encoding="utf-8")
    return [json_path, md_path, chart(comparison, stem.with_suffix(".png"))]
