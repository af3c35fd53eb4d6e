"""The load test's target: the service started on loopback (4 workers, primary + streaming replica),
or a deployed URL given with --url and --api-key (an admin key, used to register the test sensors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from load_support import Target
from sensor_api.dev.localpg import LocalReplica, Primary, create_database, drop_database
from sensor_api.dev.server import LocalServer

LOCAL_ADMIN_KEY = "load-admin-key"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sensor-api load test")
    group.addoption("--url", default=None, help="target a deployed sensor API (e.g. the ALB URL)")
    group.addoption("--api-key", default=None, help="admin API key of the deployed sensor API (with --url)")
    group.addoption("--clients", type=int, default=1000, help="concurrent clients (default 1000)")


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    url = request.config.getoption("--url", default=None)
    clients = int(request.config.getoption("--clients", default=1000) or 1000)
    if url:
        key = request.config.getoption("--api-key", default=None)
        if not key:
            raise pytest.UsageError("--url needs --api-key: the admin key used to register the test sensors")
        yield Target(url.rstrip("/"), key, clients)
        return
    yield from local_target(clients)


def local_target(clients: int) -> Iterator[Target]:
    primary = Primary()
    database = create_database(primary, prefix="sensor_load")
    replica = LocalReplica(primary)
    server = None
    try:
        replica.start()
        env = {
            "DATABASE_URL": primary.dsn(database),
            "READ_DATABASE_URL": replica.dsn(database),
            "ADMIN_API_KEYS": LOCAL_ADMIN_KEY,
            "DB_CONNECTION_BUDGET": "24",  # 4 workers x 6: the local server is shared, max_connections=100
            "MAX_TASKS": "1",
        }
        server = LocalServer(env=env, workers=4)
        server.start()
        yield Target(server.url, LOCAL_ADMIN_KEY, clients, primary.dsn(database))
    finally:
        if server is not None:
            server.stop()
            server.remove_log()
        replica.destroy()
        drop_database(primary, database)
