"""Stopping the service's background tasks: a stop that is itself cancelled is cancelled (its CancelledError is
not swallowed with the task's), and the writer watch's shutdown ends while a switch is still retiring the read
side. The shutdown used to wait forever when the watch was stopped while it waited for the replica monitor."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sensor_api.background import cancel_and_wait
from sensor_api.writer import WriterWatch

READ_HOST = ("replica.internal", 5432)


async def test_the_task_is_cancelled_and_finished_when_cancel_and_wait_returns() -> None:
    task = asyncio.create_task(asyncio.Event().wait())
    await cancel_and_wait(task)
    assert task.cancelled()


async def test_a_stop_that_is_cancelled_itself_is_cancelled_and_does_not_carry_on() -> None:
    cancel_seen, release = asyncio.Event(), asyncio.Event()

    async def slow_to_stop() -> None:  # like a monitor cancelled in the middle of a query
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancel_seen.set()
            await release.wait()
            raise

    inner = asyncio.create_task(slow_to_stop())
    carried_on = []

    async def stopper() -> None:
        await cancel_and_wait(inner)
        carried_on.append(True)

    outer = asyncio.create_task(stopper())
    await cancel_seen.wait()  # the stopper has cancelled `inner` and is waiting for it
    outer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await outer
    assert carried_on == [], "the stopper went on as if its own cancellation had not happened"
    release.set()
    await asyncio.wait({inner})
    assert inner.cancelled()


async def test_a_task_that_had_failed_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise RuntimeError("lost the connection")

    task = asyncio.create_task(broken(), name="replica-monitor")
    await asyncio.wait({task})
    with caplog.at_level(logging.WARNING, logger="sensor_api.background"):
        await cancel_and_wait(task)
    assert "replica-monitor had failed" in caplog.text and "lost the connection" in caplog.text


async def test_no_task_is_nothing_to_stop() -> None:
    await cancel_and_wait(None)


class Pool:
    def __init__(self, name: str) -> None:
        self.name, self.closed = name, False

    async def close(self) -> None:
        self.closed = True

    def terminate(self) -> None:
        self.closed = True


class Monitor:
    """Stops only when released: the monitor of the read pool, cancelled in the middle of a poll."""

    def __init__(self) -> None:
        self.stopping, self.release, self.stopped = asyncio.Event(), asyncio.Event(), False

    async def stop(self) -> None:
        self.stopping.set()
        await self.release.wait()
        self.stopped = True


class Db:
    def __init__(self, replica: Pool, monitor: Monitor) -> None:
        self.primary: Any = Pool("old-writer")
        self.replica: Any = replica
        self.monitor: Any = monitor
        self.replica_endpoint = READ_HOST

    def switch_primary(self, pool: Any) -> Any:
        old, self.primary = self.primary, pool
        return old

    def detach_replica(self) -> tuple[Any, Any]:
        pool, monitor = self.replica, self.monitor
        self.replica = self.monitor = None
        return pool, monitor


async def test_the_watch_stops_while_a_switch_onto_the_read_host_is_still_retiring_the_read_side() -> None:
    replica, monitor = Pool("read"), Monitor()
    db = Db(replica, monitor)
    new_writer = Pool("new-writer")

    async def open_pool(endpoint: tuple[str, int]) -> Pool:
        return new_writer

    watch = WriterWatch(db, lambda: "replica.internal", open_pool, ("writer.internal", 5432), interval=3600)  # type: ignore[arg-type]
    watch.start()
    watch.nudge()
    await monitor.stopping.wait()  # switched: the read side is being retired in the background
    assert db.primary is new_writer and db.replica is None
    stopping = asyncio.create_task(watch.stop())
    monitor.release.set()
    await stopping
    assert monitor.stopped and replica.closed, "stop() returned before the read side was retired"
