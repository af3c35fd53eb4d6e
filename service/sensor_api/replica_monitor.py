"""Polls the read replica and keeps the latest snapshot (the adapter behind routing.py)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from .background import cancel_and_wait
from .routing import ReplicaSnapshot, WalSample, lag_behind_primary, lsn_number, unreplayed

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


PRIMARY_WAL_SQL = "SELECT pg_current_wal_lsn()::text"


def snapshot_from_row(row: Any, observed_at: float, primary_lag: float | None = None) -> ReplicaSnapshot:
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
        primary_lag_seconds=primary_lag,
    )


class ReplicaMonitor:
    """Background poller; `latest` is what routing decides on.

    Each poll samples the primary's WAL position first, then the replica's replay position: the lag
    is the age of the oldest sample the replica has not replayed (see routing.py)."""

    def __init__(self, pool: Any, interval: float, timeout: float, primary: Any | None = None) -> None:
        self._pool = pool
        self.primary = primary  # replaced when the writer changes (writer.py)
        self._samples: list[WalSample] = []
        self._interval = interval
        self._timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self.latest: ReplicaSnapshot | None = None

    @property
    def max_snapshot_age(self) -> float:
        """Older than this, a snapshot no longer counts (the poller is stuck or the replica hangs)."""
        return 3 * self._interval + self._timeout

    async def poll_once(self) -> ReplicaSnapshot:
        sample = await self._sample_primary()
        try:
            async with self._pool.acquire(timeout=self._timeout) as conn:
                row = await conn.fetchrow(REPLICA_STATE_SQL, timeout=self._timeout)
            observed_at = time.monotonic()
            snapshot = snapshot_from_row(row, observed_at, self._lag_behind_primary(sample, row, observed_at))
        except Exception as exc:  # any failure means: do not read from the replica
            snapshot = ReplicaSnapshot(observed_at=time.monotonic(), reachable=False, error=describe(exc))
        if self.latest is None or self.latest.reachable != snapshot.reachable:
            log.info("replica state", extra={"reachable": snapshot.reachable, "replica_error": snapshot.error})
        self.latest = snapshot
        return snapshot

    async def _sample_primary(self) -> WalSample | None:
        """The primary's WAL position now, or None when it cannot be read (the lag then falls back)."""
        if self.primary is None:
            return None
        try:
            async with self.primary.acquire(timeout=self._timeout) as conn:
                position = await conn.fetchval(PRIMARY_WAL_SQL, timeout=self._timeout)
        except Exception as exc:  # the primary is busy or down: measure from the replica alone this time
            log.debug("primary WAL position not sampled", extra={"error": describe(exc)})
            return None
        return (time.monotonic(), lsn_number(position))

    def _lag_behind_primary(self, sample: WalSample | None, row: Any, observed_at: float) -> float | None:
        if row["replay_lsn"] is None or not row["in_recovery"]:
            self._samples = []
            return None
        replayed = lsn_number(row["replay_lsn"])
        if sample is not None:
            self._samples.append(sample)
        lag = lag_behind_primary(self._samples, replayed, observed_at) if sample is not None else None
        self._samples = unreplayed(self._samples, replayed)
        return lag

    def mark_failed(self, exc: BaseException) -> None:
        """A read on the replica failed: route to the primary until the next good poll."""
        self.latest = ReplicaSnapshot(observed_at=time.monotonic(), reachable=False, error=describe(exc))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="replica-monitor")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self._interval)


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
