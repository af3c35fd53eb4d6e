"""The group-commit queue, driven with an in-memory writer (no database)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sensor_api.coalescer import Coalescer, DirectWriter, IngestUnavailableError
from sensor_api.repository import ReadingRow

pytestmark = pytest.mark.timeout(30)
SENSOR = uuid.uuid4()
TS = datetime(2024, 5, 1, tzinfo=UTC)


def row(value: float) -> ReadingRow:
    return (SENSOR, TS, value)


class Store:
    """Commits batches in memory; can fail batches holding a given value, or hold writes on a gate."""

    def __init__(self, fail_on: float | None = None) -> None:
        self.batches: list[list[float]] = []
        self.fail_on = fail_on
        self.gate = asyncio.Event()
        self.gate.set()
        self.writing = asyncio.Event()

    async def write(self, rows: Sequence[ReadingRow]) -> None:
        self.writing.set()
        await self.gate.wait()
        values = [r[2] for r in rows]
        if self.fail_on in values:
            raise ConnectionResetError("connection lost during COPY")
        self.batches.append(values)

    @property
    def committed(self) -> list[float]:
        return [v for batch in self.batches for v in batch]


def coalescer(store: Store, **opts: float) -> Coalescer:
    q = Coalescer(
        store.write,
        window_ms=opts.get("window_ms", 2.0),
        max_rows=int(opts.get("max_rows", 1000)),
        max_pending_rows=int(opts.get("max_pending_rows", 10_000)),
        flushers=int(opts.get("flushers", 2)),
        queue_timeout=opts.get("queue_timeout", 10.0),
    )
    q.start()
    return q


async def test_concurrent_submits_share_copies_and_return_after_commit() -> None:
    store = Store()
    q = coalescer(store)

    async def submit(value: float) -> bool:
        await q.submit([row(value)])
        return value in store.committed  # acknowledged only once its batch is committed

    results = await asyncio.gather(*(submit(float(i)) for i in range(200)))
    await q.close()
    assert all(results)
    assert sorted(store.committed) == [float(i) for i in range(200)]
    assert len(store.batches) < 20


async def test_a_failed_write_fails_exactly_the_requests_in_its_batch() -> None:
    store = Store(fail_on=3.0)
    q = coalescer(store, max_rows=5, flushers=1)
    results = await asyncio.gather(*(q.submit([row(float(i))]) for i in range(10)), return_exceptions=True)
    await q.close()
    failed = [i for i, r in enumerate(results) if isinstance(r, IngestUnavailableError)]
    assert failed == [0, 1, 2, 3, 4]
    assert sorted(store.committed) == [5.0, 6.0, 7.0, 8.0, 9.0]
    error = results[0]
    assert isinstance(error, IngestUnavailableError)
    assert "not stored" in error.message and "ConnectionResetError" in error.message


async def test_a_full_batch_is_written_without_waiting_for_the_window() -> None:
    store = Store()
    q = coalescer(store, window_ms=60_000, max_rows=3)
    await asyncio.wait_for(asyncio.gather(*(q.submit([row(float(i))]) for i in range(3))), timeout=10)
    await q.close()
    assert store.batches == [[0.0, 1.0, 2.0]]


async def test_multi_row_submissions_are_never_split_across_batches() -> None:
    store = Store()
    q = coalescer(store, max_rows=4, flushers=1)
    await asyncio.gather(q.submit([row(1), row(2), row(3)]), q.submit([row(4), row(5), row(6)]))
    await q.close()
    assert sorted(store.batches) == [[1, 2, 3], [4, 5, 6]]


async def test_a_full_queue_holds_new_rows_until_there_is_room() -> None:
    store = Store()
    store.gate.clear()  # the database is stuck: nothing commits
    q = coalescer(store, max_pending_rows=3, flushers=1, window_ms=0)
    first = asyncio.create_task(q.submit([row(1), row(2), row(3)]))
    await store.writing.wait()  # the flusher holds the first batch; the queue is empty again
    second = asyncio.create_task(q.submit([row(4), row(5), row(6)]))
    third = asyncio.create_task(q.submit([row(7)]))  # no room: waits instead of failing
    await asyncio.sleep(0)
    assert q.queued_rows == 6 and not third.done()
    store.gate.set()
    await asyncio.gather(first, second, third)
    await q.close()
    assert sorted(store.committed) == [1, 2, 3, 4, 5, 6, 7]


async def test_a_queue_full_for_longer_than_the_timeout_answers_retry_later() -> None:
    store = Store()
    store.gate.clear()
    q = coalescer(store, max_pending_rows=3, flushers=1, window_ms=0, queue_timeout=0.05)
    first = asyncio.create_task(q.submit([row(1), row(2), row(3)]))
    await store.writing.wait()
    second = asyncio.create_task(q.submit([row(4), row(5), row(6)]))
    await asyncio.sleep(0)
    with pytest.raises(IngestUnavailableError, match=r"queue full for 0\.05 s \(3 readings waiting, 3 being written\)"):
        await q.submit([row(7)])
    with pytest.raises(IngestUnavailableError, match="exceed INGEST_MAX_PENDING_ROWS=3"):
        await q.submit([row(8), row(9), row(10), row(11)])
    store.gate.set()
    await asyncio.gather(first, second)
    await q.close()
    assert sorted(store.committed) == [1, 2, 3, 4, 5, 6]


async def test_close_writes_what_is_pending_then_refuses_new_rows() -> None:
    store = Store()
    q = coalescer(store, window_ms=60_000)
    pending = [asyncio.create_task(q.submit([row(float(i))])) for i in range(5)]
    await asyncio.sleep(0)  # let the submissions enqueue
    await q.close()
    await asyncio.gather(*pending)
    assert sorted(store.committed) == [0.0, 1.0, 2.0, 3.0, 4.0]
    with pytest.raises(IngestUnavailableError, match="shutting down"):
        await q.submit([row(9)])


async def test_direct_writer_turns_a_database_error_into_a_retryable_error() -> None:
    async def broken(rows: Sequence[ReadingRow]) -> None:
        raise OSError("connection refused")

    async def broken_one(r: ReadingRow) -> None:
        raise OSError("connection refused")

    with pytest.raises(IngestUnavailableError, match="connection refused"):
        await DirectWriter(broken, broken_one).submit([row(1.0)])
