"""Readings: ingest one or a batch (acknowledged after commit), query a range, summarize a window."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime
from pydantic_core import to_json

from ..auth import KEY_HEADER, require_reader, require_writer
from ..cursor import decode_reading_cursor, encode_reading_cursor
from ..models import IngestAck, Reading, ReadingBatchIn, ReadingIn, ReadingPage, Summary
from ..rawinput import body_doc, parse_body, parse_uuid, uuid_path_doc
from ..repository import ReadingRow, fetch_readings, get_sensor, summarize
from ..rules import check_batch_size, check_limit, check_reading_times, resolve_window, utc_stamps
from ..runtime import API_KEY_SCHEME, PrincipalDep, Runtime, RuntimeDep, runtime_of
from .sensors import ERRORS, Consistency, not_found, set_read_headers

router = APIRouter(prefix="/v1/sensors/{sensor_id}", tags=["readings"], responses=ERRORS)
Start = Annotated[AwareDatetime | None, Query(description="Inclusive, with a timezone")]
End = Annotated[AwareDatetime | None, Query(description="Exclusive, with a timezone; default now")]


async def prepare_ingest(
    rt: Runtime, key: str | None, sensor_raw: str, raw: bytes, model: type[ReadingIn] | type[ReadingBatchIn]
) -> list[ReadingRow]:
    """Authenticate, parse and check: the rows to queue. No side effect, so a request that fails here can
    be answered again from the start (see fastpath.py)."""
    who = await rt.auth.authenticate(key)
    sensor_id = parse_uuid(sensor_raw, "sensor_id")
    require_writer(who, sensor_id)
    body = parse_body(model, raw)
    if isinstance(body, ReadingBatchIn):
        check_batch_size(len(body.readings), rt.settings.ingest_batch_max)
        readings = body.readings
    else:
        readings = [body]
    # Timestamps normalized to UTC once: the checks and the COPY encoder then skip per-row offset lookups.
    stamps = utc_stamps([r.ts for r in readings])
    settings = rt.settings
    check_reading_times(stamps, datetime.now(UTC), settings.reading_max_future_seconds, settings.reading_max_age_days)
    return [(sensor_id, ts, r.value) for ts, r in zip(stamps, readings, strict=True)]


def ingest_ack(count: int) -> bytes:
    return b'{"accepted":%d}' % count


async def _ingest(request: Request, model: type[ReadingIn] | type[ReadingBatchIn]) -> Response:
    """Authenticate, parse, check and queue; answer 201 once the readings are committed."""
    rt = runtime_of(request)
    raw = await request.body()
    rows = await prepare_ingest(rt, request.headers.get(KEY_HEADER), request.path_params["sensor_id"], raw, model)
    await rt.ingest.submit(rows)
    return Response(ingest_ack(len(rows)), 201, media_type="application/json")


def _ingest_doc(model: type[ReadingIn] | type[ReadingBatchIn]) -> dict[str, Any]:
    """The ingest endpoints take the raw request (see bodies.py); the document still shows body and key."""
    return {**body_doc(model), "parameters": [uuid_path_doc("sensor_id")], "security": [{API_KEY_SCHEME: []}]}


@router.post(
    "/readings",
    status_code=201,
    response_model=IngestAck,
    summary="Ingest one reading (the sensor's own key); 201 once committed",
    openapi_extra=_ingest_doc(ReadingIn),
)
async def ingest_one(request: Request) -> Response:
    return await _ingest(request, ReadingIn)


@router.post(
    "/readings/batch",
    status_code=201,
    response_model=IngestAck,
    summary="Ingest a batch of readings (up to INGEST_BATCH_MAX); 201 once committed",
    openapi_extra=_ingest_doc(ReadingBatchIn),
)
async def ingest_batch(request: Request) -> Response:
    return await _ingest(request, ReadingBatchIn)


async def _require_sensor(rt: Runtime, sensor_id: uuid.UUID, strong: bool) -> None:
    row, _ = await rt.db.read(lambda c: get_sensor(c, sensor_id), strong=strong)
    if row is None:
        raise not_found(sensor_id)


@router.get(
    "/readings",
    response_model=ReadingPage,
    summary="A sensor's readings in [start, end), oldest first, with a cursor",
)
async def query_readings(
    sensor_id: uuid.UUID,
    rt: RuntimeDep,
    who: PrincipalDep,
    start: Start = None,
    end: End = None,
    limit: Annotated[int, Query(ge=1)] = 100,
    cursor: str | None = None,
    consistency: Consistency = "eventual",
) -> Response:
    require_reader(who, sensor_id)
    check_limit(limit, rt.settings.read_limit_max)
    after = decode_reading_cursor(cursor) if cursor else None
    skew = rt.settings.reading_max_future_seconds
    lo, hi = resolve_window(start, end, datetime.now(UTC), timedelta(days=1), skew)
    strong = consistency == "strong"
    rows, route = await rt.db.read(lambda c: fetch_readings(c, sensor_id, lo, hi, after, limit), strong=strong)
    if not rows and after is None:
        await _require_sensor(rt, sensor_id, strong)
    next_cursor = encode_reading_cursor(rows[-1]["ts"], rows[-1]["id"]) if len(rows) == limit else None
    # Rows from our own table, in ReadingPage's shape, encoded once by pydantic's serializer: validating
    # and re-serializing a page of models cost more than the query (a page is read at every poll).
    page = {"sensor_id": sensor_id, "items": [{"ts": r["ts"], "value": r["value"]} for r in rows]}
    response = Response(to_json({**page, "next_cursor": next_cursor}), media_type="application/json")
    set_read_headers(response, route)
    return response


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
