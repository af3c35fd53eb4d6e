"""The FastAPI application: routes, and each refusal mapped to its status with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from autopilot.adapters.clients import aws_clients
from autopilot.adapters.state_table import StateTable
from autopilot.audit import record_decision
from autopilot.errors import AutopilotError, ObservationError
from autopilot.models.ops import ErrorBody
from autopilot.observability import logger
from autopilot.operations.ops_errors import OpsConflictError, OpsNotFoundError, OpsRefusedError
from autopilot.ops_api import routes_read, routes_write
from autopilot.ops_api.context import caller_arn, request_time
from autopilot.settings.ops import get_ops_settings

REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "the request context lacks the request time"),
        (403, "no IAM caller: the request did not come through API Gateway with SigV4"),
        (404, "no such approval"),
        (409, "conflicts with the current state: already answered, expired, client token reused"),
        (422, "invalid or not allowed, with the reason per field"),
        (503, "a resource could not be observed; nothing was changed"),
    )
}
REQUEST_LOG = "ops-api"  # GET /actions?resource=ops-api lists the refused requests
STATUS = {OpsNotFoundError: 404, OpsConflictError: 409, OpsRefusedError: 422, ObservationError: 503}


def _record_refusal(request: Request, status: int, detail: object) -> None:
    """A refused request for a change goes into the decision log (resource ``ops-api``) with its caller."""
    event = request.scope.get("aws.event") or {}
    caller, at = caller_arn(event), request_time(event)
    if request.method != "POST" or caller is None or at is None:
        return
    settings = get_ops_settings()
    record_decision(
        StateTable(aws_clients(settings.aws_region).table(settings.state_table_name)),
        function="ops-api",
        resource_id=REQUEST_LOG,
        at=at,
        action="refused_request",
        taken=False,
        reason=f"POST {request.url.path} from {caller} refused ({status}): {detail}",
        inputs={"caller": caller, "path": request.url.path, "status": status},
    )


def _error(request: Request, status: int, detail: object) -> JSONResponse:
    event = request.scope.get("aws.event") or {}
    logger.info(
        "ops request refused",
        extra={"path": request.url.path, "status": status, "caller": caller_arn(event), "detail": detail},
    )
    _record_refusal(request, status, detail)
    return JSONResponse(status_code=status, content={"detail": detail})


async def _autopilot_error(request: Request, exc: Exception) -> JSONResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    return _error(request, status, str(exc))


async def _token_reused(request: Request, exc: Exception) -> JSONResponse:
    detail = "client_token was already used with another request; use a new token. Nothing was changed."
    return _error(request, 409, detail)


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    reasons = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors]
    return _error(request, 422, reasons or [str(exc)])


def create_app() -> FastAPI:
    app = FastAPI(
        title="Sensor Autopilot ops API",
        version="1.0.0",
        description="What the stack's owner does by hand, done safely and on the record. IAM auth (SigV4).",
    )
    app.include_router(routes_read.router, responses=REFUSALS)
    app.include_router(routes_write.router, responses=REFUSALS)
    app.add_exception_handler(AutopilotError, _autopilot_error)
    app.add_exception_handler(IdempotencyValidationError, _token_reused)
    app.add_exception_handler(RequestValidationError, _invalid)

    @app.middleware("http")
    async def identify(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        event = request.scope.get("aws.event") or {}
        logger.info(
            "ops request", extra={"method": request.method, "path": request.url.path, "caller": caller_arn(event)}
        )
        return await call_next(request)

    return app
