"""Connections: RDS PostgreSQL's default ``max_connections`` of a class, and the sensor API's pool sizes.

Each is computed here once, and every text that quotes it (the cost recommendation, the README) uses these.

The default is ``LEAST({DBInstanceClassMemory/9531392}, 5000)``. On the nominal memory of the class that is an
upper bound: RDS reserves part of the memory for itself, so DBInstanceClassMemory is lower. One reading, on an
8 GiB class, gave 832 where the nominal computation gives 901; the expected value applies that ratio and rounds
down to ten (the safe side of a limit): "about 410 (at most 450)" on a 4 GiB db.t3.medium.

The pool sizes are the sensor API's own rule (``service/sensor_api/budget.py``, a separate deployable the
functions cannot import): every worker of every task gets ``floor(budget / (max_tasks x workers))``
connections, at least two, so the fleet at its ceiling never holds more than the budget. A test checks that
this copy and the service's agree on every input.
"""

from __future__ import annotations

from autopilot.logic.replica_parity import DEFAULT_MAX_CONNECTIONS_DIVISOR, MAX_CONNECTIONS_CAP
from autopilot.models.cost import DefaultMaxConnections, PoolPlan

GIB = 1024**3
RESERVATION_READING = (832, 901)  # observed default vs the nominal computation, on an 8 GiB class
MIN_CONNECTIONS_PER_WORKER = 2  # the service's minimum: one for ingest flushes, one for reads


def default_max_connections(memory_gib: float) -> DefaultMaxConnections:
    nominal = memory_gib * GIB / DEFAULT_MAX_CONNECTIONS_DIVISOR
    observed, computed = RESERVATION_READING
    expected = int(nominal * observed / computed) // 10 * 10
    return DefaultMaxConnections(
        upper_bound=min(int(nominal), MAX_CONNECTIONS_CAP), expected=min(expected, MAX_CONNECTIONS_CAP)
    )


def service_pool_plan(budget: int, max_tasks: int, workers: int, pool_size: int | None = None) -> PoolPlan:
    """The service's pool sizes for DB_CONNECTION_BUDGET, MAX_TASKS, WEB_CONCURRENCY (and DB_POOL_SIZE if set)."""
    if min(budget, max_tasks, workers) < 1:
        return PoolPlan(
            budget=budget,
            max_tasks=max_tasks,
            workers=workers,
            per_worker=0,
            refusal="DB_CONNECTION_BUDGET, MAX_TASKS and WEB_CONCURRENCY must all be at least 1",
        )
    per_worker = budget // (max_tasks * workers) if pool_size is None else pool_size
    plan = PoolPlan(budget=budget, max_tasks=max_tasks, workers=workers, per_worker=per_worker)
    if per_worker < MIN_CONNECTIONS_PER_WORKER:
        return plan.model_copy(update={"refusal": f"{per_worker} connection(s) per worker, below the minimum of 2"})
    if plan.fleet_total > budget:
        return plan.model_copy(update={"refusal": f"{plan.fleet_total} connections exceed the budget of {budget}"})
    return plan
