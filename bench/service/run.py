"""`make bench-service`: the sensor API under wrk at 1,000 connections, against its database's ceiling.

One run: several rounds, each with /healthz, single-reading ingest (coalesced, then with coalescing
off), batch ingest, a replica read and a raw asyncpg COPY loop. Writes bench/results/service.json
and the "## Sensor API" section of docs/benchmarks.md from the medians of the same rounds.
Environment: BENCH_SECONDS (default 10), BENCH_ROUNDS (default 3).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sensor_api.dev.localpg import LocalReplica, Primary, create_database, drop_database
from sensor_api.dev.server import LocalServer

from bench.service import wrk
from bench.service.rawcopy import copy_loop
from bench.service.report import render, replace_section

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "service.json"
DOC = ROOT / "docs" / "benchmarks.md"
ADMIN, READER = "bench-admin-key", "bench-reader-key"
CONNECTIONS, WORKERS, BUDGET, BATCH, SENSORS = 1000, 4, 24, 100, 100
COPY_BATCH = 1000  # rows per COPY in the raw loop: the database's best case
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
COPY_CONNECTIONS = (2, 4, 8)
NOTES = (
    "With coalescing off the service ran with DB_ACQUIRE_TIMEOUT_SECONDS=30, so that waiting for a pooled "
    "connection shows as latency rather than as errors. The raw COPY figure is the best of 2, 4 and 8 sessions. "
    "Batches are of 100 readings: 1,000 connections of 1,000-reading batches keep a million readings in flight, "
    "about ten seconds of this machine's database, beyond the ingest queue timeout."
)


@contextmanager
def service(primary: Primary, replica: LocalReplica, database: str, **extra: str) -> Iterator[str]:
    env = {
        "DATABASE_URL": primary.dsn(database),
        "READ_DATABASE_URL": replica.dsn(database),
        "ADMIN_API_KEYS": ADMIN,
        "READER_API_KEYS": READER,
        "DB_CONNECTION_BUDGET": str(BUDGET),
        "MAX_TASKS": "1",
        "INGEST_BATCH_MAX": str(BATCH),
        **extra,
    }
    server = LocalServer(env=env, workers=WORKERS)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        server.remove_log()


def register_sensors(url: str) -> list[tuple[str, str]]:
    sensors = []
    with httpx.Client(base_url=url, headers={"X-API-Key": ADMIN}, timeout=30) as client:
        for i in range(SENSORS):
            body = client.post("/v1/sensors", json={"name": f"bench-{i}"}).raise_for_status().json()
            sensors.append((body["id"], body["api_key"]))
    return sensors


def read_route(url: str) -> str:
    return str(httpx.get(f"{url}/readyz", timeout=10).json()["reads"]["target"])


def postgres_cpu_seconds() -> float:
    """CPU time of every PostgreSQL process on the machine (primary and replica), from /proc."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes().startswith(b"postgres"):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return total


def measure(url: str, script: Path, readings_per_request: int = 1) -> dict[str, Any]:
    db_cpu = postgres_cpu_seconds()
    result = wrk.run_wrk(url, script, CONNECTIONS, SECONDS)
    db_cpu = postgres_cpu_seconds() - db_cpu
    out = {**asdict(result), "rps": result.rps, "errors": result.error_count, "error_kinds": result.errors}
    out["db_cpu_us_per_request"] = db_cpu / max(result.requests, 1) * 1e6
    if readings_per_request:
        out["readings_per_s"] = result.rps * readings_per_request
    return out


def one_round(ctx: dict[str, Any], scripts: dict[str, Path]) -> dict[str, Any]:
    primary, replica, database = ctx["primary"], ctx["replica"], ctx["database"]
    scenarios: dict[str, Any] = {}
    with service(primary, replica, database) as url:
        scenarios["healthz"] = measure(url, scripts["healthz"], readings_per_request=0)
        scenarios["single_coalesced"] = measure(url, scripts["single"])
        scenarios["batch"] = measure(url, scripts["batch"], readings_per_request=BATCH)
        primary.psql("ANALYZE readings", database=database)  # current statistics, as autovacuum keeps them
        replica.wait_replayed(database, timeout=300)  # the read runs on a replica that has caught up
        before = read_route(url)
        scenarios["replica_read"] = measure(url, scripts["read"], readings_per_request=0)
        scenarios["replica_read"]["route_before"], scenarios["replica_read"]["route_after"] = before, read_route(url)
    with service(primary, replica, database, INGEST_COALESCE="false", DB_ACQUIRE_TIMEOUT_SECONDS="30") as url:
        scenarios["single_uncoalesced"] = measure(url, scripts["single"])
    rates = {
        c: asyncio.run(copy_loop(primary.dsn(database), ctx["sensor_ids"], c, COPY_BATCH, SECONDS / 2))
        for c in COPY_CONNECTIONS
    }
    best = max(rates, key=lambda c: rates[c])
    scenarios["raw_copy"] = {"readings_per_s": rates[best], "connections": best, "by_connections": rates, "errors": 0}
    return scenarios


