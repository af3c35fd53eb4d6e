"""Sensors: register (the key is returned once), list, get, deactivate."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from ..auth import hash_key, new_sensor_key, require_admin, require_reader
from ..cursor import decode_sensor_cursor, encode_sensor_cursor
from ..errors import ApiError
from ..models import ErrorBody, Sensor, SensorCreate, SensorCreated, SensorPage
from ..repository import deactivate_sensor, get_sensor, insert_sensor, list_sensors
from ..routing import ReadRoute
from ..rules import check_limit
from ..runtime import PrincipalDep, RuntimeDep

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (400, 401, 403, 404, 413, 422, 503)}
router = APIRouter(prefix="/v1/sensors", tags=["sensors"], responses=ERRORS)
Consistency = Annotated[
    Literal["eventual", "strong"], Query(description="strong reads the primary; eventual may read the replica")
]


def set_read_headers(response: Response, route: ReadRoute) -> None:
    response.headers["X-Read-Source"] = route.target
    response.headers["X-Read-Reason"] = route.reason
    if route.lag_seconds is not None:
        response.headers["X-Replica-Lag-Seconds"] = f"{route.lag_seconds:.3f}"


def not_found(sensor_id: uuid.UUID) -> ApiError:
    return ApiError(404, f"sensor {sensor_id} not found: check the id (GET /v1/sensors lists them)")


@router.post("", status_code=201, summary="Register a sensor (admin); its API key is returned once")
async def register_sensor(body: SensorCreate, rt: RuntimeDep, who: PrincipalDep) -> SensorCreated:
    require_admin(who)
    sensor_id = uuid.uuid4()
    key = new_sensor_key(sensor_id)
    row = await rt.db.on_primary(lambda c: insert_sensor(c, sensor_id, body.name, body.kind, hash_key(key)))
    return SensorCreated(**dict(row), api_key=key)


@router.get("", summary="List sensors (reader or admin), by id, with a cursor")
async def list_all(
    rt: RuntimeDep,
    who: PrincipalDep,
    response: Response,
    limit: Annotated[int, Query(ge=1)] = 100,
    cursor: str | None = None,
    consistency: Consistency = "eventual",
) -> SensorPage:
    require_reader(who)
    check_limit(limit, rt.settings.read_limit_max)
    after = decode_sensor_cursor(cursor) if cursor else None
    rows, route = await rt.db.read(lambda c: list_sensors(c, after, limit), strong=consistency == "strong")
    set_read_headers(response, route)
    items = [Sensor(**dict(r)) for r in rows]
    next_cursor = encode_sensor_cursor(items[-1].id) if len(items) == limit else None
    return SensorPage(items=items, next_cursor=next_cursor)


@router.get("/{sensor_id}", summary="Get one sensor (reader, admin or the sensor itself)")
async def get_one(
    sensor_id: uuid.UUID, rt: RuntimeDep, who: PrincipalDep, response: Response, consistency: Consistency = "eventual"
) -> Sensor:
    require_reader(who, sensor_id)
    row, route = await rt.db.read(lambda c: get_sensor(c, sensor_id), strong=consistency == "strong")
    set_read_headers(response, route)
    if row is None:
        raise not_found(sensor_id)
    return Sensor(**dict(row))


@router.post("/{sensor_id}/deactivate", summary="Deactivate a sensor (admin): its key stops working")
async def deactivate(sensor_id: uuid.UUID, rt: RuntimeDep, who: PrincipalDep) -> Sensor:
    require_admin(who)
    row = await rt.db.on_primary(lambda c: deactivate_sensor(c, sensor_id))
    if row is None:
        raise not_found(sensor_id)
    rt.auth.forget(sensor_id)
    return Sensor(**dict(row))
