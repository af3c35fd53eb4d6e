"""Liveness and readiness."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..database import UNAVAILABLE_ERRORS
from ..replica_monitor import describe
from ..routing import replica_lag_seconds
from ..runtime import Runtime, RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers (no database call)")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the primary answers; replica state, lag and read routing")
async def readyz(rt: RuntimeDep) -> JSONResponse:
    primary: dict[str, Any] = {"reachable": True}
    try:
        await rt.db.on_primary(lambda conn: conn.fetchval("SELECT 1", timeout=2.0))
    except UNAVAILABLE_ERRORS as exc:
        primary = {"reachable": False, "error": describe(exc)}
    route = rt.db.route()
    body = {
        "status": "ready" if primary["reachable"] else "not-ready",
        "primary": primary,
        "replica": _replica_state(rt),
        "reads": {"target": route.target, "reason": route.reason, "max_lag_seconds": rt.settings.read_max_lag_seconds},
        "pools": rt.plan.describe(),
        "ingest": {
            "coalesce": rt.settings.ingest_coalesce,
            "window_ms": rt.settings.ingest_coalesce_window_ms,
            "queued_rows": rt.ingest.queued_rows,
        },
    }
    return JSONResponse(body, status_code=200 if primary["reachable"] else 503)


def _replica_state(rt: Runtime) -> dict[str, Any]:
    monitor = rt.db.monitor
    if monitor is None:
        return {"configured": False}
    snap = monitor.latest
    if snap is None:
        return {"configured": True, "observed": False}
    return {
        "configured": True,
        "reachable": snap.reachable,
        "error": snap.error,
        "observed_seconds_ago": round(time.monotonic() - snap.observed_at, 3),
        "in_recovery": snap.in_recovery,
        "receiver_status": snap.receiver_status,
        "receive_lsn": snap.receive_lsn,
        "replay_lsn": snap.replay_lsn,
        "unapplied_bytes": snap.unapplied_bytes,
        "last_replay_at": snap.last_replay_at.isoformat() if snap.last_replay_at else None,
        "replay_paused": snap.replay_paused,
        "lag_seconds": replica_lag_seconds(snap) if snap.reachable else None,
        "lag_measured_against": "primary-wal" if snap.primary_lag_seconds is not None else "replica-only",
    }
