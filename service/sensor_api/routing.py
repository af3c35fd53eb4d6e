"""Where a read goes: a pure decision over the latest replica snapshot.

The lag is measured the way an idle primary cannot fool it: when the replica has replayed
everything it has received (receive LSN == replay LSN), it is current, however old its last
replayed transaction is. Only when WAL is waiting to be replayed does the age of the last
replayed transaction count as lag. That over-estimates a little after a quiet spell, which errs
toward the primary (the safe side).
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


@dataclass(frozen=True)
class ReadRoute:
    """The decision, with the reason shown in /readyz and in the X-Read-Reason header."""

    target: Target
    reason: str
    lag_seconds: float | None = None


def replica_lag_seconds(snapshot: ReplicaSnapshot) -> float | None:
    """Seconds of replay lag, 0.0 when everything received is replayed, None when unknown."""
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
