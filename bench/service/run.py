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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sensor_api.dev.localpg import LocalReplica, Primary, create_database, drop_database
from sensor_api.dev.server import SERVERS, LocalServer

from bench.service import h2load, wrk
from bench.service.cpu import PostgresProbe, children_cpu, tree_cpu
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
CLIENTS = ("wrk", "h2load")
IMAGE_SERVER = "uvicorn"  # the ASGI server the image runs (service/Dockerfile); both are measured
NOTES = (
    "With coalescing off the service ran with DB_ACQUIRE_TIMEOUT_SECONDS=30, so that waiting for a pooled "
    "connection shows as latency rather than as errors. The raw COPY figure is the best of 2, 4 and 8 sessions, "
    "measured at the end of each round. Each round starts from an empty readings table, checkpointed and vacuumed, "
    "with the replica caught up, so that no round runs beside the autovacuum and checkpoints the previous one left. "
    "Batches are of 100 readings: 1,000 connections of 1,000-reading batches keep a million readings in flight, "
    "about ten seconds of this machine's database, beyond the ingest queue timeout."
)


@contextmanager
def service(primary: Primary, replica: LocalReplica, database: str, server: str, **extra: str) -> Iterator[LocalServer]:
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
    running = LocalServer(env=env, workers=WORKERS, server=server)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        running.remove_log()


def register_sensors(url: str) -> list[tuple[str, str]]:
    sensors = []
    with httpx.Client(base_url=url, headers={"X-API-Key": ADMIN}, timeout=30) as client:
        for i in range(SENSORS):
            body = client.post("/v1/sensors", json={"name": f"bench-{i}"}).raise_for_status().json()
            sensors.append((body["id"], body["api_key"]))
    return sensors


def read_route(url: str) -> str:
    return str(httpx.get(f"{url}/readyz", timeout=10).json()["reads"]["target"])


def worker_rss_mb(running: LocalServer) -> float:
    """Median resident memory of the server's worker processes (children running the app), in MB."""
    assert running.process is not None
    found = subprocess.run(["pgrep", "-P", str(running.process.pid)], capture_output=True, text=True, check=False)
    sizes = []
    for pid in found.stdout.split():
        try:
            if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        kb = next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")), 0)
        sizes.append(kb / 1024)
    return statistics.median(sizes) if sizes else 0.0


def measure(
    ctx: dict[str, Any], running: LocalServer, client: str, load: Any, per_request: int = 1, read: bool = False
) -> dict[str, Any]:
    """One scenario with one client: wrk (a Lua script) or h2load (an H2Request). CPU per request is
    counted from /proc, so it holds however busy the shared machine is. A read's 503s (the service's
    answer, with Retry-After, to a pool busy past DB_ACQUIRE_TIMEOUT_SECONDS) are counted apart from its
    errors; an ingest's 503 means readings not stored, an error."""
    probe: PostgresProbe = ctx["probe"]
    assert running.process is not None
    db_before, service_cpu = probe.snapshot(), tree_cpu(running.process.pid)
    client_cpu = children_cpu()
    if client == "wrk":
        result: Any = wrk.run_wrk(running.url, load, CONNECTIONS, SECONDS)
    else:
        result = h2load.run_h2load(running.url, load, CONNECTIONS, SECONDS)
    client_cpu = children_cpu() - client_cpu
    db_cpu, service_cpu = probe.since(db_before), tree_cpu(running.process.pid) - service_cpu
    out = {"rps": result.rps, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms, "requests": result.requests}
    busy = min(result.unavailable, result.error_count) if read else 0
    out.update(errors=result.error_count - busy, busy_503=busy)
    out["error_kinds"] = {**result.errors, **getattr(result, "kinds", {}), "503": result.unavailable}
    out["db_cpu_us_per_request"] = db_cpu / max(result.requests, 1) * 1e6
    out["service_cpu_us_per_request"] = service_cpu / max(result.requests, 1) * 1e6
    out["client_cpu_us_per_request"] = client_cpu / max(result.requests, 1) * 1e6
    if per_request:
        out["readings_per_s"] = result.rps * per_request
    return out


def server_round(ctx: dict[str, Any], loads: dict[str, dict[str, Any]], server: str) -> dict[str, Any]:
    """Every scenario under one ASGI server, each with both clients (alternating which goes first)."""
    primary, replica, database = ctx["primary"], ctx["replica"], ctx["database"]
    out: dict[str, Any] = {client: {} for client in CLIENTS}
    order = CLIENTS if ctx["round"] % 2 else CLIENTS[::-1]
    with service(primary, replica, database, server) as running:
        url = running.url
        for name, per_request in (("healthz", 0), ("single_coalesced", 1), ("batch", BATCH)):
            for client in order:
                out[client][name] = measure(ctx, running, client, loads[client][name], per_request)
        out["rss_mb"] = worker_rss_mb(running)
        primary.psql("ANALYZE readings", database=database)  # current statistics, as autovacuum keeps them
        replica.wait_replayed(database, timeout=300)  # the read runs on a replica that has caught up
        for client in order:
            before = read_route(url)
            out[client]["replica_read"] = measure(ctx, running, client, loads[client]["read"], 0, read=True)
            out[client]["replica_read"].update(route_before=before, route_after=read_route(url))
    uncoalesced = {"INGEST_COALESCE": "false", "DB_ACQUIRE_TIMEOUT_SECONDS": "30"}
    with service(primary, replica, database, server, **uncoalesced) as running:
        for client in order:
            out[client]["single_uncoalesced"] = measure(ctx, running, client, loads[client]["single"])
    return out


