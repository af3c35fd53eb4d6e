"""Graceful shutdown under uvicorn: SIGTERM while readings wait for their commit loses none of them."""

from __future__ import annotations

import asyncio
import signal
import time

import asyncpg
import httpx
import pytest
from sensor_api.dev.localpg import Primary
from sensor_api.dev.server import LocalServer
from svc_support import ADMIN, ADMIN_KEY, now_iso, stored_values

pytestmark = [pytest.mark.service, pytest.mark.timeout(120)]


async def wait_until_queued(client: httpx.AsyncClient, rows: int) -> None:
    """Poll /readyz until `rows` readings sit in the ingest queue (every request is inside the server)."""
    deadline, queued = time.monotonic() + 20, 0
    while queued < rows and time.monotonic() < deadline:
        queued = (await client.get("/readyz")).json()["ingest"]["queued_rows"]
        await asyncio.sleep(0.02)
    assert queued == rows, f"{queued} of {rows} readings reached the ingest queue"


async def test_sigterm_finishes_in_flight_ingest_then_exits(primary: Primary, database: str) -> None:
    dsn = primary.dsn(database)
    server = LocalServer(
        env={"DATABASE_URL": dsn, "ADMIN_API_KEYS": ADMIN_KEY, "DB_CONNECTION_BUDGET": "4", "MAX_TASKS": "1"}, workers=1
    )
    server.start()
    admin, locker = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            created = (await client.post("/v1/sensors", json={"name": "draining"}, headers=ADMIN)).json()
            sensor, key = created["id"], {"X-API-Key": created["api_key"]}
            await locker.execute("BEGIN; LOCK TABLE readings IN ACCESS EXCLUSIVE MODE")  # holds the COPY
            posts = [
                asyncio.create_task(
                    client.post(
                        f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": float(i)}, headers=key
                    )
                )
                for i in range(30)
            ]
            await wait_until_queued(client, 30)
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            stopping_at = time.monotonic()
            await asyncio.sleep(0.5)  # the server is draining while the COPY is still held
            await locker.execute("ROLLBACK")
            responses = await asyncio.gather(*posts)
        code = await asyncio.to_thread(server.process.wait, 30)
        elapsed = time.monotonic() - stopping_at
    finally:
        await admin.close()
        await locker.close()
        server.stop()
        server_log = server.log_text()
        server.remove_log()
    assert [r.status_code for r in responses] == [201] * 30, (responses[0].text, server_log[-3000:])
    assert await stored_values(dsn, sensor) == [float(i) for i in range(30)]
    # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly
    assert code in (0, -signal.SIGTERM) and elapsed < 30
    assert "Application shutdown complete." in server_log
