"""Request metrics in CloudWatch Embedded Metric Format, aggregated per route and interval.

One EMF line per route per interval (not per request): counts, 4xx/5xx counts and up to 100
latency samples (EMF's limit for a value array, reservoir-sampled), plus the ingest flushes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .background import cancel_and_wait
from .logs import METRICS_LOGGER

MAX_SAMPLES = 100
emf_log = logging.getLogger(METRICS_LOGGER)


@dataclass
class RouteStats:
    requests: int = 0
    client_errors: int = 0
    server_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def add(self, status: int, latency_ms: float, rng: random.Random) -> None:
        self.requests += 1
        self.client_errors += 400 <= status < 500
        self.server_errors += status >= 500
        if len(self.latencies_ms) < MAX_SAMPLES:
            self.latencies_ms.append(latency_ms)
        else:
            slot = rng.randrange(self.requests)
            if slot < MAX_SAMPLES:
                self.latencies_ms[slot] = latency_ms


@dataclass
class FlushStats:
    flushes: int = 0
    failed: int = 0
    rows: int = 0


class MetricsRecorder:
    """Collects per-route stats; `emit` writes them as EMF documents and starts a new interval."""

    def __init__(self, namespace: str, service: str) -> None:
        self.namespace = namespace
        self.service = service
        self.routes: dict[str, RouteStats] = {}
        self.flush = FlushStats()
        self._rng = random.Random()

    def record(self, route: str, status: int, latency_ms: float) -> None:
        self.routes.setdefault(route, RouteStats()).add(status, latency_ms, self._rng)

    def record_flush(self, rows: int, seconds: float, committed: bool) -> None:
        self.flush.flushes += 1
        self.flush.failed += not committed
        self.flush.rows += rows

    def documents(self, timestamp_ms: int) -> list[dict[str, Any]]:
        docs = [self._route_doc(route, stats, timestamp_ms) for route, stats in sorted(self.routes.items())]
        if self.flush.flushes:
            docs.append(self._flush_doc(timestamp_ms))
        return docs

    def emit(self) -> None:
        for doc in self.documents(int(time.time() * 1000)):
            emf_log.info(json.dumps(doc))
        self.routes = {}
        self.flush = FlushStats()

    def _directive(self, timestamp_ms: int, dimensions: list[str], metrics: list[tuple[str, str]]) -> Any:
        return {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": self.namespace,
                    "Dimensions": [dimensions],
                    "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics],
                }
            ],
        }

    def _route_doc(self, route: str, stats: RouteStats, timestamp_ms: int) -> dict[str, Any]:
        metrics = [
            ("Requests", "Count"),
            ("ClientErrors", "Count"),
            ("ServerErrors", "Count"),
            ("Latency", "Milliseconds"),
        ]
        return {
            "_aws": self._directive(timestamp_ms, ["Service", "Route"], metrics),
            "Service": self.service,
            "Route": route,
            "Requests": stats.requests,
            "ClientErrors": stats.client_errors,
            "ServerErrors": stats.server_errors,
            "Latency": [round(v, 3) for v in stats.latencies_ms],
        }

    def _flush_doc(self, timestamp_ms: int) -> dict[str, Any]:
        metrics = [("IngestFlushes", "Count"), ("IngestFlushFailures", "Count"), ("IngestRows", "Count")]
        return {
            "_aws": self._directive(timestamp_ms, ["Service"], metrics),
            "Service": self.service,
            "IngestFlushes": self.flush.flushes,
            "IngestFlushFailures": self.flush.failed,
            "IngestRows": self.flush.rows,
        }


class RequestMetrics:
    """ASGI middleware timing every HTTP request into the recorder, keyed by its route template."""

    def __init__(self, app: ASGIApp, recorder: MetricsRecorder) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.recorder.record(f"{scope['method']} {template}", status, (time.perf_counter() - started) * 1000)


class MetricsEmitter:
    """Background task that emits the recorder every interval (and once more on stop)."""

    def __init__(self, recorder: MetricsRecorder, interval: float) -> None:
        self.recorder = recorder
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="metrics-emitter")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self.recorder.emit()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.recorder.emit()
