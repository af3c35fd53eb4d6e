"""Polls the read replica and keeps the latest snapshot (the adapter behind routing.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from .routing import ReplicaSnapshot

log = logging.getLogger(__name__)

# One round trip. pg_is_wal_replay_paused() raises outside recovery, hence the CASE.
# pg_stat_wal_receiver shows NULL columns to roles without pg_read_all_stats: 'hidden' = unknown.
REPLICA_STATE_SQL = """
SELECT pg_is_in_recovery() AS in_recovery,
       pg_last_wal_receive_lsn()::text AS receive_lsn,
       pg_last_wal_replay_lsn()::text AS replay_lsn,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint AS unapplied_bytes,
       pg_last_xact_replay_timestamp() AS last_replay_at,
       clock_timestamp() AS replica_clock,
       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS replay_paused,
       coalesce((SELECT coalesce(status, 'hidden') FROM pg_stat_wal_receiver LIMIT 1), 'stopped')
           AS receiver_status
"""


def snapshot_from_row(row: Any, observed_at: float) -> ReplicaSnapshot:
    """Turn the query's row into a snapshot (pure)."""
    status = row["receiver_status"]
    return ReplicaSnapshot(
        observed_at=observed_at,
        reachable=True,
        in_recovery=row["in_recovery"],
        receive_lsn=row["receive_lsn"],
        replay_lsn=row["replay_lsn"],
        unapplied_bytes=row["unapplied_bytes"],
        last_replay_at=row["last_replay_at"],
        replica_clock=row["replica_clock"],
        replay_paused=row["replay_paused"],
        receiver_status=None if status == "hidden" else status,
    )


class ReplicaMonitor:
    """Background poller; `latest` is what routing decides on."""

    def __init__(self, pool: Any, interval: float, timeout: float) -> None:
        self._pool = pool
        self._interval = interval
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self.latest: ReplicaSnapshot | None = None

    @property
    def max_snapshot_age(self) -> float:
        """Older than this, a snapshot no longer counts (the poller is stuck or the replica hangs)."""
        return 3 * self._interval + self._timeout

    async def poll_once(self) -> ReplicaSnapshot:
        try:
            async with self._pool.acquire(timeout=self._timeout) as conn:
                row = await conn.fetchrow(REPLICA_STATE_SQL, timeout=self._timeout)
            snapshot = snapshot_from_row(row, time.monotonic())
        except Exception as exc:  # any failure means: do not read from the replica
            snapshot = ReplicaSnapshot(observed_at=time.monotonic(), reachable=False, error=describe(exc))
        if self.latest is None or self.latest.reachable != snapshot.reachable:
            log.info("replica state", extra={"reachable": snapshot.reachable, "replica_error": snapshot.error})
        self.latest = snapshot
        return snapshot

    def mark_failed(self, exc: BaseException) -> None:
        """A read on the replica failed: route to the primary until the next good poll."""
        self.latest = ReplicaSnapshot(observed_at=time.monotonic(), reachable=False, error=describe(exc))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="replica-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self._interval)


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
