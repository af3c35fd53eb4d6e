"""One instance, one budget: when the read host is the writer (after a promotion the replica IS the writer) the
worker keeps no second pool on it, so its pools' maximum sizes add up to at most DB_CONNECTION_BUDGET (one task of
one worker here), at start-up and after a running worker follows the writer host onto the read host."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sensor_api.dev.localpg import LocalReplica
from svc_support import READER, make_settings, poll_until, running_app, writer_host_parameter

pytestmark = [pytest.mark.service, pytest.mark.timeout(120)]
REGION = "eu-west-1"
PARAMETER = "/sensor-test/db/writer-host-budget"


def pool_total(db: Any) -> int:
    """Connections one worker may hold: the maximum sizes of its pools, added up."""
    return int(db.primary.get_max_size()) + (int(db.replica.get_max_size()) if db.replica is not None else 0)


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with writer_host_parameter(monkeypatch, PARAMETER, REGION) as client:
        yield client


async def test_read_and_write_hosts_on_one_instance_share_one_budget(primary_dsn: str) -> None:
    settings = make_settings(primary_dsn, primary_dsn)  # a new task after a promotion: both hosts the same
    async with running_app(settings) as (app, client):
        db = app.state.runtime.db
        assert pool_total(db) <= settings.db_connection_budget == 8
        assert db.replica is None
        ready = (await client.get("/readyz")).json()
        assert ready["reads"]["reason"] == "replica-is-writer"
        response = await client.get("/v1/sensors", headers=READER)
        assert response.status_code == 200, response.text
        assert response.headers["X-Read-Reason"] == "replica-is-writer"


async def test_a_writer_switch_onto_the_read_host_closes_the_read_pool(
    ssm: Any, replica: LocalReplica, database: str
) -> None:
    settings = make_settings(
        "", replica.dsn(database), database_url=None, db_host="127.0.0.1", db_port=5432, db_name=database,
        db_user="postgres", db_writer_host_parameter=PARAMETER, aws_region=REGION, writer_check_seconds=0.1,
    )  # fmt: skip
    async with running_app(settings) as (app, client):
        db = app.state.runtime.db
        assert db.replica is not None, "two instances: a pool on each"
        ssm.put_parameter(Name=PARAMETER, Value=f"127.0.0.1:{replica.port}", Type="String", Overwrite=True)

        async def moved() -> bool:
            return bool((await client.get("/readyz")).json()["reads"]["reason"] == "replica-is-writer")

        await poll_until(moved, 15, "reads routed to the writer's pool once the writer is the read host")
        assert db.replica is None and db.monitor is None
        assert pool_total(db) <= settings.db_connection_budget
        port = await db.on_primary(lambda conn: conn.fetchval("SELECT inet_server_port()"))
        assert port == replica.port, "the writer's pool is on the read host"
