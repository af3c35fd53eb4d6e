"""Fixtures for the sensor API tests: a scratch database on the local PostgreSQL and a streaming replica.

The replica is a real hot standby made with pg_basebackup (as the `postgres` OS user), on a free
port, streaming from 127.0.0.1:5432. If the primary refuses replication connections from 127.0.0.1,
the fixture appends `host replication all 127.0.0.1/32 trust` to its pg_hba.conf and reloads it
(once; the check is idempotent).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sensor_api.dev.localpg import LocalReplica, Primary, create_database, drop_database


@pytest.fixture(scope="session")
def primary() -> Primary:
    return Primary()


@pytest.fixture(scope="session")
def database(primary: Primary) -> Iterator[str]:
    """A dedicated database (sensor_test_<random>), dropped afterwards."""
    name = create_database(primary)
    yield name
    drop_database(primary, name)


@pytest.fixture(scope="session")
def primary_dsn(primary: Primary, database: str) -> str:
    return primary.dsn(database)


@pytest.fixture(scope="session")
def replica(primary: Primary, database: str) -> Iterator[LocalReplica]:
    """A streaming replica shared by the tests that do not stop it."""
    standby = LocalReplica(primary)
    standby.start()
    yield standby
    standby.destroy()


@pytest.fixture
def own_replica(primary: Primary, database: str) -> Iterator[LocalReplica]:
    """A replica this test may stop or break."""
    standby = LocalReplica(primary)
    standby.start()
    yield standby
    standby.destroy()
