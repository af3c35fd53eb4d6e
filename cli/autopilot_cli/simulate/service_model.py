"""The service, second by second: offered load against the healthy tasks' capacity, a queue, drops, latency.

Latency approximation (documented in docs/benchmarks.md): the healthy tasks are an M/M/c queue with
``c = tasks x workers`` servers, each serving ``capacity_rps / workers`` requests per second. The probability of
waiting (Erlang C) is approximated as ``rho ** (sqrt(2 (c + 1)) - 1)`` (Sakasegawa), and the waiting time's tail
is exponential with rate ``c mu - lambda``, so the p-th percentile of the response time is the service time plus
``max(0, ln(P_wait / (1 - p)) / (c mu - lambda))``. Above capacity a backlog builds; a request waits
``backlog / capacity`` seconds, and what would wait longer than ``queue_timeout_s`` is dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceParams:
    capacity_rps: float  # requests/s one healthy task serves at 100 % CPU
    workers: int = 4  # uvicorn workers per task (WorkersPerTask)
    queue_timeout_s: float = 30.0  # a request queued longer than this is dropped (stated default)
    idle_cpu_percent: float = 2.0  # CPU of an idle task (stated default)
    memory_base_percent: float = 30.0  # memory of an idle task (stated default)
    memory_per_load_percent: float = 30.0  # extra memory at 100 % CPU (stated default)

    @property
    def service_time_s(self) -> float:
        return self.workers / self.capacity_rps


@dataclass(frozen=True)
class Second:
    offered: float
    served: float
    dropped: float
    backlog: float
    cpu_percent: float
    memory_percent: float
    p50_s: float
    p99_s: float
    overloaded: bool


def _percentile_wait(rho: float, servers: int, spare_rate: float, p: float) -> float:
    p_wait = min(1.0, rho ** (math.sqrt(2 * (servers + 1)) - 1))
    if p_wait <= 1 - p or spare_rate <= 0:
        return 0.0
    return math.log(p_wait / (1 - p)) / spare_rate


def step(params: ServiceParams, offered: float, healthy_tasks: int, backlog: float) -> Second:
    """One second: serve what capacity allows (backlog first), queue the rest, drop what waits too long."""
    capacity = healthy_tasks * params.capacity_rps
    demand = backlog + offered
    served = min(demand, capacity)
    left = demand - served
    limit = capacity * params.queue_timeout_s
    dropped = max(0.0, left - limit) if capacity > 0 else left
    left -= dropped
    cpu = params.idle_cpu_percent + (100 - params.idle_cpu_percent) * (served / capacity if capacity else 0.0)
    cpu = min(cpu, 100.0)
    memory = params.memory_base_percent + params.memory_per_load_percent * cpu / 100
    svc = params.service_time_s
    if capacity <= 0:
        wait50 = wait99 = params.queue_timeout_s
    elif left > 0 or offered >= capacity:
        wait50 = wait99 = left / capacity
    else:
        servers = healthy_tasks * params.workers
        rho = offered / capacity
        spare = capacity - offered
        wait50 = _percentile_wait(rho, servers, spare, 0.5)
        wait99 = _percentile_wait(rho, servers, spare, 0.99)
    return Second(
        offered=offered,
        served=served,
        dropped=dropped,
        backlog=left,
        cpu_percent=cpu,
        memory_percent=memory,
        p50_s=svc + wait50,
        p99_s=svc + wait99,
        overloaded=offered > capacity or left > 0,
    )
