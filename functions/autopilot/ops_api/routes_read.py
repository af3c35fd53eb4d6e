"""GET /status, GET /actions, GET /approvals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from autopilot.models.ops import ActionsPage, PendingApproval
from autopilot.operations.ops_actions import list_actions
from autopilot.operations.ops_approvals import list_approvals
from autopilot.operations.ops_status import collect_status
from autopilot.ops_api.context import OpsContext, ops_context

router = APIRouter()
Ctx = Annotated[OpsContext, Depends(ops_context)]


@router.get("/status", summary="Service, scalable target, leases, alarms, database pair and cost now")
def status(ctx: Ctx) -> dict[str, Any]:
    return collect_status(ctx.clients, ctx.settings, ctx.now)


@router.get("/actions", summary="The decision log, newest first", response_model=ActionsPage)
def actions(
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
    resource: Annotated[str | None, Query(max_length=200, description="Default: the ECS service")] = None,
) -> ActionsPage:
    return list_actions(ctx.clients, ctx.settings, resource, limit, cursor)


@router.get("/approvals", summary="Pending approvals: what each would do and cost")
def approvals(ctx: Ctx) -> list[PendingApproval]:
    return list_approvals(ctx.clients, ctx.settings, ctx.now)
