"""Every error is JSON with a `detail` that says what was wrong and what to do."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from .auth import KEY_HEADER, AuthError
from .coalescer import IngestUnavailableError
from .cursor import CursorError
from .database import UNAVAILABLE_ERRORS, PoolBusyError
from .replica_monitor import describe

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A client error with its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts[1:] if len(parts) > 1 and parts[0] in ("body", "query", "path", "header") else parts)


def summarize_validation(errors: list[Any]) -> str:
    """'readings.2.value: Input should be a finite number; ...' (first five problems)."""
    parts = [f"{_location(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in errors[:5]]
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "invalid request: " + "; ".join(parts) + more


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
    return JSONResponse({"detail": summarize_validation(list(exc.errors())), "errors": errors}, status_code=422)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse({"detail": exc.message}, status_code=exc.status)


async def _auth_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthError)
    headers = {"WWW-Authenticate": f'ApiKey header="{KEY_HEADER}"'} if exc.status == 401 else None
    return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)


async def _cursor_error(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=400)


async def _ingest_unavailable(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IngestUnavailableError)
    return JSONResponse({"detail": exc.message}, status_code=503, headers={"Retry-After": str(exc.retry_after)})


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before its body arrived: nothing to answer, nothing to log as an error."""
    log.debug("client disconnected mid-request", extra={"path": request.url.path})
    return Response(status_code=400)


async def _pool_busy(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database pool busy", extra={"path": request.url.path, "error": str(exc)})
    return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable", extra={"path": request.url.path, "error": describe(exc)})
    return JSONResponse(
        {"detail": f"the database is unavailable ({describe(exc)}): retry shortly"},
        status_code=503,
        headers={"Retry-After": "1"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(AuthError, _auth_error)
    app.add_exception_handler(CursorError, _cursor_error)
    app.add_exception_handler(IngestUnavailableError, _ingest_unavailable)
    app.add_exception_handler(PoolBusyError, _pool_busy)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, _database_unavailable)
