"""The promotion checklist, one pure function per rule (the runbook's promotion checklist, docs/runbook.md).

Each rule returns a :class:`RuleResult`: ``pass`` (the condition for promoting holds), ``fail`` (it does
not: promotion is unsafe) or ``unknown`` (it cannot be told: a human may promote, the control plane will not).
"""

from __future__ import annotations

from autopilot.models.replica import (
    InstanceSnapshot,
    PriorPromotion,
    RdsEventSnapshot,
    ReplicaObservation,
    ReplicaPolicy,
    RuleResult,
)

# Instance states in which the primary serves no traffic and will not come back by itself. Transient
# states (rebooting, modifying, upgrading, maintenance) and an operator's `stopped` are not failures.
UNAVAILABLE_STATUSES = frozenset(
    {
        "failed",
        "inaccessible-encryption-credentials",
        "incompatible-network",
        "incompatible-restore",
        "restore-error",
        "storage-full",
        "insufficient-capacity",
    }
)
FAILURE_EVENT_CATEGORIES = frozenset({"failure", "availability"})
# "DB instance restarted" (availability, RDS-EVENT-0006) and "recovery complete" mean the instance is back.
RECOVERED_EVENT_IDS = frozenset({"RDS-EVENT-0006"})
_RECOVERED_WORDS = ("restarted", "recovery of the db instance is complete", "instance started")
REPLICA_LAG_NOT_REPLICATING = -1.0


def _is_recovery(event: RdsEventSnapshot) -> bool:
    message = event.message.lower()
    return event.event_id in RECOVERED_EVENT_IDS or any(word in message for word in _RECOVERED_WORDS)


def _is_failure(event: RdsEventSnapshot) -> bool:
    return bool(FAILURE_EVENT_CATEGORIES.intersection(event.categories)) and not _is_recovery(event)


def failure_event_signal(obs: ReplicaObservation) -> str | None:
    """An RDS failure event about the primary in the window, not followed by a recovery event."""
    events = [*obs.primary_events, *([obs.trigger_event] if obs.trigger_event else [])]
    relevant = sorted(
        (e for e in events if e.source_identifier == obs.primary_id and obs.window_start <= e.at <= obs.now),
        key=lambda e: e.at,
    )
    last_failure = next((e for e in reversed(relevant) if _is_failure(e)), None)
    if last_failure is None:
        return None
    if any(_is_recovery(e) and e.at > last_failure.at for e in relevant):
        return None
    label = last_failure.event_id or ",".join(last_failure.categories)
    return f"RDS event {label} at {last_failure.at.isoformat()}: {last_failure.message or 'no message'}"


def status_signal(primary: InstanceSnapshot) -> str | None:
    if primary.status in UNAVAILABLE_STATUSES:
        return f"DescribeDBInstances reports the primary as {primary.status!r}"
    return None


def connections_signal(obs: ReplicaObservation) -> str | None:
    if obs.primary_connections:
        return None
    return f"no DatabaseConnections datapoints for the primary since {obs.window_start.isoformat()}"


def primary_signals(obs: ReplicaObservation) -> list[str]:
    """The independent signals that say the primary is down (RDS event, instance status, no connections)."""
    primary = obs.primary
    found = [failure_event_signal(obs), status_signal(primary) if primary else None, connections_signal(obs)]
    return [signal for signal in found if signal is not None]


def primary_unavailable(obs: ReplicaObservation, policy: ReplicaPolicy) -> RuleResult:
    """Rule 1: the primary is really unavailable: at least MIN_UNAVAILABLE_SIGNALS of the three signals."""
    if obs.errors or obs.primary is None:
        detail = "; ".join(obs.errors) or "the primary was not described"
        return RuleResult(rule="primary.unavailable", outcome="unknown", reason=f"cannot observe: {detail}")
    signals = primary_signals(obs)
    needed = policy.min_unavailable_signals
    counted = f"{len(signals)} of 3 signals (needs {needed})"
    if len(signals) >= needed:
        return RuleResult(rule="primary.unavailable", outcome="pass", reason=f"primary unavailable: {counted}")
    return RuleResult(rule="primary.unavailable", outcome="fail", reason=f"primary not shown unavailable: {counted}")


def primary_not_reporting_available(primary: InstanceSnapshot) -> RuleResult:
    """Patroni's rule: do not promote while the old primary still reports itself available."""
    if primary.status == "available":
        return RuleResult(
            rule="primary.not_available",
            outcome="unknown",
            reason="RDS still reports the primary as 'available': confirm by hand that it serves no writes",
        )
    return RuleResult(rule="primary.not_available", outcome="pass", reason=f"primary status is {primary.status!r}")


def not_multi_az(primary: InstanceSnapshot) -> RuleResult:
    """Rule 3: a Multi-AZ primary fails over to its synchronous standby by itself; never promote then."""
    if primary.multi_az:
        return RuleResult(
            rule="primary.not_multi_az",
            outcome="fail",
            reason="the primary is Multi-AZ: RDS fails over to its synchronous standby in 60-120 s on the same "
            "endpoint; promoting the asynchronous replica would lose data and split the writer",
        )
    return RuleResult(rule="primary.not_multi_az", outcome="pass", reason="the primary is single-AZ")


def latest_lag(obs: ReplicaObservation) -> float | None:
    """The replica's most recent ReplicaLag datapoint in the window, or None when there is none."""
    if not obs.replica_lag:
        return None
    return max(obs.replica_lag, key=lambda point: point.at).value


