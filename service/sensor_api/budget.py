"""Pool sizes derived from the connection budget (a pure function, checked at start-up).

RDS PostgreSQL on a db.t3.medium allows about 410 connections by default; the seed's
"100 connections per task" (2,000 at 20 tasks) cannot fit. Every worker of every task gets
``floor(budget / (max_tasks x workers))`` connections to each database, so the fleet at its
maximum size never holds more than the budget.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_CONNECTIONS_PER_WORKER = 2  # one for ingest flushes, one for reads that fall back to the primary


class BudgetError(ValueError):
    """The configuration would open more connections than the budget allows."""


@dataclass(frozen=True)
class PoolPlan:
    """How many connections each worker may open, and what that means for the fleet."""

    budget: int
    max_tasks: int
    workers_per_task: int
    per_worker: int

    @property
    def per_task(self) -> int:
        return self.per_worker * self.workers_per_task

    @property
    def fleet_total(self) -> int:
        return self.per_task * self.max_tasks

    def describe(self) -> dict[str, int]:
        return {
            "db_connection_budget": self.budget,
            "max_tasks": self.max_tasks,
            "web_concurrency": self.workers_per_task,
            "pool_size_per_worker": self.per_worker,
            "connections_per_task": self.per_task,
            "connections_at_max_tasks": self.fleet_total,
        }


def plan_pools(budget: int, max_tasks: int, workers: int, override: int | None = None) -> PoolPlan:
    """Size each worker's pool from the budget; refuse any plan whose total exceeds it."""
    if budget < 1 or max_tasks < 1 or workers < 1:
        raise BudgetError(
            f"DB_CONNECTION_BUDGET={budget}, MAX_TASKS={max_tasks} and WEB_CONCURRENCY={workers} must all be at least 1"
        )
    slots = max_tasks * workers
    derived = budget // slots
    per_worker = derived if override is None else override
    if override is None and derived < MIN_CONNECTIONS_PER_WORKER:
        raise BudgetError(
            f"DB_CONNECTION_BUDGET={budget} gives {derived} connection(s) per worker for "
            f"MAX_TASKS={max_tasks} x WEB_CONCURRENCY={workers} = {slots} workers; each worker needs "
            f"{MIN_CONNECTIONS_PER_WORKER}. Raise the budget to at least "
            f"{slots * MIN_CONNECTIONS_PER_WORKER} or lower MAX_TASKS / WEB_CONCURRENCY"
        )
    if per_worker < MIN_CONNECTIONS_PER_WORKER:
        raise BudgetError(
            f"DB_POOL_SIZE={per_worker} is below the minimum of {MIN_CONNECTIONS_PER_WORKER} per worker; "
            "unset DB_POOL_SIZE to derive it from the budget"
        )
    plan = PoolPlan(budget=budget, max_tasks=max_tasks, workers_per_task=workers, per_worker=per_worker)
    if plan.fleet_total > budget:
        raise BudgetError(
            f"DB_POOL_SIZE={per_worker} x WEB_CONCURRENCY={workers} x MAX_TASKS={max_tasks} = "
            f"{plan.fleet_total} connections exceeds DB_CONNECTION_BUDGET={budget}; unset DB_POOL_SIZE "
            f"(derived size: {derived}) or raise the budget"
        )
    return plan