def median_scenarios(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name in rounds[0]:
        runs = [r[name] for r in rounds]
        out: dict[str, Any] = {}
        for key in ("rps", "readings_per_s", "p50_ms", "p99_ms", "db_cpu_us_per_request"):
            values = [run[key] for run in runs if run.get(key) is not None]
            if values:
                out[key] = statistics.median(values)
        out["errors"] = sum(run.get("errors", 0) for run in runs)
        merged[name] = out
    return merged


def _target(key: str, name: str, measured: str, met: bool, short_by: str) -> dict[str, Any]:
    return {"key": key, "name": name, "measured": measured, "met": met, "short_by": short_by}


def targets(sc: dict[str, Any]) -> list[dict[str, Any]]:
    coalesced, healthz, uncoalesced = (
        sc["single_coalesced"]["rps"],
        sc["healthz"]["rps"],
        sc["single_uncoalesced"]["rps"],
    )
    batch, raw = sc["batch"]["readings_per_s"], sc["raw_copy"]["readings_per_s"]
    errors = sum(s["errors"] for name, s in sc.items() if name != "raw_copy")
    speedup, share, batch_share = coalesced / uncoalesced, coalesced / healthz, batch / raw
    return [
        _target(
            "coalesced_vs_uncoalesced", "coalesced single ingest >= 3 x uncoalesced",
            f"{speedup:.2f} x", speedup >= 3, f"{3 - speedup:.2f} x",
        ),
        _target(
            "coalesced_vs_healthz", "coalesced single ingest >= 50 % of /healthz",
            f"{share:.1%}", share >= 0.5, f"{(0.5 - share) * 100:.1f} points",
        ),
        _target(
            "batch_vs_copy", "batch ingest >= 70 % of the raw COPY rate",
            f"{batch_share:.1%}", batch_share >= 0.7, f"{(0.7 - batch_share) * 100:.1f} points",
        ),
        _target("zero_errors", "zero errors at 1,000 connections", str(errors), errors == 0, f"{errors} errors"),
    ]  # fmt: skip


def environment(primary: Primary, load_before: str) -> dict[str, Any]:
    cpu_model = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln),
        platform.processor() or "unknown",
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "postgres": primary.psql("SHOW server_version").split()[0],
        "wrk": wrk_version.strip() or "wrk",
        "python": platform.python_version(),
        "load_before": load_before,
        "load_after": Path("/proc/loadavg").read_text().split()[0],
    }


def write_scripts(folder: Path, sensors: list[tuple[str, str]]) -> dict[str, Path]:
    ts = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    texts = {
        "healthz": wrk.healthz_script(),
        "single": wrk.single_ingest_script(sensors),
        "batch": wrk.batch_ingest_script(sensors, BATCH, ts),
        "read": wrk.read_script(sensors, READER),
    }
    paths = {name: folder / f"{name}.lua" for name in texts}
    for name, text in texts.items():
        paths[name].write_text(text, encoding="utf-8")
    return paths


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make bench-service does it)")
    load_before = Path("/proc/loadavg").read_text().split()[0]
    primary = Primary()
    database = create_database(primary, prefix="sensor_bench")
    replica = LocalReplica(primary)
    try:
        replica.start()
        with service(primary, replica, database) as url:
            sensors = register_sensors(url)
        ctx = {"primary": primary, "replica": replica, "database": database, "sensor_ids": [s for s, _ in sensors]}
        with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
            scripts = write_scripts(Path(folder), sensors)
            rounds, loads = [], []
            for number in range(1, ROUNDS + 1):
                print(f"round {number}/{ROUNDS}", flush=True)
                loads.append(Path("/proc/loadavg").read_text().split()[0])
                rounds.append(one_round(ctx, scripts))
                print(json.dumps({k: round(v.get("rps") or v["readings_per_s"]) for k, v in rounds[-1].items()}))
        publish(rounds, {**environment(primary, load_before), "load_per_round": loads})
    finally:
        replica.destroy()
        drop_database(primary, database)


def publish(rounds: list[dict[str, Any]], env: dict[str, Any]) -> None:
    scenarios = median_scenarios(rounds)
    overall = targets(scenarios)
    per_round = [targets(median_scenarios([r])) for r in rounds]
    for index, target in enumerate(overall):
        target["rounds"] = [r[index]["measured"] for r in per_round]
        target["round_met"] = [r[index]["met"] for r in per_round]
    results = {
        "command": "make bench-service",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "budget": BUDGET,
        "batch": BATCH,
        "copy_batch": COPY_BATCH,
        "seconds": SECONDS,
        "rounds": len(rounds),
        "environment": env,
        "scenarios": scenarios,
        "targets": overall,
        "notes": NOTES,
        "raw_rounds": rounds,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    existing = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    DOC.write_text(replace_section(existing, render(results)), encoding="utf-8")
    print(render(results))


if __name__ == "__main__":
    main()
