"""Slow and oversized clients against the real server (uvicorn with the service's protocol): headers and
bodies have read timeouts, and an oversized body gets a 413 the client can read, not a reset."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from sensor_api.dev.localpg import Primary
from sensor_api.dev.server import LocalServer
from svc_support import ADMIN, ADMIN_KEY, now_iso, stored_values

pytestmark = [pytest.mark.service, pytest.mark.timeout(90)]
TIMEOUT = 1.0  # the header and body timeouts the server runs with here


def serve(primary: Primary, database: str, timeout: float) -> Iterator[LocalServer]:
    env = {
        "DATABASE_URL": primary.dsn(database),
        "ADMIN_API_KEYS": ADMIN_KEY,
        "DB_CONNECTION_BUDGET": "4",
        "MAX_TASKS": "1",
        "HTTP_HEADER_TIMEOUT_SECONDS": str(timeout),
        "HTTP_BODY_TIMEOUT_SECONDS": str(timeout),
    }
    running = LocalServer(env=env, workers=1)
    running.start()
    yield running
    running.stop()
    running.remove_log()


@pytest.fixture(scope="module")
def server(primary: Primary, database: str) -> Iterator[LocalServer]:
    yield from serve(primary, database, TIMEOUT)


@pytest.fixture(scope="module")
def roomy_server(primary: Primary, database: str) -> Iterator[LocalServer]:
    """Timeouts long enough that a client starved of CPU still sends 10 MB within them: the 413 is what is tested."""
    yield from serve(primary, database, 30.0)


async def read_until_closed(reader: asyncio.StreamReader, within: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection; fails if it is still open after `within`."""
    started, data = time.monotonic(), b""
    async with asyncio.timeout(within):
        while chunk := await reader.read(65536):
            data += chunk
    return data, time.monotonic() - started


async def trickle(writer: asyncio.StreamWriter, data: bytes, every: float) -> None:
    """A slow client: one byte every `every` seconds, until the server closes the connection."""
    for byte in data:
        if writer.is_closing():
            return
        writer.write(bytes([byte]))
        try:
            await writer.drain()
        except ConnectionError:
            return
        await asyncio.sleep(every)  # the client's pace, not a wait for the server


async def test_clients_that_send_nothing_or_trickle_headers_are_cut_off(server: LocalServer) -> None:
    async def one(trickling: bool) -> tuple[bytes, float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        slow = (
            asyncio.create_task(trickle(writer, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" * 50, 0.2))
            if trickling
            else None
        )
        try:
            return await read_until_closed(reader, within=TIMEOUT + 4)
        finally:
            if slow is not None:
                slow.cancel()
            writer.close()

    results = await asyncio.gather(*(one(trickling=i % 2 == 0) for i in range(40)))
    for data, elapsed in results:
        assert data.startswith(b"HTTP/1.1 408 "), data[:80]
        assert b"request headers not received within 1 s" in data
        assert elapsed < TIMEOUT + 3
    async with httpx.AsyncClient(base_url=server.url) as client:  # the server still serves everyone else
        assert (await client.get("/healthz")).status_code == 200


async def test_a_body_trickled_past_the_body_timeout_is_a_408_and_nothing_is_stored(
    server: LocalServer, primary: Primary, database: str
) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers={"X-API-Key": ADMIN_KEY}) as client:
        created = (await client.post("/v1/sensors", json={"name": "slow-body"}, headers=ADMIN)).json()
    body = json.dumps({"ts": now_iso(), "value": 1.5}).encode()
    head = (
        f"POST /v1/sensors/{created['id']}/readings HTTP/1.1\r\nHost: x\r\nX-API-Key: {created['api_key']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(head)
    slow = asyncio.create_task(trickle(writer, body, 0.3))  # about 15 s for the whole body
    try:
        data, elapsed = await read_until_closed(reader, within=TIMEOUT + 4)
    finally:
        slow.cancel()
        writer.close()
    assert data.startswith(b"HTTP/1.1 408 "), data[:80]
    assert b"HTTP_BODY_TIMEOUT_SECONDS=1 s" in data and elapsed < TIMEOUT + 3
    assert await stored_values(primary.dsn(database), created["id"]) == []


@pytest.mark.parametrize("path", ["/v1/sensors/00000000-0000-0000-0000-000000000000/readings/batch", "/v1/sensors"])
async def test_a_10_mb_body_gets_a_readable_413(roomy_server: LocalServer, path: str) -> None:
    big = b"x" * (10 * 1024 * 1024)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(big)}\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", roomy_server.port)
    try:
        writer.write(head.encode() + big)  # the whole body, as an ordinary client sends it
        await asyncio.wait_for(writer.drain(), 20)
        data, _ = await read_until_closed(reader, within=20)
    finally:
        writer.close()
    status, _, rest = data.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 413 "), data[:200]
    assert b"MAX_BODY_BYTES=1048576" in rest
