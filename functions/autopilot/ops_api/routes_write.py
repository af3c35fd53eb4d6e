"""POST /scale, POST /database/instance-class, POST /approvals/{approval_id}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from autopilot.models.ops import ApprovalAnswer, ApprovalResult, InstanceClassRequest, PendingApproval, ScaleRequest
from autopilot.models.scaling import ScalingDecision
from autopilot.operations.ops_approvals import answer
from autopilot.operations.ops_database import propose_class_change
from autopilot.operations.ops_scale import request_floor
from autopilot.ops_api.context import OpsContext, ops_context

router = APIRouter()
Ctx = Annotated[OpsContext, Depends(ops_context)]


@router.post(
    "/scale",
    summary="Lease a floor of N tasks for a while (never a bare desired count)",
    response_model=ScalingDecision,
)
def scale(body: ScaleRequest, ctx: Ctx) -> dict[str, Any]:
    return request_floor(ctx.clients, body, ctx.caller, ctx.now, ctx.settings, ctx.lambda_context)


@router.post(
    "/database/instance-class",
    status_code=202,
    summary="Propose a new class for the primary: always behind an approval, with its cost and restart",
)
def instance_class(body: InstanceClassRequest, ctx: Ctx) -> PendingApproval:
    return propose_class_change(ctx.clients, body, ctx.caller, ctx.now, ctx.settings)


@router.post("/approvals/{approval_id}", summary="Approve or reject a pending approval by its id")
def answer_approval(
    approval_id: Annotated[str, Path(pattern=r"^[a-f0-9]{12}$")], body: ApprovalAnswer, ctx: Ctx
) -> ApprovalResult:
    return answer(ctx.clients, approval_id, body, ctx.caller, ctx.now, ctx.settings)
