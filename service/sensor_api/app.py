"""The FastAPI application: `uvicorn sensor_api.app:create_app --factory --workers 4`."""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.types import Receive, Scope, Send

from . import __version__
from .auth import Authenticator, StoredKey
from .budget import PoolPlan, plan_pools
from .coalescer import Coalescer, DirectWriter
from .credentials import SecretCredentials, secret_source
from .database import Database, create_pool
from .errors import install_error_handlers
from .fastpath import ingest_fast, ingest_match
from .gctune import tune_collector
from .limits import BodySizeLimit
from .logs import setup_logging
from .metrics import MetricsEmitter, MetricsRecorder, RequestMetrics
from .migrate import apply_migrations
from .repository import ReadingRow, copy_readings, insert_reading, load_key
from .routes import health, readings, sensors
from .runtime import Ingest, Runtime
from .settings import ServiceSettings, get_settings
from .writer import Endpoint, WriterWatch, ssm_parameter_reader

log = logging.getLogger(__name__)
DRAIN_BYTES = 16 * 1024 * 1024  # an oversized body up to this is read and discarded so the 413 can be read


def build_ingest(settings: ServiceSettings, plan: PoolPlan, db: Database) -> Ingest:
    """Coalesced (group commit) or direct writes. Flushers leave one connection for reads; two per worker
    keep one COPY gathering rows while the other commits, and fewer, larger COPYs cost the database less."""

    async def copy(rows: Sequence[ReadingRow]) -> None:
        await db.on_primary(lambda conn: copy_readings(conn, rows))

    async def insert_one(row: ReadingRow) -> None:
        await db.on_primary(lambda conn: insert_reading(conn, row))

    if not settings.ingest_coalesce:
        return DirectWriter(copy, insert_one)
    return Coalescer(
        copy,
        window_ms=settings.ingest_coalesce_window_ms,
        max_rows=settings.ingest_coalesce_max_rows,
        max_pending_rows=settings.ingest_max_pending_rows,
        flushers=max(1, min(settings.ingest_flushers, plan.per_worker - 1)),
        queue_timeout=settings.ingest_queue_timeout_seconds,
    )


def follow_writer(
    settings: ServiceSettings, plan: PoolPlan, db: Database, credentials: SecretCredentials | None
) -> WriterWatch | None:
    """With DB_WRITER_HOST_PARAMETER, a watch that moves the primary pool to a new writer host."""
    if not settings.db_writer_host_parameter:
        return None
    import boto3  # only a service that follows the parameter pays for importing it

    client = boto3.client("ssm", region_name=settings.aws_region)

    async def open_pool(endpoint: Endpoint) -> Any:
        return await create_pool(settings.dsn_for(*endpoint), plan.per_worker, settings, 1, credentials)

    return WriterWatch(
        db,
        ssm_parameter_reader(settings.db_writer_host_parameter, client),
        open_pool,
        (settings.db_host or "", settings.db_port),
        interval=settings.writer_check_seconds,
    )


@asynccontextmanager
async def lifespan(
    app: FastAPI, settings: ServiceSettings, plan: PoolPlan, recorder: MetricsRecorder
) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        credentials = secret_source(settings.db_secret_arn, settings.aws_region)
        db = await Database.connect(settings, plan, credentials)
        stack.push_async_callback(db.close)
        watch = follow_writer(settings, plan, db, credentials)
        if watch is not None:
            db.on_primary_error = watch.nudge
            watch.start()
            stack.push_async_callback(watch.stop)
        if settings.migrate_on_start:
            applied = await db.on_primary(apply_migrations)
            log.info("migrations checked", extra={"applied": applied})

        async def load(sensor_id: uuid.UUID) -> StoredKey | None:
            return await db.on_primary(lambda conn: load_key(conn, sensor_id))

        auth = Authenticator(settings.admin_keys(), settings.reader_keys(), load, settings.auth_cache_seconds)
        ingest = build_ingest(settings, plan, db)
        ingest.observer = recorder.record_flush
        ingest.start()
        stack.push_async_callback(ingest.close)  # runs before db.close: pending rows are written first
        emitter = MetricsEmitter(recorder, settings.metrics_interval_seconds)
        emitter.start()
        stack.push_async_callback(emitter.stop)
        app.state.runtime = Runtime(settings, plan, db, auth, ingest, recorder)
        if isinstance(app, SensorApi):
            app.runtime = app.state.runtime  # the fast path's (plain attribute) access to it
        tune_collector(settings.gc_gen0_threshold)
        log.info("ready", extra={"replica": db.replica is not None, "coalesce": settings.ingest_coalesce})
        yield
        log.info("shutting down: draining ingest, closing pools")


class SensorApi(FastAPI):
    """The FastAPI app, with ingest POSTs answered before the middleware stack (see fastpath.py)."""

    runtime: Runtime | None = None  # set once the lifespan has started

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = ingest_match(scope)
        if match is None:
            await super().__call__(scope, receive, send)
            return
        await ingest_fast(self, super().__call__, scope, receive, send, match)


def _without_native_telemetry() -> dict[str, Any]:
    """Recent FastAPI checks for OpenTelemetry providers on every request; metrics here go out as EMF."""
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        return {"telemetry": {"tracing": False, "metrics": False, "logs": False}}
    return {}


def add_routes_flat(app: FastAPI, router: APIRouter) -> None:
    """Put a router's routes (paths, tags and responses already applied) on the app itself.

    Recent FastAPI resolves `include_router` lazily, walking the included routers on every request;
    flat routes save about 12 us per ingest request, a tenth of the service's own work on it.
    """
    for route in router.routes:
        app.router.routes.append(route)


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the app; refuses (raises BudgetError) a pool plan that exceeds the connection budget."""
    settings = settings or get_settings()
    if settings.log_json:
        setup_logging(settings.log_level)
    plan = plan_pools(
        settings.db_connection_budget, settings.max_tasks, settings.web_concurrency, settings.db_pool_size
    )
    log.info("connection plan", extra=plan.describe())
    recorder = MetricsRecorder(settings.metrics_namespace, settings.service_name)
    app = SensorApi(
        **_without_native_telemetry(),
        title="Sensor API",
        version=__version__,
        description="Sensors, readings and their statistics. Authenticate with the X-API-Key header.",
        lifespan=partial(lifespan, settings=settings, plan=plan, recorder=recorder),
    )
    install_error_handlers(app)
    for module in (health, readings, sensors):  # readings (ingest, the hot path) before the admin routes
        add_routes_flat(app, module.router)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        body_timeout=settings.http_body_timeout_seconds,
        drain_bytes=max(DRAIN_BYTES, 4 * settings.max_body_bytes),
    )
    app.add_middleware(RequestMetrics, recorder=recorder)
    return app
