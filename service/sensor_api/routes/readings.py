"""Readings: ingest one or a batch (acknowledged after commit), query a range, summarize a window."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from ..auth import require_reader, require_writer
from ..cursor import decode_reading_cursor, encode_reading_cursor
from ..models import IngestAck, Reading, ReadingBatchIn, ReadingIn, ReadingPage, Summary
from ..repository import ReadingRow, fetch_readings, get_sensor, summarize
from ..rules import check_batch_size, check_limit, check_reading_times, resolve_window
from ..runtime import PrincipalDep, Runtime, RuntimeDep
from .sensors import ERRORS, Consistency, not_found, set_read_headers

router = APIRouter(prefix="/v1/sensors/{sensor_id}", tags=["readings"], responses=ERRORS)
Start = Annotated[AwareDatetime | None, Query(description="Inclusive, with a timezone")]
End = Annotated[AwareDatetime | None, Query(description="Exclusive, with a timezone; default now")]


async def _ingest(rt: Runtime, sensor_id: uuid.UUID, readings: Sequence[ReadingIn]) -> IngestAck:
    now = datetime.now(UTC)
    check_reading_times(readings, now, rt.settings.reading_max_future_seconds, rt.settings.reading_max_age_days)
    rows: list[ReadingRow] = [(sensor_id, r.ts, r.value) for r in readings]
    await rt.ingest.submit(rows)
    return IngestAck(accepted=len(rows))


@router.post("/readings", status_code=201, summary="Ingest one reading (the sensor's own key)")
async def ingest_one(sensor_id: uuid.UUID, body: ReadingIn, rt: RuntimeDep, who: PrincipalDep) -> IngestAck:
    require_writer(who, sensor_id)
    return await _ingest(rt, sensor_id, [body])


@router.post("/readings/batch", status_code=201, summary="Ingest a batch of readings (up to INGEST_BATCH_MAX)")
async def ingest_batch(sensor_id: uuid.UUID, body: ReadingBatchIn, rt: RuntimeDep, who: PrincipalDep) -> IngestAck:
    require_writer(who, sensor_id)
    check_batch_size(len(body.readings), rt.settings.ingest_batch_max)
    return await _ingest(rt, sensor_id, body.readings)


async def _require_sensor(rt: Runtime, sensor_id: uuid.UUID, strong: bool) -> None:
    row, _ = await rt.db.read(lambda c: get_sensor(c, sensor_id), strong=strong)
    if row is None:
        raise not_found(sensor_id)


@router.get("/readings", summary="A sensor's readings in [start, end), oldest first, with a cursor")
async def query_readings(
    sensor_id: uuid.UUID,
    rt: RuntimeDep,
    who: PrincipalDep,
    response: Response,
    start: Start = None,
    end: End = None,
    limit: Annotated[int, Query(ge=1)] = 100,
    cursor: str | None = None,
    consistency: Consistency = "eventual",
) -> ReadingPage:
    require_reader(who, sensor_id)
    check_limit(limit, rt.settings.read_limit_max)
    after = decode_reading_cursor(cursor) if cursor else None
    skew = rt.settings.reading_max_future_seconds
    lo, hi = resolve_window(start, end, datetime.now(UTC), timedelta(days=1), skew)
    strong = consistency == "strong"
    rows, route = await rt.db.read(lambda c: fetch_readings(c, sensor_id, lo, hi, after, limit), strong=strong)
    set_read_headers(response, route)
    if not rows and after is None:
        await _require_sensor(rt, sensor_id, strong)
    items = [Reading(ts=r["ts"], value=r["value"]) for r in rows]
    next_cursor = encode_reading_cursor(rows[-1]["ts"], rows[-1]["id"]) if len(rows) == limit else None
    return ReadingPage(sensor_id=sensor_id, items=items, next_cursor=next_cursor)


@router.get("/summary", summary="Count, min, max, mean and last reading in [start, end) (default: last hour)")
async def summary(
    sensor_id: uuid.UUID,
    rt: RuntimeDep,
    who: PrincipalDep,
    response: Response,
    start: Start = None,
    end: End = None,
    consistency: Consistency = "eventual",
) -> Summary:
    require_reader(who, sensor_id)
    skew = rt.settings.reading_max_future_seconds
    lo, hi = resolve_window(start, end, datetime.now(UTC), timedelta(hours=1), skew)
    strong = consistency == "strong"
    row, route = await rt.db.read(lambda c: summarize(c, sensor_id, lo, hi), strong=strong)
    set_read_headers(response, route)
    if row["count"] == 0:
        await _require_sensor(rt, sensor_id, strong)
    last = Reading(ts=row["last_ts"], value=row["last_value"]) if row["last_ts"] is not None else None
    return Summary(
        sensor_id=sensor_id,
        start=lo,
        end=hi,
        count=row["count"],
        min=row["min"],
        max=row["max"],
        mean=row["mean"],
        last=last,
    )
