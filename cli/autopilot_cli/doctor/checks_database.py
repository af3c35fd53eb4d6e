"""High latency despite scaling, database connection errors, replica parity. Pure functions."""

from __future__ import annotations

from autopilot.logic.replica_parity import config_parity, effective_max_connections

from autopilot_cli.doctor.model import CheckResult, DoctorSnapshot, Policy

LATENCY = "High latency despite scaling"
CONNECTIONS = "Database connection errors"


def db_cpu(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    name = snap.primary.instance_id if snap.primary else "the primary"
    if snap.primary_cpu is None:
        return CheckResult(
            check="db-cpu", issue=LATENCY, status="OK", evidence=f"no CPU datapoint of {name} in the last 10 minutes"
        )
    evidence = f"{name} CPU {snap.primary_cpu:.0f} %"
    fix = (
        "find the slow queries (Performance Insights) and add indexes; send reads to the replica; scale the "
        "database vertically behind an approval: POST /database/instance-class (states the cost and the restart)"
    )
    if snap.primary_cpu >= policy.db_cpu_fail:
        return CheckResult(check="db-cpu", issue=LATENCY, status="FAIL", evidence=evidence, fix=fix)
    if snap.primary_cpu >= policy.db_cpu_warn:
        return CheckResult(check="db-cpu", issue=LATENCY, status="WARN", evidence=evidence, fix=fix)
    return CheckResult(check="db-cpu", issue=LATENCY, status="OK", evidence=evidence)


def _max_connections(snap: DoctorSnapshot) -> int | None:
    return effective_max_connections(snap.primary) if snap.primary else None


def db_connections(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    limit = _max_connections(snap)
    if snap.primary_connections is None or limit is None:
        return CheckResult(
            check="db-connections", issue=LATENCY, status="OK", evidence="no DatabaseConnections datapoint to judge"
        )
    ratio = snap.primary_connections / limit
    evidence = f"{snap.primary_connections:.0f} connections open of max_connections {limit} ({ratio:.0%})"
    fix = "pool from a budget (DB_CONNECTION_BUDGET, unset DB_POOL_SIZE) or put RDS Proxy in front"
    if ratio >= policy.connections_fail_ratio:
        return CheckResult(check="db-connections", issue=LATENCY, status="FAIL", evidence=evidence, fix=fix)
    if ratio >= policy.connections_warn_ratio:
        return CheckResult(check="db-connections", issue=LATENCY, status="WARN", evidence=evidence, fix=fix)
    return CheckResult(check="db-connections", issue=LATENCY, status="OK", evidence=evidence)


def replica_use(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    if snap.replica is None or snap.replica.status != "available":
        state = snap.replica.status if snap.replica else "missing"
        return CheckResult(
            check="replica-reads",
            issue=LATENCY,
            status="FAIL",
            evidence=f"read replica {state}: every read goes to the primary",
            fix="restore the replica (sam deploy re-creates it); the API falls back to the primary meanwhile",
        )
    if snap.replica_lag is not None and snap.replica_lag > snap.read_max_lag:
        return CheckResult(
            check="replica-reads",
            issue=LATENCY,
            status="WARN",
            evidence=f"replica lag {snap.replica_lag:.0f} s > {snap.read_max_lag:.0f} s (ReadMaxLagSeconds): reads "
            "fall back to the primary",
            fix="find what holds replay back (long queries on the replica, write bursts); a larger replica class",
        )
    lag = f"lag {snap.replica_lag:.1f} s" if snap.replica_lag is not None else "no lag datapoint"
    return CheckResult(
        check="replica-reads", issue=LATENCY, status="OK", evidence=f"{snap.replica.instance_id} available, {lag}"
    )


def connection_budget(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    limit, pool = _max_connections(snap), snap.pool
    per_worker = pool.per_worker() if pool else None
    if pool is None or per_worker is None or limit is None:
        return CheckResult(
            check="connection-budget",
            issue=CONNECTIONS,
            status="WARN",
            evidence="cannot work out the pools (WEB_CONCURRENCY, DB_CONNECTION_BUDGET, MAX_TASKS, DB_POOL_SIZE) "
            "or the primary's max_connections",
            fix="set DB_CONNECTION_BUDGET and MAX_TASKS in the task definition (template.yaml does)",
        )
    tasks = max(snap.target.max, snap.capacity_ceiling)
    per_task = per_worker * pool.workers
    fleet = per_task * tasks
    evidence = (
        f"{per_task} connections per task ({pool.workers} workers x {per_worker}): "
        f"{per_task * snap.target.max:,} at MaxCapacity {snap.target.max}, {fleet:,} at the ceiling {tasks}, to each "
        f"database; the primary's max_connections is at most {limit} "
        f"({snap.primary.instance_class if snap.primary else '?'}, about 8 % less after RDS's reserve)"
    )
    if fleet > limit:
        budget = int(limit * 0.7)
        fix = (
            f"do not raise max_connections to {fleet:,} (it can keep the instance from starting): size pools from a "
            f"budget that fits, e.g. DB_CONNECTION_BUDGET={budget} with DB_POOL_SIZE unset "
            f"({budget} / ({tasks} tasks x {pool.workers} workers) = {budget // (tasks * pool.workers)} per worker), "
            "or put RDS Proxy in front"
        )
        return CheckResult(check="connection-budget", issue=CONNECTIONS, status="FAIL", evidence=evidence, fix=fix)
    if pool.budget is not None and fleet > pool.budget:
        return CheckResult(
            check="connection-budget",
            issue=CONNECTIONS,
            status="WARN",
            evidence=f"{evidence}; DB_POOL_SIZE goes past DB_CONNECTION_BUDGET {pool.budget}",
            fix="unset DB_POOL_SIZE so the pools are derived from the budget",
        )
    return CheckResult(check="connection-budget", issue=CONNECTIONS, status="OK", evidence=evidence)


def replica_parity(snap: DoctorSnapshot, policy: Policy) -> CheckResult:
    issue = "Configuration: replica parity"
    if snap.primary is None or snap.replica is None:
        return CheckResult(
            check="replica-parity", issue=issue, status="WARN", evidence="the primary or the replica is missing"
        )
    results = config_parity(snap.primary, snap.replica)
    failed = [r.reason for r in results if r.outcome == "fail"]
    unknown = [r.reason for r in results if r.outcome == "unknown"]
    if failed:
        return CheckResult(
            check="replica-parity",
            issue=issue,
            status="FAIL",
            evidence="; ".join(failed),
            fix="give the replica the primary's class, storage and parameter group (DbInstanceClass applies to both)",
        )
    if unknown:
        return CheckResult(check="replica-parity", issue=issue, status="WARN", evidence="; ".join(unknown))
    return CheckResult(check="replica-parity", issue=issue, status="OK", evidence="; ".join(r.reason for r in results))
