"""What a failover does to the service: every connection terminated under load. Every error is a 503
with Retry-After (never a 500), every acknowledged reading is stored once, and the service recovers
by itself."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from svc_support import Traffic, client_seeing_500s, make_settings, now_iso, poll_until, register, stored_values

pytestmark = [pytest.mark.service, pytest.mark.timeout(120)]

TERMINATE_SQL = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = $1 AND application_name = 'sensor-api' AND pid <> pg_backend_pid()"
)


async def test_terminated_backends_under_load_answer_503_never_500_and_recover(primary_dsn: str, database: str) -> None:
    # auth_cache_seconds=0: every request looks its key up on the primary (the path that gave 500s)
    settings = make_settings(primary_dsn, auth_cache_seconds=0)
    admin = await asyncpg.connect(primary_dsn)
    try:
        async with client_seeing_500s(settings) as client:
            sensor, key = await register(client, f"failover-{uuid.uuid4()}")
            traffic = Traffic(client, sensor, key)
            lanes = [asyncio.create_task(traffic.write(lane)) for lane in range(24)]
            lanes += [asyncio.create_task(traffic.read()) for _ in range(4)]
            terminated = 0
            for _ in range(15):  # a failover every 0.1 s for 1.5 s, while the traffic runs
                await asyncio.sleep(0.1)
                terminated += await admin.fetchval(TERMINATE_SQL, database)
            traffic.stop.set()
            await asyncio.wait_for(asyncio.gather(*lanes), 30)

            async def writes_again() -> bool:
                body = {"ts": now_iso(), "value": -1.0}
                response = await client.post(f"/v1/sensors/{sensor}/readings", json=body, headers=key)
                return response.status_code == 201

            await poll_until(writes_again, 10, "a write succeeds after the failovers, with no restart")
    finally:
        await admin.close()
    assert terminated > 0
    assert set(traffic.statuses) <= {200, 201, 503}, traffic.statuses
    assert traffic.statuses[503] > 0, "no request saw a terminated backend: the test did not exercise a failover"
    assert traffic.without_retry_after == 0
    stored = await stored_values(primary_dsn, sensor)
    assert len(stored) == len(set(stored)), "a reading was stored twice"
    assert set(traffic.acknowledged) <= set(stored), "an acknowledged reading is missing"
