"""Simulator benchmark (``make bench``): seed, flash-crowd and 24 h diurnal, four strategies each, timed.

Writes ``bench/results/simulator.json`` and the "Simulator" section of ``docs/benchmarks.md`` (from its heading
to its end marker, so the other sections stay as they are).
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "simulator.json"
DOCS = ROOT / "docs" / "benchmarks.md"
HEADING, END = "## Simulator", "<!-- simulator:end -->"
# The requests policy's target matched to the CPU target: 212 req/s per task x 60 % x 60 s ~ 7,600 per minute.
MATCHED = {"TargetRequestsPerTarget": "7600"}
PROFILES = ("seed", "flash-crowd", "diurnal")


def run_profile(name: str, parameters: dict[str, str]) -> tuple[Any, dict[str, Any]]:
    from autopilot_cli.simulate.report import rows, timeline, verdict
    from autopilot_cli.simulate.session import simulate

    timings: dict[str, float] = {}
    started: dict[str, float] = {}

    def progress(strategy: str, second: int, duration: int) -> None:
        started.setdefault(strategy, time.perf_counter())
        if second >= duration:
            timings[strategy] = round(time.perf_counter() - started[strategy], 2)

    wall, cpu = time.perf_counter(), time.process_time()
    comparison = simulate(name, parameters=parameters, progress=progress)
    return comparison, {
        "profile": name,
        "parameters": parameters,
        "simulated_s": comparison.profile.duration_s,
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "wall_s_per_strategy": timings,
        "summary": rows(comparison),
        "verdict": verdict(comparison),
        "invariants": comparison.invariants,
        "timelines": {r.strategy: timeline(r, 12) for r in comparison.runs},
    }


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()[0]}


def _table(result: dict[str, Any]) -> str:
    from autopilot_cli.simulate.report import COLUMNS

    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "| " + " | ".join("---" if k == "strategy" else "---:" for k, _ in COLUMNS) + " |"
    body = [
        "| " + " | ".join(f"{row[k]:,}" if isinstance(row[k], int) else str(row[k]) for k, _ in COLUMNS) + " |"
        for row in result["summary"]
    ]
    return "\n".join([head, rule, *body])


def _broken(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        for strategy, found in r["invariants"].items():
            for name, items in found.items():
                if items:
                    lines.append(f"- `{r['profile']}` / {strategy} / {name}: {items[0]}")
    return "\n".join(lines) or "- none"


ASSUMPTIONS = (
    (
        "capacity of a task",
        "{capacity_rps:.0f} req/s at 100 % CPU",
        "{capacity_source}: the benchmark ran on 2 shared cores with PostgreSQL and the load generator "
        "and measured the cheapest request; 40 is a stated safety factor that lands near the seed's timeline "
        "(3,500 req/s on 20 tasks)",
    ),
    ("CPU, memory", "CPU = 2 % + 98 % x served / capacity; memory = 30 % + 30 % x CPU", "stated defaults"),
    (
        "queue and drops",
        "above capacity requests queue; what would wait over {queue_timeout_s:.0f} s is dropped",
        "stated default",
    ),
    (
        "latency",
        "M/M/c with c = tasks x 4 workers, Erlang C by Sakasegawa's approximation, exponential waiting tail; "
        "above capacity, backlog / capacity",
        "documented approximation",
    ),
    ("overloaded second", "offered load above the healthy tasks' capacity, or a backlog", "definition"),
    (
        "CloudWatch datapoints",
        "60 s (or 20 s) averages, visible {publication_delay_60_s} s ({publication_delay_20_s} s) after the period",
        "calibrated to AWS's benchmark, scale-out triggered at 363 s with 1-minute and 86 s with 20-second "
        "metrics (aws/containers-roadmap #2113): 3 x 60 + 30 + 150 = 360, 3 x 20 + 10 + 20 = 90",
    ),
    (
        "our alarms",
        "cpu-emergency and at-max-capacity: period, evaluation periods, datapoints to alarm, comparison, missing data",
        "template.yaml",
    ),
    (
        "target tracking",
        "AlarmHigh 3 of 3 above target; AlarmLow 15 of 15 one-minute (45 of 45 twenty-second) below 90 % of "
        "target; desired = ceil(desired x metric / target); largest policy wins; scale-in only when every "
        "policy agrees; scale-out cooldown counts capacity already added",
        "AAS user guide (target tracking, cooldowns), containers-roadmap #1208; the 90 % AlarmLow threshold "
        "and the 45 twenty-second datapoints are stated defaults",
    ),
    (
        "step policy",
        "+50 % of desired (rounded down), at least 2, cooldown 60 s, while its alarm is in ALARM",
        "template.yaml; StepScalingPolicyConfiguration",
    ),
    ("min/max", "every result clamped; RegisterScalableTarget moves desired into range", "AAS user guide"),
    ("deployments", "none in a run: scale-in paused during deployments never applies", "-"),
    (
        "Fargate",
        "a task serves {task_start_s} s after it is asked for; scale-in stops serving at once and bills "
        "the 30 s deregistration delay",
        "stated default (AWS's benchmark: 23 s from trigger to tasks, small image); DeregistrationDelaySeconds",
    ),
    (
        "control plane",
        "the real handlers on moto; alarm state and timestamp written into moto at the virtual second; events "
        "matched against the template's EventBridge rule; sweeper every {sweep_every_s} s (skipped "
        "when no lease exists: it would change nothing); an approval request is never answered",
        "cli/autopilot_cli/simulate/control.py",
    ),
    ("cost", "billed task-seconds x the Fargate price of a 1 vCPU / 2 GB x86 task", "prices.json (us-east-2)"),
)


def _assumption_rows(a: dict[str, Any]) -> str:
    return "\n".join(f"| {what} | {model.format(**a)} | {source.format(**a)} |" for what, model, source in ASSUMPTIONS)


def _by_profile(runs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(r for r in runs if r["profile"] == name)


def _tables(runs: list[dict[str, Any]]) -> str:
    return "\n\n".join(
        f"**`{r['profile']}`** ({r['simulated_s'] // 60} simulated minutes, {r['wall_s']} s wall)\n\n{_table(r)}\n\n"
        f"{r['verdict']}"
        for r in runs
    )


def _seed_timeline(runs: list[dict[str, Any]]) -> str:
    rows = _by_profile(runs, "seed")["timelines"]["native-1min"]
    body = "\n".join(f"| {' | '.join(cell.replace('|', '/') for cell in row)} |" for row in rows)
    return f"""The scaling guide's timeline, replayed (`seed`, native-1min): the guide has 5 tasks at 1:00 and 20 at
