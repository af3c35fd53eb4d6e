"""SQL for sensors and readings. Each function takes an asyncpg connection."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .auth import StoredKey

ReadingRow = tuple[uuid.UUID, datetime, float]
READING_COLUMNS = ("sensor_id", "ts", "value")
SENSOR_COLUMNS = "id, name, kind, active, created_at, deactivated_at"


async def insert_sensor(conn: Any, sensor_id: uuid.UUID, name: str, kind: str, key_hash: bytes) -> Any:
    return await conn.fetchrow(
        f"INSERT INTO sensors (id, name, kind, key_hash) VALUES ($1, $2, $3, $4) RETURNING {SENSOR_COLUMNS}",
        sensor_id,
        name,
        kind,
        key_hash,
    )


async def get_sensor(conn: Any, sensor_id: uuid.UUID) -> Any:
    return await conn.fetchrow(f"SELECT {SENSOR_COLUMNS} FROM sensors WHERE id = $1", sensor_id)


async def list_sensors(conn: Any, after: uuid.UUID | None, limit: int) -> list[Any]:
    rows: list[Any] = await conn.fetch(
        f"SELECT {SENSOR_COLUMNS} FROM sensors WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2",
        after,
        limit,
    )
    return rows


async def deactivate_sensor(conn: Any, sensor_id: uuid.UUID) -> Any:
    return await conn.fetchrow(
        "UPDATE sensors SET active = false, deactivated_at = coalesce(deactivated_at, now()) "
        f"WHERE id = $1 RETURNING {SENSOR_COLUMNS}",
        sensor_id,
    )


async def load_key(conn: Any, sensor_id: uuid.UUID) -> StoredKey | None:
    row = await conn.fetchrow("SELECT key_hash, active FROM sensors WHERE id = $1", sensor_id)
    return None if row is None else StoredKey(bytes(row["key_hash"]), row["active"])


async def copy_readings(conn: Any, rows: Sequence[ReadingRow]) -> None:
    """One binary COPY; it commits as one implicit transaction before returning."""
    await conn.copy_records_to_table("readings", records=rows, columns=READING_COLUMNS)


async def insert_reading(conn: Any, row: ReadingRow) -> None:
    await conn.execute("INSERT INTO readings (sensor_id, ts, value) VALUES ($1, $2, $3)", *row)


async def fetch_readings(
    conn: Any, sensor_id: uuid.UUID, start: datetime, end: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[Any]:
    after_ts, after_id = after if after is not None else (None, None)
    rows: list[Any] = await conn.fetch(
        "SELECT ts, id, value FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3 "
        "AND ($4::timestamptz IS NULL OR (ts, id) > ($4, $5::bigint)) ORDER BY ts, id LIMIT $6",
        sensor_id,
        start,
        end,
        after_ts,
        after_id,
        limit,
    )
    return rows


async def summarize(conn: Any, sensor_id: uuid.UUID, start: datetime, end: datetime) -> Any:
    return await conn.fetchrow(
        "SELECT s.count, s.min, s.max, s.mean, l.ts AS last_ts, l.value AS last_value FROM "
        "(SELECT count(*) AS count, min(value) AS min, max(value) AS max, avg(value) AS mean "
        " FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3) s "
        "LEFT JOIN LATERAL (SELECT ts, value FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3 "
        " ORDER BY ts DESC, id DESC LIMIT 1) l ON true",
        sensor_id,
        start,
        end,
    )
