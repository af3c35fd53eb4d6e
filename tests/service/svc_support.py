"""Helpers for the sensor API tests: an in-process client with the app's lifespan, and polling."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import boto3
import httpx
import pytest
from fastapi import FastAPI
from moto import mock_aws
from sensor_api.app import create_app
from sensor_api.settings import ServiceSettings

ADMIN_KEY = "admin-test-key"
READER_KEY = "reader-test-key"
ADMIN = {"X-API-Key": ADMIN_KEY}
READER = {"X-API-Key": READER_KEY}


def make_settings(primary_dsn: str, replica_dsn: str | None = None, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "database_url": primary_dsn,
        "read_database_url": replica_dsn,
        "admin_api_keys": ADMIN_KEY,
        "reader_api_keys": READER_KEY,
        "log_json": False,
        "db_connection_budget": 8,
        "max_tasks": 1,
        "web_concurrency": 1,
        "replica_poll_seconds": 0.1,
        "metrics_interval_seconds": 3600,
        "gc_gen0_threshold": 0,  # leave the test process's garbage collector alone
    }
    values.update(overrides)
    return ServiceSettings(**values)


@asynccontextmanager
async def running_app(settings: ServiceSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its lifespan (pools, monitor, ingest queue) and a client speaking ASGI to it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sensor-api.test") as client:
            yield app, client


@asynccontextmanager
async def running_client(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings) as (_, client):
        yield client


async def register(client: httpx.AsyncClient, name: str = "probe") -> tuple[str, dict[str, str]]:
    """A new sensor's id and the headers carrying its key."""
    response = await client.post("/v1/sensors", json={"name": name, "kind": "temperature"}, headers=ADMIN)
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], {"X-API-Key": body["api_key"]}


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


async def poll_until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Re-evaluate `check` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for: {what}")


async def stored_values(dsn: str, sensor_id: str) -> list[float]:
    """What the primary holds for a sensor, read with SQL (independent of the API)."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT value FROM readings WHERE sensor_id = $1 ORDER BY value", uuid.UUID(sensor_id))
    finally:
        await conn.close()
    return [r["value"] for r in rows]


@asynccontextmanager
async def app_seeing_500s(settings: ServiceSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Like running_app, but an unhandled error comes back as the 500 a real server would send."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://sensor-api.test") as client:
            yield app, client


@asynccontextmanager
async def client_seeing_500s(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_seeing_500s(settings) as (_, client):
        yield client


class Traffic:
    """Writers, readers and key lookups running until stopped; every answer is counted."""

    def __init__(self, client: httpx.AsyncClient, sensor: str, key: dict[str, str]) -> None:
        self.client, self.sensor, self.key = client, sensor, key
        self.statuses: Counter[int] = Counter()
        self.without_retry_after = 0
        self.acknowledged: list[float] = []
        self.stop = asyncio.Event()

    def _count(self, response: httpx.Response) -> None:
        self.statuses[response.status_code] += 1
        if response.status_code == 503 and "Retry-After" not in response.headers:
            self.without_retry_after += 1

    async def write(self, lane: int) -> None:
        sequence = 0
        while not self.stop.is_set():
            value = float(lane * 1_000_000 + sequence)
            sequence += 1
            body = {"ts": now_iso(), "value": value}
            response = await self.client.post(f"/v1/sensors/{self.sensor}/readings", json=body, headers=self.key)
            self._count(response)
            if response.status_code == 201:
                self.acknowledged.append(value)

    async def read(self) -> None:
        while not self.stop.is_set():
            self._count(await self.client.get(f"/v1/sensors/{self.sensor}/readings", headers=READER))
            self._count(await self.client.get(f"/v1/sensors/{self.sensor}/summary", headers=READER))


@contextmanager
def writer_host_parameter(monkeypatch: pytest.MonkeyPatch, name: str, region: str) -> Iterator[Any]:
    """An emulated SSM parameter holding the writer host (what the control plane rewrites after a promotion),
    first pointing at the local primary; yields the SSM client."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    with mock_aws():
        client = boto3.client("ssm", region_name=region)
        client.put_parameter(Name=name, Value="127.0.0.1:5432", Type="String")
        yield client
