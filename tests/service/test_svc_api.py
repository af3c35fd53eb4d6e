"""The HTTP API on a real database: sensors, auth, validation and limits (bad input writes nothing)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from svc_support import (
    ADMIN,
    ADMIN_KEY,
    READER,
    app_seeing_500s,
    make_settings,
    now_iso,
    register,
    running_app,
    running_client,
    stored_values,
)

pytestmark = [pytest.mark.service, pytest.mark.timeout(60)]


@pytest.fixture
async def api(primary_dsn: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(primary_dsn, ingest_batch_max=50, max_body_bytes=64 * 1024)
    async with running_client(settings) as client:
        yield client


async def test_register_returns_the_key_once_and_stores_only_its_hash(api: httpx.AsyncClient, primary_dsn: str) -> None:
    created = await api.post("/v1/sensors", json={"name": "boiler", "kind": "temperature"}, headers=ADMIN)
    assert created.status_code == 201
    body = created.json()
    fetched = await api.get(f"/v1/sensors/{body['id']}", headers=READER)
    assert fetched.status_code == 200 and "api_key" not in fetched.json()
    conn = await asyncpg.connect(primary_dsn)
    stored = await conn.fetchval("SELECT key_hash FROM sensors WHERE id = $1::uuid", body["id"])
    await conn.close()
    assert body["api_key"].encode() not in bytes(stored) and len(stored) == 32


async def test_list_pages_with_a_cursor(api: httpx.AsyncClient) -> None:
    ids = {(await register(api, f"s{i}"))[0] for i in range(3)}
    seen: set[str] = set()
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/v1/sensors", params=params, headers=READER)).json()
        seen |= {s["id"] for s in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert ids <= seen


async def test_ingest_then_query_range_with_cursor_and_summary(api: httpx.AsyncClient) -> None:
    sensor, key = await register(api)
    base = datetime.now(UTC) - timedelta(minutes=10)
    batch = [{"ts": (base + timedelta(seconds=i)).isoformat(), "value": float(i)} for i in range(7)]
    assert (await api.post(f"/v1/sensors/{sensor}/readings/batch", json={"readings": batch}, headers=key)).json() == {
        "accepted": 7
    }
    values, cursor = [], None
    while True:
        params = {
            "limit": 3,
            "start": base.isoformat(),
            "consistency": "strong",
            **({"cursor": cursor} if cursor else {}),
        }
        page = await api.get(f"/v1/sensors/{sensor}/readings", params=params, headers=READER)
        assert page.headers["X-Read-Source"] == "primary"
        values += [r["value"] for r in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert values == [float(i) for i in range(7)]
    summary = (await api.get(f"/v1/sensors/{sensor}/summary", params={"consistency": "strong"}, headers=key)).json()
    assert (summary["count"], summary["min"], summary["max"], summary["mean"]) == (7, 0.0, 6.0, 3.0)
    assert summary["last"]["value"] == 6.0


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({}, 401, "missing API key"),
        ({"X-API-Key": "wrong"}, 401, "invalid API key"),
        (READER, 403, "not a reader key"),
        (ADMIN, 403, "not a admin key"),
    ],
)
async def test_writes_need_the_sensors_own_key(
    api: httpx.AsyncClient, primary_dsn: str, headers: dict[str, str], status: int, message: str
) -> None:
    sensor, _ = await register(api)
    response = await api.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": 1.0}, headers=headers)
    assert response.status_code == status and message in response.json()["detail"]
    assert await stored_values(primary_dsn, sensor) == []


async def test_a_malformed_sensor_id_in_the_path_is_a_422_after_authentication(api: httpx.AsyncClient) -> None:
    _, key = await register(api)
    for path in ("/v1/sensors/not-a-uuid/readings", "/v1/sensors/not-a-uuid/readings/batch"):
        unauthenticated = await api.post(path, json={"ts": now_iso(), "value": 1.0})
        assert unauthenticated.status_code == 401
        response = await api.post(path, json={"ts": now_iso(), "value": 1.0}, headers=key)
        assert response.status_code == 422
        assert response.json()["detail"] == "invalid request: sensor_id: Input should be a valid UUID"


async def test_another_sensors_key_cannot_write_here(api: httpx.AsyncClient, primary_dsn: str) -> None:
    sensor, _ = await register(api)
    other, other_key = await register(api)
    response = await api.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": 1.0}, headers=other_key)
    assert response.status_code == 403
    assert f"belongs to sensor {other}" in response.json()["detail"]
    assert await stored_values(primary_dsn, sensor) == []


async def test_a_forged_key_for_a_real_sensor_is_rejected(api: httpx.AsyncClient) -> None:
    sensor, _ = await register(api)
    forged = {"X-API-Key": f"{sensor}.not-the-secret"}
    response = await api.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": 1.0}, headers=forged)
    assert response.status_code == 401


async def test_only_admins_register_and_deactivate(api: httpx.AsyncClient) -> None:
    sensor, key = await register(api)
    for headers in (READER, key):
        assert (await api.post("/v1/sensors", json={"name": "x"}, headers=headers)).status_code == 403
        assert (await api.post(f"/v1/sensors/{sensor}/deactivate", headers=headers)).status_code == 403


async def test_a_deactivated_sensors_key_stops_working(api: httpx.AsyncClient, primary_dsn: str) -> None:
    sensor, key = await register(api)
    deactivated = await api.post(f"/v1/sensors/{sensor}/deactivate", headers=ADMIN)
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    response = await api.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": 1.0}, headers=key)
    assert response.status_code == 403 and "deactivated" in response.json()["detail"]
    assert await stored_values(primary_dsn, sensor) == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('{"ts": "2024-05-01T12:00:00", "value": 1}', "ts: Input should have timezone info"),
        ('{"ts": "yesterday", "value": 1}', "ts: Input should be a valid datetime"),
        ('{"ts": "2999-01-01T00:00:00Z", "value": 1}', "in the future"),
        ('{"ts": "1999-01-01T00:00:00Z", "value": 1}', "older than READING_MAX_AGE_DAYS"),
        ('{"ts": "0001-01-01T00:00:00+03:01", "value": 1}', "out of range once converted to UTC"),
        ('{"ts": "NOW", "value": NaN}', "value: Input should be a finite number"),
        ('{"ts": "NOW", "value": Infinity}', "value: Input should be a finite number"),
        ('{"ts": "NOW", "value": 1e999}', "value: Input should be a finite number"),
        ('{"ts": "NOW", "value": "hot"}', "value: Input should be a valid number"),
        ('{"ts": "NOW"}', "value: Field required"),
        ('{"ts": "NOW", "value": 1, "unit": "C"}', "unit: Extra inputs are not permitted"),
        ('{"ts": "NOW", "value": 1', "Invalid JSON"),
        ('{"ts": "NOW", "value": true}', "value: Input should be a valid number"),
        ('{"ts": "NOW", "value": "21.5"}', "value: Input should be a valid number"),
        ('{"ts": 1714564800, "value": 1}', "ts: Input should be a valid datetime"),
        ('{"ts": 1714564800.5, "value": 1}', "ts: Input should be a valid datetime"),
    ],
)
async def test_bad_readings_get_a_clear_422_and_nothing_is_written(
    api: httpx.AsyncClient, primary_dsn: str, body: str, fragment: str
) -> None:
    sensor, key = await register(api)
    payload = body.replace("NOW", now_iso())
    response = await api.post(
        f"/v1/sensors/{sensor}/readings", content=payload, headers={**key, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert await stored_values(primary_dsn, sensor) == []


async def test_an_integer_value_is_a_number_and_is_stored(api: httpx.AsyncClient, primary_dsn: str) -> None:
    sensor, key = await register(api)
    response = await api.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": 21}, headers=key)
    assert response.status_code == 201
    assert await stored_values(primary_dsn, sensor) == [21.0]


async def test_a_crafted_cursor_beyond_64_bits_is_a_400(api: httpx.AsyncClient) -> None:
    sensor, _ = await register(api)
    for reading_id in (2**63, 2**64 + 5, -(2**63) - 1):
        crafted = base64.urlsafe_b64encode(f"r|2024-05-01T12:00:00+00:00|{reading_id}".encode()).decode()
        response = await api.get(f"/v1/sensors/{sensor}/readings", params={"cursor": crafted}, headers=READER)
        assert response.status_code == 400, (reading_id, response.text)
        assert "next_cursor" in response.json()["detail"]


async def test_one_bad_reading_rejects_the_whole_batch(api: httpx.AsyncClient, primary_dsn: str) -> None:
    sensor, key = await register(api)
    batch = [{"ts": now_iso(), "value": 1.0}, {"ts": "2999-01-01T00:00:00Z", "value": 2.0}]
    response = await api.post(f"/v1/sensors/{sensor}/readings/batch", json={"readings": batch}, headers=key)
    assert response.status_code == 422 and "reading 1" in response.json()["detail"]
    assert await stored_values(primary_dsn, sensor) == []


async def test_oversized_batch_is_refused_with_the_limit(api: httpx.AsyncClient, primary_dsn: str) -> None:
    sensor, key = await register(api)
    batch = [{"ts": now_iso(), "value": float(i)} for i in range(51)]
    response = await api.post(f"/v1/sensors/{sensor}/readings/batch", json={"readings": batch}, headers=key)
    assert response.status_code == 413
    assert "batch has 51 readings; INGEST_BATCH_MAX is 50" in response.json()["detail"]
    assert await stored_values(primary_dsn, sensor) == []


async def test_oversized_body_is_refused_before_parsing(api: httpx.AsyncClient, primary_dsn: str) -> None:
    sensor, key = await register(api)
    big = b'{"readings": [' + b'{"ts": "2024-05-01T12:00:00Z", "value": 1.0},' * 2000 + b"]}"
    response = await api.post(
        f"/v1/sensors/{sensor}/readings/batch", content=big, headers={**key, "content-type": "application/json"}
    )
    assert response.status_code == 413 and "MAX_BODY_BYTES=65536" in response.json()["detail"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    streamed = await api.post(
        f"/v1/sensors/{sensor}/readings/batch", content=chunks(), headers={**key, "content-type": "application/json"}
    )
    assert streamed.status_code == 413 and "MAX_BODY_BYTES" in streamed.json()["detail"]
    assert await stored_values(primary_dsn, sensor) == []


async def test_query_errors_say_what_to_fix(api: httpx.AsyncClient) -> None:
    sensor, _ = await register(api)
    cases = [
        ({"cursor": "%%%"}, 400, "cursor is not valid"),
        ({"limit": 5000}, 422, "READ_LIMIT_MAX=1000"),
        ({"start": "2024-05-02T00:00:00Z", "end": "2024-05-01T00:00:00Z"}, 422, "must be before end"),
        ({"start": "2024-05-01T00:00:00"}, 422, "start: Input should have timezone info"),
        ({"start": "0001-01-01T00:00:00+03:01"}, 422, "start 0001-01-01T00:00:00+03:01 is out of range"),
        ({"end": "9999-12-31T23:59:59-03:00"}, 422, "end 9999-12-31T23:59:59-03:00 is out of range"),
        ({"consistency": "sometimes"}, 422, "consistency: Input should be 'eventual' or 'strong'"),
    ]
    for params, status, fragment in cases:
        response = await api.get(f"/v1/sensors/{sensor}/readings", params=params, headers=READER)
        assert (response.status_code, fragment in response.json()["detail"]) == (status, True), response.text


async def test_unknown_sensor_is_a_404_that_says_how_to_find_one(api: httpx.AsyncClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for path in (f"/v1/sensors/{missing}", f"/v1/sensors/{missing}/readings", f"/v1/sensors/{missing}/summary"):
        response = await api.get(path, headers={"X-API-Key": ADMIN_KEY})
        assert response.status_code == 404 and "GET /v1/sensors" in response.json()["detail"]


async def test_health_readiness_and_docs(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    ready = (await api.get("/readyz")).json()
    assert ready["status"] == "ready" and ready["reads"]["reason"] == "no-replica-configured"
    assert ready["pools"]["pool_size_per_worker"] == 8
    assert (await api.get("/docs")).status_code == 200
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert "/v1/sensors/{sensor_id}/readings/batch" in paths


async def test_sensor_names_with_control_characters_are_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/sensors", json={"name": "boiler\u0000"}, headers=ADMIN)
    assert response.status_code == 422 and response.json()["detail"].startswith("invalid request: name:")


async def test_a_pool_busy_past_the_acquire_timeout_answers_503_naming_the_setting(primary_dsn: str) -> None:
    settings = make_settings(primary_dsn, db_pool_size=2, db_connection_budget=2, db_acquire_timeout_seconds=0.2)
    async with running_app(settings) as (app, client):
        sensor, _ = await register(client)
        pool = app.state.runtime.db.primary
        held = [await pool.acquire(), await pool.acquire()]
        try:
            response = await client.get(f"/v1/sensors/{sensor}?consistency=strong", headers=READER)
        finally:
            for conn in held:
                await pool.release(conn)
        after = await client.get(f"/v1/sensors/{sensor}?consistency=strong", headers=READER)
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert (
        "all 2 connections to the primary stayed busy for 0.2 s (DB_ACQUIRE_TIMEOUT_SECONDS)"
        in response.json()["detail"]
    )
    assert after.status_code == 200


@pytest.mark.parametrize("coalesce", [False, True])
async def test_ingest_with_every_connection_busy_answers_503_with_retry_after(primary_dsn: str, coalesce: bool) -> None:
    """The uncoalesced baseline at the default timeouts: pool exhaustion is a 503 to retry, never a 500."""
    settings = make_settings(
        primary_dsn, db_pool_size=2, db_connection_budget=2, db_acquire_timeout_seconds=0.2, ingest_coalesce=coalesce
    )
    async with app_seeing_500s(settings) as (app, client):
        sensor, key = await register(client)
        pool = app.state.runtime.db.primary
        held = [await pool.acquire(), await pool.acquire()]
        try:
            body = {"ts": now_iso(), "value": 1.0}
            responses = await asyncio.gather(
                *(client.post(f"/v1/sensors/{sensor}/readings", json=body, headers=key) for _ in range(20))
            )
        finally:
            for conn in held:
                await pool.release(conn)
    assert {r.status_code for r in responses} == {503}
    assert all(r.headers["Retry-After"] == "1" for r in responses)
    assert all("retry" in r.json()["detail"] for r in responses)


async def test_request_metrics_are_keyed_by_route_template(primary_dsn: str) -> None:
    async with running_app(make_settings(primary_dsn)) as (app, client):
        sensor, key = await register(client)
        await client.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso(), "value": 1.0}, headers=key)
        await client.post(f"/v1/sensors/{sensor}/readings", json={"ts": now_iso()}, headers=key)
        await client.get("/no/such/path")
        routes = app.state.runtime.metrics.routes
    ingest = routes["POST /v1/sensors/{sensor_id}/readings"]
    assert (ingest.requests, ingest.client_errors, ingest.server_errors) == (2, 1, 0)
    assert routes["POST /v1/sensors"].requests == 1
    assert routes["GET unmatched"].client_errors == 1


async def test_a_client_that_hangs_up_mid_body_is_not_a_server_error(primary_dsn: str) -> None:
    async with running_app(make_settings(primary_dsn)) as (app, client):
        sensor, key = await register(client)
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        path = f"/v1/sensors/{sensor}/readings"
        headers = [(b"x-api-key", key["X-API-Key"].encode()), (b"content-type", b"application/json")]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        await app(scope, receive, send)
        routes = app.state.runtime.metrics.routes
    assert sent[0]["status"] == 400
    assert routes["POST /v1/sensors/{sensor_id}/readings"].server_errors == 0
