"""asyncpg pools: writes to the primary, reads routed by lag (with fallback to the primary).

The connection budget is per database instance (budget.py). When the read host is the writer (after a promotion
the replica is the writer: the new tasks start with both hosts the same, and a running worker follows the writer
host onto the read host, see writer.py), no separate read pool is kept: reads go to the writer's pool
(reason ``replica-is-writer``), so the instance never sees two pools from one worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg

from .budget import PoolPlan
from .credentials import SecretCredentials, connect_with
from .replica_monitor import ReplicaMonitor
from .routing import ReadRoute, choose_read_route
from .settings import ServiceSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
Endpoint = tuple[str, int]
DEFAULT_PORT = 5432


def dsn_endpoint(dsn: str) -> Endpoint | None:
    """(host, port) of a ``postgresql://`` connection string, the host lower-cased; None when it names no host."""
    parts = urlsplit(dsn)
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    return (host, port) if host else None


def same_instance(endpoint: Endpoint | None, other: Endpoint | None) -> bool:
    return endpoint is not None and other is not None and (endpoint[0].lower(), endpoint[1]) == other


class PoolBusyError(Exception):
    """Every connection of a pool stayed in use for the whole acquire timeout: the worker is overloaded."""

    def __init__(self, database: str, size: int, seconds: float) -> None:
        super().__init__(
            f"all {size} connections to the {database} stayed busy for {seconds:g} s "
            "(DB_ACQUIRE_TIMEOUT_SECONDS): the service is overloaded, retry shortly"
        )


# Errors that mean "this database cannot serve now", as opposed to a bad query. A terminated backend
# (a failover, a promotion, pg_terminate_backend) surfaces as any of the connection errors, and also as
# asyncpg's InternalClientError ("cannot switch to state ...; another operation is in progress",
# "release() called on a free connection holder") when the connection died mid-operation. A writer
# that turned read-only (a demoted primary) refuses writes with ReadOnlySQLTransactionError.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,
)
# On a hot standby a query can also be cancelled by a conflict with recovery (SQLSTATE 40001).
REPLICA_RETRYABLE_ERRORS = (*UNAVAILABLE_ERRORS, asyncpg.exceptions.TransactionRollbackError)


APPLICATION_NAME = "sensor-api"  # shows in pg_stat_activity


async def _skip_session_reset(conn: Any) -> None:
    """Pool reset hook. The service changes no session state (no SET, LISTEN, cursors or advisory locks
    held across a release), so the default reset query, one round trip per release, is skipped; asyncpg
    still rolls back a transaction left open."""


async def create_pool(
    dsn: str, size: int, settings: ServiceSettings, min_size: int, credentials: SecretCredentials | None = None
) -> Any:
    """A pool; with `credentials`, every new connection logs in with the secret's current user and password."""
    return await asyncpg.create_pool(
        dsn,
        connect=connect_with(credentials) if credentials is not None else None,
        min_size=min_size,
        max_size=size,
        timeout=settings.db_connect_timeout_seconds,
        command_timeout=settings.db_command_timeout_seconds,
        max_inactive_connection_lifetime=300,
        server_settings={"application_name": APPLICATION_NAME},
        reset=_skip_session_reset,
    )


async def _release(pool: Any, conn: Any) -> None:
    """Return a connection; one that died under us cannot be released cleanly, and that must not turn
    the finished work (a committed write) into an error: the pool replaces the connection."""
    try:
        await pool.release(conn)
    except UNAVAILABLE_ERRORS as exc:
        log.warning("connection lost on release", extra={"error": repr(exc)})


