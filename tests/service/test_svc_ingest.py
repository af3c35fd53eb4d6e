"""Coalesced ingest on a real primary: every acknowledged reading is stored once; failures are 503s."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import httpx
import pytest
from sensor_api.runtime import Runtime
from svc_support import make_settings, now_iso, register, running_app, stored_values

pytestmark = [pytest.mark.service, pytest.mark.timeout(120)]


async def post_one(client: httpx.AsyncClient, sensor: str, key: dict[str, str], value: float) -> httpx.Response:
    return await client.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": value}, headers=key)


async def test_concurrent_single_readings_are_coalesced_and_stored_exactly_once(primary_dsn: str) -> None:
    async with running_app(make_settings(primary_dsn)) as (app, client):
        sensor, key = await register(client)
        singles = [post_one(client, sensor, key, float(i)) for i in range(400)]
        batch = [{"ts": now_iso(), "value": float(v)} for v in range(1000, 1100)]
        batches = [client.post(f"/v1/sensors/{sensor}/readings/batch", json={"readings": batch}, headers=key)]
        responses = await asyncio.gather(*singles, *batches)
        runtime: Runtime = app.state.runtime
        flushes = runtime.metrics.flush.flushes
    assert {r.status_code for r in responses} == {201}
    expected = sorted([float(i) for i in range(400)] + [float(v) for v in range(1000, 1100)])
    assert await stored_values(primary_dsn, sensor) == expected
    assert flushes < 100, f"{flushes} COPYs for 401 requests: the requests were not coalesced"


async def test_without_coalescing_every_request_commits_on_its_own(primary_dsn: str) -> None:
    async with running_app(make_settings(primary_dsn, ingest_coalesce=False)) as (app, client):
        sensor, key = await register(client)
        responses = await asyncio.gather(*(post_one(client, sensor, key, float(i)) for i in range(100)))
        runtime: Runtime = app.state.runtime
        assert runtime.metrics.flush.flushes == 0
    assert {r.status_code for r in responses} == {201}
    assert await stored_values(primary_dsn, sensor) == [float(i) for i in range(100)]


async def blocked_copies(admin: Any, database: str) -> list[int]:
    rows = await admin.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'sensor-api' "
        "AND wait_event_type = 'Lock'",
        database,
    )
    return [r["pid"] for r in rows]


async def test_a_failed_flush_fails_exactly_its_requests_with_503(primary_dsn: str, database: str) -> None:
    """The connection of an in-flight COPY is killed (what a primary restart does to it), deterministically:
    the COPY is held on a table lock, then its backend is terminated. Restarting the shared local
    server instead would disturb everything else using it."""
    admin = await asyncpg.connect(primary_dsn)
    async with running_app(make_settings(primary_dsn)) as (_, client):
        sensor, key = await register(client)
        before = await asyncio.gather(*(post_one(client, sensor, key, float(i)) for i in range(20)))
        locker = await asyncpg.connect(primary_dsn)
        tx = locker.transaction()
        await tx.start()
        await locker.execute("LOCK TABLE readings IN ACCESS EXCLUSIVE MODE")
        doomed = [asyncio.create_task(post_one(client, sensor, key, float(v))) for v in range(100, 150)]
        deadline = time.monotonic() + 20
        while not (pids := await blocked_copies(admin, database)) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert pids, "no ingest flush blocked on the table lock within 20 s"
        killed = await admin.fetch("SELECT pg_terminate_backend(pid) AS ok FROM unnest($1::int[]) AS pid", pids)
        assert all(r["ok"] for r in killed)
        failed = await asyncio.gather(*doomed)
        await tx.rollback()
        await locker.close()
        after = await asyncio.gather(*(post_one(client, sensor, key, float(v)) for v in range(200, 210)))
    await admin.close()
    assert {r.status_code for r in before} == {201}
    assert {r.status_code for r in failed} == {503}
    assert all(r.headers["Retry-After"] == "1" and "not stored" in r.json()["detail"] for r in failed)
    assert {r.status_code for r in after} == {201}, "the pool did not recover after the lost connection"
    expected = [float(i) for i in range(20)] + [float(v) for v in range(200, 210)]
    assert await stored_values(primary_dsn, sensor) == expected