3:30; with one-minute metrics published about 150 s late nothing scales before the crowd has passed its peak.

| Time | Load | Tasks | Action |
| --- | --- | --- | --- |
{body}"""


def _findings(data: dict[str, Any]) -> str:
    default_hours = data["flash_crowd_template_defaults"]["summary"][0]["task_hours"]
    matched_hours = _by_profile(data["runs"], "flash-crowd")["summary"][0]["task_hours"]
    return f"""**The template's own request target.** With `TargetRequestsPerTarget` at its default 500 (requests per
target per minute, the seed's figure), the requests policy alone asks for ceil(3 x 3,000 / 500) = 18 tasks at 150 req/s,
330 s into any run: on `flash-crowd` every strategy sits at 18-20 tasks before the crowd arrives, is never
overloaded, and pays {default_hours} task-hours against {matched_hours} with the target matched to capacity. The
seed's own timeline (3,500 req/s on 20 tasks, about 10,000 requests per target-minute) does not fit its 500. The
tables above use 7,600 (212 req/s x 60 % x 60 s), the value that asks for what the CPU target asks for.

**What the product recommends.** On the flash crowd the autopilot does not halve the overloaded seconds of
native scaling with one-minute metrics: its cpu-emergency alarm is the same alarm that drives the step policy, so it
acts at the same second, and CPU saturates at 100 %, which caps the proportional step at about x1.8 per action.
Native scaling with the 20-second metric types nearly halves the overload on its own, at about the same
task-hours. Deploy with `TargetTrackingMetricResolution=20`; the autopilot's value is the floor lease that holds
capacity through a crowd and the guard rails, not speed. A raised floor comes back down once its alarm has been OK
for the scale-in cooldown (the invariants below are checked on every autopilot run), so the lease costs little
extra task-hours."""


def docs_section(data: dict[str, Any]) -> str:
    runs, m = data["runs"], data["machine"]
    diurnal = _by_profile(runs, "diurnal")
    auto_wall = max(v for k, v in diurnal["wall_s_per_strategy"].items() if k.endswith("+autopilot"))
    return f"""{HEADING}

`make bench` ({data["when"]}, {m["cpus"]} cores, load {m["load"]:.1f}): `autopilot simulate
--profile NAME --param TargetRequestsPerTarget=7600`, all four strategies, `--fast` (the handler sequence
in-process; `--workflow` runs the real state machine and decides the same). Raw figures:
`bench/results/simulator.json`.

{_tables(runs)}

{_seed_timeline(runs)}

{_findings(data)}

**24 hours of `diurnal` with the real handlers**: {diurnal["wall_s"]} s wall for all four strategies
({diurnal["cpu_s"]} s CPU), the slowest autopilot strategy {auto_wall} s (target: under 2 minutes).

Invariants broken (the simulator checks them on every autopilot run):

{_broken(runs)}

### The model and its assumptions

| what | model | source |
| --- | --- | --- |
{_assumption_rows(data["assumptions"])}
{END}
"""


def write_docs(data: dict[str, Any]) -> None:
    section = docs_section(data)
    text = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else "# Benchmarks\n"
    if HEADING in text:
        before, after = text.split(HEADING, 1)
        text = before + section.strip() + (after.split(END, 1)[1] if END in after else "\n")
    else:
        text = text.rstrip() + "\n\n" + section
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    from dataclasses import asdict

    from autopilot_cli.simulate.config import default_assumptions

    data: dict[str, Any] = {
        "command": "make bench",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "assumptions": asdict(default_assumptions()),
        "runs": [],
    }
    for name in PROFILES:
        _comparison, result = run_profile(name, MATCHED)
        data["runs"].append(result)
    data["flash_crowd_template_defaults"] = run_profile("flash-crowd", {})[1]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    write_docs(data)
    import sys

    sys.stdout.write(json.dumps({r["profile"]: r["verdict"] for r in data["runs"]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
