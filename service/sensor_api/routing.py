"""Where a read goes: a pure decision over the latest replica snapshot.

The lag is measured against the primary: every poll samples the primary's WAL position, and the
lag is the age of the oldest sample the replica has not yet replayed (0 when it has replayed the
latest). An idle primary cannot fool it (its position does not move, the replica has replayed it),
nor can a stalled WAL receiver (whose received and replayed positions stay equal while the primary
moves on; PostgreSQL itself notices only at wal_receiver_timeout).

When the primary could not be sampled, the replica's own view is the fallback: current when it has
replayed everything it has received, else the age of its last replayed transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Target = Literal["primary", "replica"]


@dataclass(frozen=True)
class ReplicaSnapshot:
    """What one poll of the replica saw (or failed to see)."""

    observed_at: float  # monotonic seconds, for the staleness check
    reachable: bool
    error: str | None = None
    in_recovery: bool | None = None
    receive_lsn: str | None = None
    replay_lsn: str | None = None
    unapplied_bytes: int | None = None  # receive LSN - replay LSN
    last_replay_at: datetime | None = None  # pg_last_xact_replay_timestamp()
    replica_clock: datetime | None = None  # the replica's clock_timestamp() at the poll
    replay_paused: bool | None = None
    receiver_status: str | None = None  # pg_stat_wal_receiver.status, None if not visible
    primary_lag_seconds: float | None = None  # measured against the primary's WAL; None if not sampled


@dataclass(frozen=True)
class ReadRoute:
    """The decision, with the reason shown in /readyz and in the X-Read-Reason header."""

    target: Target
    reason: str
    lag_seconds: float | None = None


WalSample = tuple[float, int]  # (monotonic seconds, primary WAL position as a number)


def lsn_number(lsn: str) -> int:
    """'16/B374D848' -> its 64-bit position."""
    high, _, low = lsn.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def lag_behind_primary(samples: list[WalSample], replayed: int, now: float) -> float:
    """Age of the oldest primary WAL sample beyond the replica's replay position, 0.0 if none is."""
    for taken_at, position in samples:
        if position > replayed:
            return max(0.0, now - taken_at)
    return 0.0


def unreplayed(samples: list[WalSample], replayed: int, keep: int = 600) -> list[WalSample]:
    """The samples still ahead of the replica (what the next lag measurement needs), at most `keep`:
    past that the oldest is kept and the one after it dropped, so the lag is never understated."""
    ahead = [sample for sample in samples if sample[1] > replayed]
    while len(ahead) > keep:
        del ahead[1]
    return ahead


def replica_lag_seconds(snapshot: ReplicaSnapshot) -> float | None:
    """Seconds of lag (against the primary when it was sampled), 0.0 when current, None when unknown."""
    if snapshot.primary_lag_seconds is not None:
        return snapshot.primary_lag_seconds
    if snapshot.unapplied_bytes is not None and snapshot.unapplied_bytes <= 0:
        return 0.0
    if snapshot.last_replay_at is None or snapshot.replica_clock is None:
        return None
    return max(0.0, (snapshot.replica_clock - snapshot.last_replay_at).total_seconds())


def choose_read_route(
    snapshot: ReplicaSnapshot | None,
    *,
    replica_configured: bool,
    strong: bool,
    max_lag_seconds: float,
    now: float,
    max_snapshot_age: float,
) -> ReadRoute:
    """Send the read to the replica only when it is known to be within the lag bound."""
    if strong:
        return ReadRoute("primary", "strong-consistency")
    if not replica_configured:
        return ReadRoute("primary", "no-replica-configured")
    if snapshot is None or now - snapshot.observed_at > max_snapshot_age:
        return ReadRoute("primary", "replica-state-unknown")
    if not snapshot.reachable:
        return ReadRoute("primary", "replica-unreachable")
    if snapshot.in_recovery is False:
        return ReadRoute("primary", "replica-not-in-recovery")
    if snapshot.receiver_status is not None and snapshot.receiver_status != "streaming":
        return ReadRoute("primary", "replica-not-streaming")
    lag = replica_lag_seconds(snapshot)
    if lag is None:
        return ReadRoute("primary", "replica-lag-unknown")
    if lag > max_lag_seconds:
        return ReadRoute("primary", "replica-lag-above-bound", lag)
    return ReadRoute("replica", "replica-within-lag-bound", lag)
