"""Follows the writer host after a promotion, without a restart.

After a read replica is promoted, the control plane writes the new writer host to an SSM parameter
(and forces a new deployment, which replaces the tasks within minutes). With DB_WRITER_HOST_PARAMETER
set, a running worker reads that parameter every WRITER_CHECK_SECONDS, and at once when a write to the
primary fails; when the host changed it opens a pool to the new writer and sends every new operation
there. Operations already running on the old pool finish there, then it is closed. When the new writer is the
read host (the promoted replica), the read pool is closed the same way and reads go to the writer's pool, so the
worker keeps one pool on that instance and stays within the connection budget.

No acknowledged reading is lost by the switch: a reading is acknowledged only after its COPY committed,
and a COPY that fails on the old writer (fenced, read-only, gone) is answered 503 and retried by the
client, then lands on the new writer. (A reading committed on the old writer after the promotion and
before its fencing is the split brain the control plane's fencing exists to prevent.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .background import cancel_and_wait
from .database import Database, same_instance
from .replica_monitor import ReplicaMonitor, describe

log = logging.getLogger(__name__)

Endpoint = tuple[str, int]
ReadHost = Callable[[], str]
OpenPool = Callable[[Endpoint], Awaitable[Any]]


class WriterHostError(ValueError):
    """The parameter does not hold a usable host."""


def parse_endpoint(value: str, default_port: int) -> Endpoint:
    """'db.example.com' or 'db.example.com:5433' (pure)."""
    text = value.strip()
    host, sep, port = text.rpartition(":")
    if not sep:
        host = text
    if not host:
        raise WriterHostError(f"writer host {value!r} is empty: the parameter must hold host or host:port")
    if not sep:
        return host, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise WriterHostError(f"writer host {value!r} has an invalid port: use host or host:port")
    return host, int(port)


def ssm_parameter_reader(name: str, client: Any) -> ReadHost:
    """Read the parameter's value with a boto3 SSM client (ssm:GetParameter)."""

    def read() -> str:
        return str(client.get_parameter(Name=name)["Parameter"]["Value"])

    return read


class WriterWatch:
    """Polls the writer host and switches the database's primary pool when it changes."""

    def __init__(
        self, db: Database, read_host: ReadHost, open_pool: OpenPool, current: Endpoint, **opts: float
    ) -> None:
        self._db = db
        self._read_host = read_host
        self._open_pool = open_pool
        self._default_port = current[1]
        self.current = current
        self._interval = opts.get("interval", 5.0)
        self._close_timeout = opts.get("close_timeout", 30.0)
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None

    def nudge(self) -> None:
        """A write to the primary failed: look at the parameter now rather than at the next tick."""
        self._wake.set()

    async def check_once(self) -> bool:
        """Switch to the host the parameter names if it changed; True if a switch happened."""
        try:
            endpoint = parse_endpoint(await asyncio.to_thread(self._read_host), self._default_port)
        except Exception as exc:  # keep the current writer; the next check tries again
            log.warning("writer host not read", extra={"error": describe(exc)})
            return False
        if endpoint == self.current:
            return False
        try:
            pool = await self._open_pool(endpoint)
        except Exception as exc:
            log.warning("new writer not reachable yet", extra={"host": endpoint[0], "error": describe(exc)})
            return False
        old = self._db.switch_primary(pool)
        log.info("writer host changed", extra={"from": self.current[0], "to": endpoint[0], "port": endpoint[1]})
        self.current = endpoint
        self._later(self._retire(old), "retire-old-writer")
        if same_instance(self._db.replica_endpoint, (endpoint[0].lower(), endpoint[1])):
            replica, monitor = self._db.detach_replica()
            log.info("the writer is the read host now: reads use the writer's pool", extra={"host": endpoint[0]})
            self._later(self._retire_read_side(replica, monitor), "retire-read-pool")
        return True

    def _later(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run `work` in the background; stop() waits for it (no await here: nothing can interrupt a switch)."""
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _retire(self, pool: Any) -> None:
        try:
            await asyncio.wait_for(pool.close(), self._close_timeout)
        except Exception:  # still busy (or broken) after the timeout: cut it
            pool.terminate()

    async def _retire_read_side(self, pool: Any | None, monitor: ReplicaMonitor | None) -> None:
        if monitor is not None:
            await monitor.stop()
        if pool is not None:
            await self._retire(pool)

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="writer-watch")

    async def stop(self) -> None:
        await cancel_and_wait(self._loop_task)
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._wake.wait()
            self._wake.clear()
            await self.check_once()