class Database:
    """The two pools and the routing of reads between them."""

    def __init__(self, primary: Any, replica: Any | None, monitor: ReplicaMonitor | None, **opts: Any):
        self.primary = primary
        self.replica = replica
        self.monitor = monitor
        self._max_lag: float = opts["max_lag"]
        self._acquire_timeout: float = opts["acquire_timeout"]
        self.replica_endpoint: Endpoint | None = opts.get("replica_endpoint")
        self.replica_is_writer: bool = opts.get("replica_is_writer", False)
        self.on_primary_error: Callable[[], None] | None = None

    @classmethod
    async def connect(
        cls, settings: ServiceSettings, plan: PoolPlan, credentials: SecretCredentials | None = None
    ) -> Database:
        primary = await create_pool(settings.primary_dsn(), plan.per_worker, settings, 1, credentials)
        replica_dsn = settings.replica_dsn()
        replica_endpoint = dsn_endpoint(replica_dsn) if replica_dsn is not None else None
        is_writer = same_instance(dsn_endpoint(settings.primary_dsn()), replica_endpoint)
        replica = monitor = None
        if is_writer:
            log.info("the read host is the writer: reads use the writer's pool", extra={"host": replica_endpoint})
        elif replica_dsn is not None:
            # min_size=0: a replica that is down at start-up must not stop the service from starting.
            replica = await create_pool(replica_dsn, plan.per_worker, settings, 0, credentials)
            monitor = ReplicaMonitor(
                replica, settings.replica_poll_seconds, settings.db_connect_timeout_seconds, primary=primary
            )
            await monitor.poll_once()
            monitor.start()
        return cls(
            primary,
            replica,
            monitor,
            max_lag=settings.read_max_lag_seconds,
            acquire_timeout=settings.db_acquire_timeout_seconds,
            replica_endpoint=replica_endpoint,
            replica_is_writer=is_writer,
        )

    def switch_primary(self, pool: Any) -> Any:
        """Send every new write and primary read to `pool` (a new writer); returns the old pool, which the
        caller closes once the operations already running on it have finished."""
        old, self.primary = self.primary, pool
        if self.monitor is not None:
            self.monitor.primary = pool
        return old

    def detach_replica(self) -> tuple[Any | None, ReplicaMonitor | None]:
        """The read host became the writer (a promotion): reads go to the writer's pool from now on. Returns the
        read pool and its monitor, which the caller stops and closes once the reads already running on that pool
        have finished."""
        pool, monitor = self.replica, self.monitor
        self.replica = self.monitor = None
        self.replica_is_writer = True
        return pool, monitor

    def pool_max_sizes(self) -> int:
        """Connections this worker may hold: its pools' maximum sizes added up."""
        pools = [self.primary, *([self.replica] if self.replica is not None else [])]
        return sum(int(pool.get_max_size()) for pool in pools)

    async def close(self) -> None:
        if self.monitor is not None:
            await self.monitor.stop()
        if self.replica is not None:
            await self.replica.close()
        await self.primary.close()

    def route(self, strong: bool = False) -> ReadRoute:
        if self.replica_is_writer and not strong:
            return ReadRoute("primary", "replica-is-writer")
        return choose_read_route(
            self.monitor.latest if self.monitor else None,
            replica_configured=self.replica is not None,
            strong=strong,
            max_lag_seconds=self._max_lag,
            now=time.monotonic(),
            max_snapshot_age=self.monitor.max_snapshot_age if self.monitor else 0.0,
        )

    async def on_primary(self, work: Callable[[Any], Awaitable[T]]) -> T:
        try:
            return await self._run(self.primary, "primary", work)
        except UNAVAILABLE_ERRORS:
            if self.on_primary_error is not None:
                self.on_primary_error()  # e.g. look whether the writer moved (writer.py)
            raise

    async def read(self, work: Callable[[Any], Awaitable[T]], strong: bool = False) -> tuple[T, ReadRoute]:
        """Run a read where the routing says; a replica failure is retried once on the primary.

        A replica pool that is merely busy is not a failure: that read waits (and, past the acquire
        timeout, answers 503) instead of moving the overload to the primary."""
        route = self.route(strong)
        if route.target == "replica" and self.replica is not None:
            try:
                return await self._run(self.replica, "replica", work), route
            except REPLICA_RETRYABLE_ERRORS as exc:
                if self.monitor is not None:
                    self.monitor.mark_failed(exc)
                log.warning("replica read failed, retrying on the primary", extra={"error": repr(exc)})
                route = ReadRoute("primary", "replica-error")
        return await self.on_primary(work), route

    async def _run(self, pool: Any, name: str, work: Callable[[Any], Awaitable[T]]) -> T:
        try:
            conn = await pool.acquire(timeout=self._acquire_timeout)
        except TimeoutError:
            if pool.get_idle_size() == 0 and pool.get_size() >= pool.get_max_size():
                raise PoolBusyError(name, pool.get_max_size(), self._acquire_timeout) from None
            raise  # still connecting: the database is slow or unreachable
        try:
            return await work(conn)
        finally:
            await _release(pool, conn)