def _replicates_from(replica: InstanceSnapshot, primary_id: str) -> bool:
    source = replica.read_replica_source or ""
    return source == primary_id or source.endswith(f":db:{primary_id}")


def replica_problems(replica: InstanceSnapshot, primary_id: str, lag: float | None) -> list[str]:
    problems = []
    if replica.status != "available":
        problems.append(f"replica status is {replica.status!r}, not 'available' (promotion waits for backups)")
    if not _replicates_from(replica, primary_id):
        problems.append(f"replica is not a read replica of {primary_id} (source {replica.read_replica_source!r})")
    for info in replica.status_infos:
        if not info.normal or info.status in {"error", "stopped", "terminated"}:
            problems.append(f"replication is {info.status or 'abnormal'}: {info.message or 'no message'}")
    if lag == REPLICA_LAG_NOT_REPLICATING:
        problems.append("ReplicaLag is -1: replication is not active")
    return problems


def replica_healthy(replica: InstanceSnapshot, primary_id: str, lag: float | None) -> RuleResult:
    """Rule 4: the replica is available, not backing up, replication not in error, ReplicaLag not -1."""
    problems = replica_problems(replica, primary_id, lag)
    if problems:
        return RuleResult(rule="replica.healthy", outcome="fail", reason="; ".join(problems))
    return RuleResult(rule="replica.healthy", outcome="pass", reason="replica available and replicating")


def lag_within_bound(lag: float | None, policy: ReplicaPolicy) -> RuleResult:
    """Rule 5: the data-loss bound. Unknown lag means a human decides (recommend only)."""
    bound = policy.max_replica_lag_seconds
    if lag is None:
        return RuleResult(
            rule="replica.lag_bound",
            outcome="unknown",
            reason="replica lag unknown (no ReplicaLag datapoints in the window): recommend only; check "
            "now() - pg_last_xact_replay_timestamp() on the replica before promoting by hand",
        )
    if lag == REPLICA_LAG_NOT_REPLICATING or lag >= bound:
        shown = "not replicating" if lag == REPLICA_LAG_NOT_REPLICATING else f"{lag:g} s"
        return RuleResult(
            rule="replica.lag_bound",
            outcome="fail",
            reason=f"replica lag {shown} is not below MAX_REPLICA_LAG_SECONDS={bound:g}: promoting would lose "
            "the writes it has not replayed",
        )
    return RuleResult(rule="replica.lag_bound", outcome="pass", reason=f"replica lag {lag:g} s < {bound:g} s")


def not_already_promoted(prior: PriorPromotion | None, replica: InstanceSnapshot) -> RuleResult:
    """This replica was not promoted already (the audit trail, not RDS's detachment, is the proof)."""
    if prior is None:
        return RuleResult(rule="replica.not_promoted", outcome="pass", reason="no earlier promotion on record")
    if prior.replica_created_at and replica.created_at and prior.replica_created_at != replica.created_at:
        return RuleResult(
            rule="replica.not_promoted", outcome="pass", reason="earlier promotion was of another replica"
        )
    return RuleResult(
        rule="replica.not_promoted",
        outcome="fail",
        reason=f"this replica was already promoted at {prior.at.isoformat()} (episode {prior.episode}); "
        "it is the writer now: fence the old primary and create a new replica",
    )


def lock_held(acquired: bool, lock_name: str) -> RuleResult:
    """Rule 2: one promoter at a time."""
    if acquired:
        return RuleResult(rule="promotion.lock", outcome="pass", reason=f"holding lock {lock_name}")
    return RuleResult(
        rule="promotion.lock",
        outcome="fail",
        reason=f"another promotion holds lock {lock_name}; it expires by itself (PROMOTION_LOCK_SECONDS)",
    )


# Planned or transient states: the primary comes back by itself; promoting would split the writers for nothing.
PLANNED_STATUSES = frozenset({"upgrading", "rebooting", "maintenance", "modifying", "configuring-enhanced-monitoring"})
# States with their own remedy: promoting a replica does not fix them and loses the primary's newest writes.
OWN_REMEDY = {
    "storage-full": (
        "the primary is storage-full: raise its allocated storage (ModifyDBInstance AllocatedStorage, or storage "
        "autoscaling's maximum) and it accepts writes again; do not promote"
    ),
    "inaccessible-encryption-credentials": (
        "the primary cannot reach its KMS key: re-enable the key or restore the key policy's grant to RDS, then "
        "start the instance; do not promote"
    ),
}
MAINTENANCE_CATEGORY = "maintenance"


def primary_not_in_planned_state(obs: ReplicaObservation, primary: InstanceSnapshot) -> RuleResult:
    """Rule 7: planned or transient states are never "down", and two states have their own remedy."""
    rule = "primary.not_planned"
    if primary.status in OWN_REMEDY:
        return RuleResult(rule=rule, outcome="fail", reason=OWN_REMEDY[primary.status])
    if primary.status in PLANNED_STATUSES:
        return RuleResult(
            rule=rule,
            outcome="fail",
            reason=f"the primary is {primary.status!r}: a planned or transient state, it comes back by itself",
        )
    maintenance = [
        e for e in obs.primary_events if e.source_identifier == obs.primary_id and MAINTENANCE_CATEGORY in e.categories
    ]
    if maintenance:
        latest = max(maintenance, key=lambda e: e.at)
        return RuleResult(
            rule=rule,
            outcome="fail",
            reason=f"a maintenance event on the primary at {latest.at.isoformat()} ({latest.message or 'no message'}): "
            "wait for it to end",
        )
    return RuleResult(rule=rule, outcome="pass", reason=f"the primary is {primary.status!r}, no maintenance under way")
