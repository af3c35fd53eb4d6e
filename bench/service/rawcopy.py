"""The database's ceiling: binary COPY of pre-built batches in a loop, no HTTP, no JSON, no validation."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import asyncpg

COLUMNS = ("sensor_id", "ts", "value")


async def copy_loop(dsn: str, sensor_ids: list[str], connections: int, batch: int, seconds: float) -> float:
    """Readings per second committed by `connections` sessions, each COPYing `batch` rows at a time."""
    ts = datetime.now(UTC)
    batches = [[(uuid.UUID(s), ts, float(i) + 0.5) for i in range(batch)] for s in sensor_ids]
    conns = [await asyncpg.connect(dsn) for _ in range(connections)]
    copied = 0
    deadline = time.perf_counter() + seconds

    async def worker(index: int, conn: asyncpg.Connection) -> None:
        nonlocal copied
        turn = index
        while time.perf_counter() < deadline:
            await conn.copy_records_to_table("readings", records=batches[turn % len(batches)], columns=COLUMNS)
            copied += batch
            turn += connections

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(i, c) for i, c in enumerate(conns)))
    finally:
        for conn in conns:
            await conn.close()
    return copied / (time.perf_counter() - started)