def settle(ctx: dict[str, Any]) -> None:
    """Every round starts from the same database: the earlier rounds' readings gone, their WAL checkpointed, the
    table vacuumed and the replica caught up. Otherwise a round runs beside the background work the previous one
    left behind (autovacuum and checkpoints after millions of inserted rows) and measures that too."""
    primary, replica, database = ctx["primary"], ctx["replica"], ctx["database"]
    primary.psql("TRUNCATE readings", database=database)
    primary.psql("CHECKPOINT")
    primary.psql("VACUUM ANALYZE readings", database=database)
    replica.wait_replayed(database, timeout=300)


def one_round(ctx: dict[str, Any], loads: dict[str, dict[str, Any]]) -> dict[str, Any]:
    primary, database = ctx["primary"], ctx["database"]
    settle(ctx)
    result: dict[str, Any] = {server: server_round(ctx, loads, server) for server in SERVERS}
    rates = {
        c: asyncio.run(copy_loop(primary.dsn(database), ctx["sensor_ids"], c, COPY_BATCH, SECONDS / 2))
        for c in COPY_CONNECTIONS
    }
    best = max(rates, key=lambda c: rates[c])
    result["raw_copy"] = {"readings_per_s": rates[best], "connections": best, "by_connections": rates, "errors": 0}
    return result


CPU_KEYS = ("db_cpu_us_per_request", "service_cpu_us_per_request", "client_cpu_us_per_request")


