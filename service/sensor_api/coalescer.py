"""Group commit for ingest: readings that arrive together are written by one COPY.

Requests put their rows in a shared queue and wait. A few flusher tasks (fewer than the pool's
connections, so reads still get one) take everything that is pending once the oldest row has
waited the coalescing window, write it with one COPY, and only after the commit resolve the
waiting requests. While all flushers are busy, rows keep accumulating, so the batches grow with
the load. A failed write fails exactly the requests that were in it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from .replica_monitor import describe
from .repository import ReadingRow

log = logging.getLogger(__name__)

Writer = Callable[[Sequence[ReadingRow]], Awaitable[None]]
FlushObserver = Callable[[int, float, bool], None]  # rows, seconds, committed


class IngestUnavailableError(Exception):
    """The readings were not stored; the client should retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass
class _Item:
    rows: Sequence[ReadingRow]
    future: asyncio.Future[None] = field(repr=False)


class Coalescer:
    """Coalesced ingest: `submit` returns once the rows are committed, or raises IngestUnavailableError."""

    def __init__(
        self,
        write: Writer,
        *,
        window_ms: float,
        max_rows: int,
        max_pending_rows: int,
        flushers: int,
        queue_timeout: float = 10.0,
    ):
        self._write = write
        self._window = window_ms / 1000.0
        self._max_rows = max_rows
        self._max_pending = max_pending_rows
        self._flushers = flushers
        self._pending: list[_Item] = []
        self._pending_rows = 0
        self._first_at = 0.0
        self._flushing_rows = 0
        self._queue_timeout = queue_timeout
        self._has_work = asyncio.Event()
        self._space = asyncio.Event()
        self._closing = False
        self._tasks: list[asyncio.Task[None]] = []
        self.observer: FlushObserver | None = None

    @property
    def queued_rows(self) -> int:
        """Rows accepted but not yet committed (waiting or being written)."""
        return self._pending_rows + self._flushing_rows

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name=f"ingest-flusher-{i}") for i in range(self._flushers)]

    async def close(self) -> None:
        """Stop taking rows, write what is pending, stop the flushers."""
        self._closing = True
        self._has_work.set()
        await asyncio.gather(*self._tasks)

    async def submit(self, rows: Sequence[ReadingRow]) -> None:
        if self._closing:
            raise IngestUnavailableError("the service is shutting down: retry, another instance will take it")
        if self._pending_rows + len(rows) > self._max_pending:
            await self._wait_for_room(len(rows))
        loop = asyncio.get_running_loop()
        item = _Item(rows, loop.create_future())
        if not self._pending:
            self._first_at = loop.time()
        self._pending.append(item)
        self._pending_rows += len(rows)
        self._has_work.set()
        await item.future

    async def _wait_for_room(self, count: int) -> None:
        """Back-pressure: wait while the queue is full; give up (503) after the queue timeout."""
        if count > self._max_pending:
            raise IngestUnavailableError(
                f"{count} readings exceed INGEST_MAX_PENDING_ROWS={self._max_pending}: send smaller batches"
            )
        try:
            async with asyncio.timeout(self._queue_timeout):
                while self._pending_rows + count > self._max_pending:
                    self._space.clear()
                    await self._space.wait()
        except TimeoutError:
            raise IngestUnavailableError(
                f"ingest queue full for {self._queue_timeout:g} s ({self._pending_rows} readings waiting, "
                f"{self._flushing_rows} being written): "
                "the database is not keeping up, retry shortly"
            ) from None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending:
                if self._closing:
                    return
                self._has_work.clear()
                await self._has_work.wait()
                continue
            delay = self._first_at + self._window - loop.time()
            if delay > 0 and self._pending_rows < self._max_rows and not self._closing:
                await asyncio.sleep(delay)  # the coalescing window, then decide again
                continue
            await self._flush(self._take())

    def _take(self) -> list[_Item]:
        """Pending items up to max_rows (at least one); the rest stays for the next flusher."""
        taken, rows = 0, 0
        for item in self._pending:
            if taken and rows + len(item.rows) > self._max_rows:
                break
            taken += 1
            rows += len(item.rows)
        batch, self._pending = self._pending[:taken], self._pending[taken:]
        self._pending_rows -= rows
        self._space.set()
        return batch

    async def _flush(self, batch: list[_Item]) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        rows = [row for item in batch for row in item.rows]
        self._flushing_rows += len(rows)
        try:
            await self._write(rows)
        except Exception as exc:
            reason = describe(exc)
            log.warning("ingest flush failed", extra={"rows": len(rows), "requests": len(batch), "error": reason})
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(
                        IngestUnavailableError(
                            f"the readings were not stored, the database write failed ({reason}): retry"
                        )
                    )
            self._observe(len(rows), loop.time() - started, committed=False)
            return
        finally:
            self._flushing_rows -= len(rows)
        for item in batch:
            if not item.future.done():
                item.future.set_result(None)
        self._observe(len(rows), loop.time() - started, committed=True)

    def _observe(self, rows: int, seconds: float, committed: bool) -> None:
        if self.observer is not None:
            self.observer(rows, seconds, committed)


class DirectWriter:
    """Ingest without coalescing: every request commits on its own (the baseline)."""

    def __init__(self, copy: Writer, insert_one: Callable[[ReadingRow], Awaitable[None]]) -> None:
        self._copy = copy
        self._insert_one = insert_one
        self.observer: FlushObserver | None = None
        self.queued_rows = 0

    def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def submit(self, rows: Sequence[ReadingRow]) -> None:
        self.queued_rows += len(rows)
        try:
            if len(rows) == 1:
                await self._insert_one(rows[0])
            else:
                await self._copy(rows)
        except Exception as exc:
            raise IngestUnavailableError(
                f"the readings were not stored, the database write failed ({describe(exc)}): retry"
            ) from exc
        finally:
            self.queued_rows -= len(rows)
