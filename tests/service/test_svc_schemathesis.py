"""Property-based requests generated from the OpenAPI document, against the service under uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sensor_api.dev.localpg import Primary
from sensor_api.dev.server import LocalServer
from svc_support import ADMIN, ADMIN_KEY, READER_KEY

pytestmark = [pytest.mark.service, pytest.mark.timeout(240)]


@dataclass(frozen=True)
class Live:
    url: str
    sensor_id: str
    sensor_key: str


@pytest.fixture(scope="module")
def live(primary: Primary, database: str) -> Iterator[Live]:
    env = {
        "DATABASE_URL": primary.dsn(database),
        "ADMIN_API_KEYS": ADMIN_KEY,
        "READER_API_KEYS": READER_KEY,
        "DB_CONNECTION_BUDGET": "4",
        "MAX_TASKS": "1",
    }
    server = LocalServer(env=env, workers=1)
    server.start()
    try:
        created = httpx.post(f"{server.url}/v1/sensors", json={"name": "fuzzed"}, headers=ADMIN, timeout=10)
        assert created.status_code == 201, created.text
        yield Live(server.url, created.json()["id"], created.json()["api_key"])
    finally:
        server.stop()
        server.remove_log()


def call(case: Any, live: Live) -> None:
    """Sensor paths use the real sensor (so requests reach the handlers) with the key that may use them."""
    key = ADMIN_KEY
    if case.path_parameters and "sensor_id" in case.path_parameters and not case.path.endswith("/deactivate"):
        case.path_parameters["sensor_id"] = live.sensor_id
        if case.method.upper() == "POST":
            key = live.sensor_key
    response = case.call(base_url=live.url, headers={"X-API-Key": key}, timeout=10)
    case.validate_response(response, checks=[not_a_server_error])


def test_no_generated_request_gets_a_server_error(live: Live) -> None:
    """Valid and invalid requests for every operation of /openapi.json: none may get a 5xx."""
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    strategy = st.one_of(schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        call(case, live)

    run()
