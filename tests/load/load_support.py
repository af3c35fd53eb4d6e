"""The load driver: N concurrent clients, each with its own connection, mixing writes and reads."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from rawhttp import Connection, HttpError

SENSORS = 50
WRITES_PER_CLIENT = 4
READS_PER_CLIENT = 2


@dataclass(frozen=True)
class Target:
    url: str
    admin_key: str
    clients: int = 1000
    database_dsn: str | None = None  # set for the local service: lets the test check the table itself


@dataclass
class LoadReport:
    clients: int
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: dict[str, set[float]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    peak_in_flight: int = 0
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        return (
            f"{self.clients} clients, {self.requests} requests in {self.seconds:.1f} s "
            f"({self.requests / max(self.seconds, 1e-9):.0f} req/s), peak in flight {self.peak_in_flight}, "
            f"p50 {self.percentile(50) * 1000:.0f} ms, p99 {self.percentile(99) * 1000:.0f} ms, "
            f"statuses {dict(self.statuses)}, errors {dict(self.errors)}"
        )


async def register_sensors(client: httpx.AsyncClient, admin_key: str, count: int) -> list[tuple[str, str]]:
    sensors = []
    for i in range(count):
        response = await client.post("/v1/sensors", json={"name": f"load-{i}"}, headers={"X-API-Key": admin_key})
        response.raise_for_status()
        sensors.append((response.json()["id"], response.json()["api_key"]))
    return sensors


class Driver:
    def __init__(self, report: LoadReport, sensors: list[tuple[str, str]]) -> None:
        self.report = report
        self.sensors = sensors
        self.in_flight = 0

    async def request(self, conn: Connection, method: str, path: str, key: str, body: object = None) -> int | None:
        self.in_flight += 1
        self.report.peak_in_flight = max(self.report.peak_in_flight, self.in_flight)
        started = time.perf_counter()
        try:
            reply = await conn.request(method, path, {"X-API-Key": key}, body)
        except HttpError as exc:
            self.report.errors[str(exc).split(":")[0]] += 1
            return None
        finally:
            self.in_flight -= 1
        self.report.latencies.append(time.perf_counter() - started)
        self.report.statuses[reply.status] += 1
        return reply.status

    async def client_session(self, index: int, start: asyncio.Event, url: str, admin_key: str) -> None:
        """One client: its own connection, two writes and one read in a shuffled order."""
        sensor_id, key = self.sensors[index % len(self.sensors)]
        actions = ["write"] * WRITES_PER_CLIENT + ["read"] * READS_PER_CLIENT
        random.Random(index).shuffle(actions)
        conn = Connection(url)
        await start.wait()
        try:
            for step, action in enumerate(actions):
                if action == "write":
                    value = float(index * 10 + step)
                    body = {"ts": datetime.now(UTC).isoformat(), "value": value}
                    status = await self.request(conn, "POST", f"/v1/sensors/{sensor_id}/readings", key, body)
                    if status == 201:
                        self.report.acknowledged.setdefault(sensor_id, set()).add(value)
                else:
                    path = f"/v1/sensors/{sensor_id}/" + ("summary" if index % 2 else "readings?limit=20")
                    await self.request(conn, "GET", path, admin_key)
        finally:
            await conn.close()


async def run_load(target: Target) -> LoadReport:
    """All clients start together (one event releases them); each opens and keeps its own connection."""
    report = LoadReport(clients=target.clients)
    async with httpx.AsyncClient(base_url=target.url, timeout=60) as client:
        sensors = await register_sensors(client, target.admin_key, SENSORS)
    driver = Driver(report, sensors)
    start = asyncio.Event()
    sessions = [driver.client_session(i, start, target.url, target.admin_key) for i in range(target.clients)]
    tasks = [asyncio.create_task(s) for s in sessions]
    await asyncio.sleep(0)  # every client is parked on the start event
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    report.seconds = time.perf_counter() - began
    return report


async def stored_through_api(target: Target, sensor_id: str) -> list[float]:
    """A sensor's readings read back from the primary (consistency=strong), page by page."""
    values: list[float] = []
    cursor = None
    async with httpx.AsyncClient(base_url=target.url, timeout=60) as client:
        while True:
            params = {"limit": 1000, "consistency": "strong", "start": "2000-01-01T00:00:00Z"}
            if cursor:
                params["cursor"] = cursor
            response = await client.get(
                f"/v1/sensors/{sensor_id}/readings", params=params, headers={"X-API-Key": target.admin_key}
            )
            response.raise_for_status()
            values += [r["value"] for r in response.json()["items"]]
            cursor = response.json()["next_cursor"]
            if cursor is None:
                return values
