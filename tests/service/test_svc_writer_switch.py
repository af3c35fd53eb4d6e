"""A promotion while readings keep coming: the old writer is fenced, the replica promoted, the writer-host
parameter (SSM, on moto) updated; the running service moves its writes to the new writer by itself, and
every acknowledged reading is on the new writer, once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from sensor_api.dev.localpg import LocalReplica, Primary
from sensor_api.writer import WriterHostError, parse_endpoint
from svc_support import (
    Traffic,
    client_seeing_500s,
    make_settings,
    poll_until,
    register,
    stored_values,
    writer_host_parameter,
)

pytestmark = [pytest.mark.service, pytest.mark.timeout(120)]
REGION = "eu-west-1"
PARAMETER = "/sensor-test/db/writer-host"


def test_the_parameter_holds_a_host_or_host_and_port() -> None:
    assert parse_endpoint("db.example.com", 5432) == ("db.example.com", 5432)
    assert parse_endpoint(" db.example.com:6543 ", 5432) == ("db.example.com", 6543)
    for bad in ("", ":5432", "db:port", "db:70000"):
        with pytest.raises(WriterHostError, match="host or host:port"):
            parse_endpoint(bad, 5432)


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with writer_host_parameter(monkeypatch, PARAMETER, REGION) as client:
        yield client


async def fence(primary: Primary, database: str) -> None:
    """What fencing does to the old writer, for this database only: new sessions are read-only, the
    service's sessions are cut."""
    primary.psql(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
    primary.psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND application_name = 'sensor-api'"
    )


async def promote(standby: LocalReplica, database: str) -> None:
    await asyncio.to_thread(standby.wait_replayed, database)  # the control plane's lag bound, here 0
    standby.sql("SELECT pg_promote(true, 30)")
    # The fence above is a catalog change, so the replica replayed it too; the new writer drops it.
    standby.sql(f'ALTER DATABASE "{database}" RESET default_transaction_read_only')


async def test_writes_follow_a_promotion_and_no_acknowledged_reading_is_lost(
    ssm: Any, primary: Primary, own_replica: LocalReplica, database: str
) -> None:
    settings = make_settings(
        "", own_replica.dsn(database), database_url=None, db_host="127.0.0.1", db_port=5432, db_name=database,
        db_user="postgres", db_writer_host_parameter=PARAMETER, aws_region=REGION, writer_check_seconds=0.2,
    )  # fmt: skip
    try:
        async with client_seeing_500s(settings) as client:
            sensor, key = await register(client, f"promotion-{uuid.uuid4()}")
            traffic = Traffic(client, sensor, key)
            lanes = [asyncio.create_task(traffic.write(lane)) for lane in range(8)]
            await poll_until(lambda: _acknowledged(traffic, 50), 15, "readings acknowledged by the old writer")
            await fence(primary, database)
            await promote(own_replica, database)
            before_switch = len(traffic.acknowledged)
            ssm.put_parameter(Name=PARAMETER, Value=f"127.0.0.1:{own_replica.port}", Type="String", Overwrite=True)
            await poll_until(lambda: _acknowledged(traffic, before_switch + 50), 20, "writes on the new writer")
            traffic.stop.set()
            await asyncio.wait_for(asyncio.gather(*lanes), 30)
    finally:
        primary.psql(f'ALTER DATABASE "{database}" RESET default_transaction_read_only')
    assert set(traffic.statuses) <= {201, 503}, traffic.statuses
    assert traffic.without_retry_after == 0
    on_new_writer = await stored_values(own_replica.dsn(database), sensor)
    assert len(on_new_writer) == len(set(on_new_writer)), "a reading was stored twice"
    assert set(traffic.acknowledged) <= set(on_new_writer), "an acknowledged reading is not on the new writer"
    conn = await asyncpg.connect(own_replica.dsn(database))
    try:
        assert await conn.fetchval("SELECT pg_is_in_recovery()") is False
    finally:
        await conn.close()


async def _acknowledged(traffic: Traffic, count: int) -> bool:
    return len(traffic.acknowledged) >= count