def median_scenarios(runs_by_scenario: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name, runs in runs_by_scenario.items():
        out: dict[str, Any] = {}
        for key in ("rps", "readings_per_s", "p50_ms", "p99_ms", *CPU_KEYS):
            values = [run[key] for run in runs if run.get(key) is not None]
            if values:
                out[key] = statistics.median(values)
        out["errors"] = sum(run.get("errors", 0) for run in runs)
        out["busy_503"] = sum(run.get("busy_503", 0) for run in runs)
        merged[name] = out
    return merged


def scenarios_of(rounds: list[dict[str, Any]], server: str, client: str) -> dict[str, Any]:
    """Medians over the rounds of one server and client, with the shared raw COPY figure."""
    names = rounds[0][server][client].keys()
    runs = {name: [r[server][client][name] for r in rounds] for name in names}
    runs["raw_copy"] = [r["raw_copy"] for r in rounds]
    return median_scenarios(runs)


def _ratio(sc: dict[str, Any], num: str, den: str, key: str = "rps") -> float:
    return float(sc[num][key] / sc[den][key])


def _errors(sc: dict[str, Any]) -> float:
    return float(sum(s["errors"] for name, s in sc.items() if name != "raw_copy"))


# key, name, threshold, how the value is shown, the value of one round's scenarios
TARGETS: tuple[tuple[str, str, float, str, Any], ...] = (
    ("coalesced_vs_uncoalesced", "coalesced single ingest >= 3.5 x uncoalesced", 3.5, "{:.2f} x",
     lambda sc: _ratio(sc, "single_coalesced", "single_uncoalesced")),
    ("coalesced_vs_healthz", "coalesced single ingest >= 60 % of /healthz", 0.6, "{:.1%}",
     lambda sc: _ratio(sc, "single_coalesced", "healthz")),
    ("batch_vs_copy", "batch ingest >= 75 % of the raw COPY rate", 0.75, "{:.1%}",
     lambda sc: _ratio(sc, "batch", "raw_copy", "readings_per_s")),
)  # fmt: skip


def _shortfall(fmt: str, gap: float) -> str:
    return f"{gap:.2f} x" if fmt.endswith("x") else f"{gap * 100:.1f} points"


def targets(per_round: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target on the median over the rounds of the ratio measured within each round (the two sides
    of a ratio ran minutes apart at most, on the same machine state); errors summed over the rounds."""
    out = []
    for key, name, threshold, fmt, value_of in TARGETS:
        values = [value_of(sc) for sc in per_round]
        median = statistics.median(values)
        out.append({
            "key": key, "name": name, "value": median, "measured": fmt.format(median), "met": median >= threshold,
            "short_by": _shortfall(fmt, threshold - median), "rounds": [fmt.format(v) for v in values],
            "round_met": [v >= threshold for v in values],
        })  # fmt: skip
    errors = [_errors(sc) for sc in per_round]
    total = int(sum(errors))
    out.append({
        "key": "zero_errors", "name": "zero errors at 1,000 connections", "value": total, "measured": str(total),
        "met": total == 0, "short_by": f"{total} errors", "rounds": [str(int(e)) for e in errors],
        "round_met": [e == 0 for e in errors],
    })  # fmt: skip
    return out


def environment(primary: Primary, load_before: str) -> dict[str, Any]:
    cpu_model = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln),
        platform.processor() or "unknown",
    )
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split("[")[0]
    h2_version = subprocess.run(["h2load", "--version"], capture_output=True, text=True, check=False).stdout
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "postgres": primary.psql("SHOW server_version").split()[0],
        "wrk": wrk_version.strip() or "wrk",
        "h2load": h2_version.strip().splitlines()[0] if h2_version.strip() else "h2load",
        "servers": {name: version(name) for name in SERVERS},
        "python": platform.python_version(),
        "load_before": load_before,
        "load_after": Path("/proc/loadavg").read_text().split()[0],
    }


def version(package: str) -> str:
    from importlib.metadata import version as installed

    return f"{package} {installed(package)}"


def write_loads(folder: Path, sensors: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Each scenario for each client: wrk scripts (round-robin over the sensors) and h2load requests (one
    sensor, one URL: h2load sends the same headers with every request)."""
    now = datetime.now(UTC)
    ts = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    texts = {
        "healthz": wrk.healthz_script(),
        "single": wrk.single_ingest_script(sensors),
        "batch": wrk.batch_ingest_script(sensors, BATCH, ts),
        "read": wrk.read_script(sensors, READER),
    }
    scripts = {name: folder / f"{name}.lua" for name in texts}
    for name, text in texts.items():
        scripts[name].write_text(text, encoding="utf-8")
    sensor, key = sensors[0]
    own = {"X-API-Key": key}
    one = json.dumps({"ts": ts, "value": 21.5}).encode()
    many = json.dumps({"readings": [{"ts": ts, "value": i + 0.5} for i in range(BATCH)]}).encode()
    requests = {
        "healthz": h2load.H2Request("/healthz", {}),
        "single": h2load.H2Request(f"/v1/sensors/{sensor}/readings", own, one),
        "batch": h2load.H2Request(f"/v1/sensors/{sensor}/readings/batch", own, many),
        "read": h2load.H2Request(f"/v1/sensors/{sensor}/readings?limit=100", {"X-API-Key": READER}),
    }
    loads: dict[str, dict[str, Any]] = {"wrk": dict(scripts), "h2load": dict(requests)}
    for per_client in loads.values():
        per_client["single_coalesced"] = per_client["single"]
    return loads


def ensure_clients() -> None:
    for tool, package in (("wrk", "wrk"), ("h2load", "nghttp2-client")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: `apt-get install {package}` (make bench-service does it)")


def main() -> None:
    ensure_clients()
    load_before = Path("/proc/loadavg").read_text().split()[0]
    primary = Primary()
    database = create_database(primary, prefix="sensor_bench")
    replica = LocalReplica(primary)
    try:
        replica.start()
        with service(primary, replica, database, IMAGE_SERVER) as running:
            sensors = register_sensors(running.url)
        ctx = {"primary": primary, "replica": replica, "database": database, "sensor_ids": [s for s, _ in sensors]}
        ctx["probe"] = PostgresProbe(primary, replica, database)
        with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
            loads = write_loads(Path(folder), sensors)
            rounds, load_per_round = [], []
            for number in range(1, ROUNDS + 1):
                print(f"round {number}/{ROUNDS}", flush=True)
                load_per_round.append(Path("/proc/loadavg").read_text().split()[0])
                rounds.append(one_round({**ctx, "round": number}, loads))
                print(json.dumps(round_summary(rounds[-1])), flush=True)
        publish(rounds, {**environment(primary, load_before), "load_per_round": load_per_round})
    finally:
        replica.destroy()
        drop_database(primary, database)


def round_summary(result: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{server}/{client}": {k: round(v.get("rps") or 0) for k, v in result[server][client].items()}
        for server in SERVERS
        for client in CLIENTS
    }


def publish(rounds: list[dict[str, Any]], env: dict[str, Any]) -> None:
    servers: dict[str, Any] = {}
    for server in SERVERS:
        servers[server] = {"rss_mb": statistics.median(r[server]["rss_mb"] for r in rounds)}
        for client in CLIENTS:
            scenarios = scenarios_of(rounds, server, client)
            overall = targets([scenarios_of([r], server, client) for r in rounds])
            servers[server][client] = {"scenarios": scenarios, "targets": overall}
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
        "image_server": IMAGE_SERVER,
        "clients": list(CLIENTS),
        "environment": env,
        "servers": servers,
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
