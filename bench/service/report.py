"""The "## Sensor API" section of docs/benchmarks.md, rendered from bench/results/service.json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SECTION = "## Sensor API"
SEED_QUOTE = "~50 requests/second per task"

SHORTFALL_WHY = {
    "coalesced_vs_healthz": (
        "A coalesced ingest does what /healthz does plus reading and validating a JSON body, checking "
        "the sensor's key, waiting for the COPY's commit and a share of that COPY; on this machine the "
        "PostgreSQL backends and the client compete for the same two cores."
    ),
    "coalesced_vs_uncoalesced": (
        "Both sides run on two cores shared with PostgreSQL, the client and other work. Coalescing cuts "
        "PostgreSQL's CPU per reading by an order of magnitude (the CPU lines above), but a request's HTTP work "
        "(the kernel's loopback delivery of request and response, uvicorn, the client) is the same on both "
        "sides and is most of a coalesced request's CPU, so the ratio stays near (HTTP + service + uncoalesced "
        "DB CPU) / (HTTP + service + coalesced DB CPU). A commit that costs a network round trip (RDS) widens it."
    ),
    "batch_vs_copy": (
        "Batch ingest parses and validates every reading (JSON to pydantic, timestamp rules) in Python "
        "before the same binary COPY; the raw loop sends pre-built rows."
    ),
    "zero_errors": (
        "Some requests failed at 1,000 connections; see the errors column, and `error_kinds` per round in the JSON."
    ),
}


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


SCENARIOS = (
    ("healthz", "`GET /healthz` (the framework's ceiling)", "rps"),
    ("single_coalesced", "single reading, coalesced (default)", "rps"),
    ("single_uncoalesced", "single reading, coalescing off", "rps"),
    ("batch", "batch of {batch} readings (readings/s)", "readings_per_s"),
    ("raw_copy", "raw asyncpg COPY loop, {copy} rows a COPY (readings/s, the database's ceiling)", "readings_per_s"),
    ("replica_read", "replica read, a page of 100 readings", "rps"),
)


def _label(results: dict[str, Any], label: str) -> str:
    return label.format(batch=f"{results['batch']:,}", copy=f"{results['copy_batch']:,}")


def _intro(results: dict[str, Any]) -> str:
    env = results["environment"]
    servers = ", ".join(env.get("servers", {}).values())
    return (
        f"Measured by `{results['command']}` on {results['date']}: {env['cpus']} CPUs ({env['cpu_model']}), "
        f"PostgreSQL {env['postgres']}, two independent clients ({env['wrk']}; {env['h2load']}) at "
        f"{results['connections']:,} connections, {results['rounds']} round(s) of {results['seconds']:g} s per "
        f"scenario, server and client (medians shown; ratios are taken within the same run). The service ran "
        f"as in a task: {results['workers']} workers, primary + streaming replica, pools sized from "
        f"DB_CONNECTION_BUDGET={results['budget']}, under each ASGI server ({servers}); the image runs "
        f"{results['image_server']}. The machine is shared with other work: load average {env['load_before']} "
        f"before, {', '.join(env.get('load_per_round', []))} at the start of each round, {env['load_after']} after."
    )


def _scenario_table(results: dict[str, Any]) -> list[str]:
    image = results["servers"][results["image_server"]]
    clients = results["clients"]
    head = " | ".join(f"{c} /s | {c} p50 ms | {c} p99 ms" for c in clients)
    lines = [
        f"| scenario ({results['image_server']}) | {head} | errors | 503 (pool busy) |",
        "| --- |" + " ---: |" * (3 * len(clients) + 2),
    ]
    for key, label, rate in SCENARIOS:
        cells, errors, busy = [], 0, 0
        for client in clients:
            sc = image[client]["scenarios"][key]
            cells += [_num(sc.get(rate)), _num(sc.get("p50_ms"), 1), _num(sc.get("p99_ms"), 1)]
            errors += sc.get("errors", 0) if key != "raw_copy" else 0
            busy += sc.get("busy_503", 0)
        lines.append(f"| {_label(results, label)} | {' | '.join(cells)} | {errors} | {busy} |")
    lines += [
        "",
        "Errors are every failed request (any status but 2xx, timeouts, resets) except, on reads, the 503 with "
        "Retry-After that the service answers when the replica pool stays busy past DB_ACQUIRE_TIMEOUT_SECONDS "
        "(counted in the last column); an ingest's 503 means readings not stored and counts as an error.",
    ]
    lines += ["", *(_cpu_line(results, client) for client in clients)]
    single = image[clients[0]]["scenarios"]
    lines += [
        "",
        f"Per task, the seed's scaling guide counts on \"{SEED_QUOTE}\"; here one task's 4 workers took "
        f"{_num(single['single_coalesced']['rps'])} single-reading ingests per second ({clients[0]}), each "
        "acknowledged after its commit.",
    ]
    return lines


def _cpu_line(results: dict[str, Any], client: str) -> str:
    """CPU per request from /proc: independent of how busy the shared machine was."""
    sc = results["servers"][results["image_server"]][client]["scenarios"]
    names = (("healthz", "/healthz"), ("single_coalesced", "coalesced"), ("single_uncoalesced", "uncoalesced"))
    service = ", ".join(f"{label} {_num(sc[key].get('service_cpu_us_per_request'))}" for key, label in names)
    database = ", ".join(f"{label} {_num(sc[key].get('db_cpu_us_per_request'))}" for key, label in names[1:])
    load = ", ".join(f"{label} {_num(sc[key].get('client_cpu_us_per_request'))}" for key, label in names)
    return (
        f"CPU per request under {client}, in microseconds: the service (all workers) {service}; {client} itself "
        f"{load}; "
        f"PostgreSQL {database} (the benchmark database's backends on the primary and every process of its "
        "replica; the primary's shared background processes are left out, other work uses them too)."
    )


def _server_table(results: dict[str, Any]) -> list[str]:
    servers, clients = list(results["servers"]), results["clients"]
    cols = [(s, c) for s in servers for c in clients]
    lines = [
        "Same app, same run, each server under both clients (requests/s, p99 ms in brackets):",
        "",
        "| scenario | " + " | ".join(f"{s} / {c}" for s, c in cols) + " |",
        "| --- |" + " ---: |" * len(cols),
    ]
    for key, label, rate in SCENARIOS:
        if key == "raw_copy":
            continue
        cells = []
        for server, client in cols:
            sc = results["servers"][server][client]["scenarios"][key]
            cells.append(f"{_num(sc.get(rate))} ({_num(sc.get('p99_ms'), 0)})")
        lines.append(f"| {_label(results, label)} | {' | '.join(cells)} |")
    cpu = " | ".join(
        _num(results["servers"][s][c]["scenarios"]["single_coalesced"].get("service_cpu_us_per_request"))
        for s, c in cols
    )
    lines.append(f"| service CPU per coalesced ingest (us, all workers) | {cpu} |")
    rss = " | ".join(f"{_num(results['servers'][s]['rss_mb'], 0)} MB" for s, _ in cols)
    lines.append(f"| resident memory per worker (after the ingest scenarios) | {rss} |")
    return lines


def _target_lines(results: dict[str, Any], server: str) -> list[str]:
    clients = results["clients"]
    per_client = {c: results["servers"][server][c]["targets"] for c in clients}
    head = " | ".join(f"{c} (medians) | {c} rounds" for c in clients)
    lines = [f"| target ({server}) | {head} | met on both |", "| --- |" + " ---: |" * (2 * len(clients)) + " :---: |"]
    for index, target in enumerate(per_client[clients[0]]):
        cells, met = [], True
        for client in clients:
            t = per_client[client][index]
            cells += [t["measured"], ", ".join(t.get("rounds", []))]
            met = met and t["met"]
        lines.append(f"| {target['name']} | {' | '.join(cells)} | {'yes' if met else '**no**'} |")
    missed = [(c, t) for c in clients for t in per_client[c] if not t["met"]]
    if missed:
        lines += ["", "Short of target:", ""]
        lines += [
            f"- {t['name']} ({c}): {t['measured']}, short by {t['short_by']}. {SHORTFALL_WHY[t['key']]}"
            for c, t in missed
        ]
    shaky = [(c, t) for c in clients for t in per_client[c] if t["met"] and not all(t.get("round_met", []))]
    if shaky:
        names = "; ".join(f"{t['name']} ({c}: {', '.join(t['rounds'])})" for c, t in shaky)
        lines += [
            "",
            f"Met on the medians but not in every round: {names}. The load averages above show how busy the "
            "shared machine was in each round; the service shares its two cores with PostgreSQL and the client.",
        ]
    return lines


SERVER_CHOICE = (
    "The image keeps uvicorn: the header-timeout protocol, the graceful shutdown and the slow-client tests are "
    "written against it, and the targets above are of the server the image runs."
)
COMPARED = (
    ("single_coalesced", "coalesced ingest"),
    ("single_uncoalesced", "uncoalesced ingest"),
    ("batch", "batch ingest"),
    ("replica_read", "replica reads"),
    ("healthz", "`/healthz`"),
)


def _server_choice(results: dict[str, Any]) -> str:
    """What the comparison above says, from its own figures: granian's rate as a share of uvicorn's, per client."""
    servers, clients = list(results["servers"]), results["clients"]
    if len(servers) < 2:
        return SERVER_CHOICE
    base, other = servers[0], servers[1]
    parts = []
    for key, label in COMPARED:
        shares = []
        for client in clients:
            mine = results["servers"][other][client]["scenarios"][key]["rps"]
            theirs = results["servers"][base][client]["scenarios"][key]["rps"]
            shares.append(f"{mine / theirs:.0%} ({client})")
        parts.append(f"{label} {', '.join(shares)}")
    return f"{other}'s rate as a share of {base}'s, in this run: " + "; ".join(parts) + ". " + SERVER_CHOICE


PROFILE = (
    "Where a coalesced ingest spends its time (py-spy, 200 samples/s on one loaded uvicorn worker under h2load): "
    "about a fifth in the system call that writes the response (on loopback the kernel delivers the bytes to "
    "the client inside that call, and the client it wakes often takes the core there), a tenth in the event "
    "loop's polling and reads, a sixth in uvicorn's per-request work (parsing, the request cycle and its task), "
    "an eighth in the ingest's own checks (key, JSON, timestamps) and a twentieth in the COPY. Ingest POSTs are "
    "answered before FastAPI's middleware stack (`service/sensor_api/fastpath.py`); a response goes out in one "
    "write instead of uvicorn's two (head, then body), the header timer is armed only for headers split across "
    "reads, and a body costs one timer, not one per receive call (`service/sensor_api/httpproto.py`, "
    "`limits.py`)."
)

READING = (
    "Reading these figures: everything runs on one machine over loopback, so a commit costs one local disk "
    "flush and no network round trip; on RDS a commit "
    "costs a millisecond or more, which widens the gap between coalesced and uncoalesced ingest and makes "
    "the PostgreSQL CPU per request (the row above) the figure that decides how many tasks one primary "
    "can carry. Reproduce with `make bench-service` (BENCH_SECONDS and BENCH_ROUNDS set the length)."
)


def render(results: dict[str, Any]) -> str:
    image = results["image_server"]
    lines = [SECTION, "", _intro(results), "", *_scenario_table(results), "", *_target_lines(results, image)]
    lines += ["", "### ASGI servers", "", *_server_table(results), "", _server_choice(results), ""]
    for server in results["servers"]:
        if server != image:
            lines += ["", *_target_lines(results, server), ""]
    lines += [
        "",
        PROFILE,
        "",
        READING,
        "",
        f"Raw figures of every round: `bench/results/service.json`. {results['notes']}",
        "",
    ]
    return "\n".join(lines)


def replace_section(document: str, section: str) -> str:
    """Put `section` in place of the existing "## Sensor API" section (up to the next "## "), or append it."""
    if not document.strip():
        document = "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(document):
        return pattern.sub(lambda _: section.rstrip("\n") + "\n\n", document, count=1).rstrip("\n") + "\n"
    return document.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"


def main() -> None:
    """Re-render the section from the saved results (`python -m bench.service.report`)."""
    root = Path(__file__).resolve().parents[2]
    results = json.loads((root / "bench" / "results" / "service.json").read_text(encoding="utf-8"))
    doc = root / "docs" / "benchmarks.md"
    existing = doc.read_text(encoding="utf-8") if doc.exists() else ""
    doc.write_text(replace_section(existing, render(results)), encoding="utf-8")


if __name__ == "__main__":
    main()
