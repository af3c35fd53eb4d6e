"""Approvals by id: the workflow's requests (their task tokens kept server-side) and the ops API's own
proposals. ``GET /approvals``, ``POST /approvals/{id}``, ``autopilot approvals|approve|reject``."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pydantic import ValidationError

from autopilot.adapters.approvals import ApprovalConflictError, ApprovalStore
from autopilot.adapters.clients import AwsClients
from autopilot.adapters.state_table import StateTable
from autopilot.adapters.workflow_tasks import send_task_success
from autopilot.audit import record_decision
from autopilot.errors import InvalidEventError
from autopilot.models.approval import Approval, WorkflowApprovalRequest
from autopilot.models.ops import ApprovalAnswer, ApprovalResult, ApprovalStatus, Caller, PendingApproval
from autopilot.observability import logger
from autopilot.operations.ops_database import apply_class_change
from autopilot.operations.ops_errors import OpsConflictError, OpsNotFoundError
from autopilot.settings.ops import OpsSettings

FUNCTION = "ops-approvals"
GONE = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}
HOW_TO_ANSWER = (
    "autopilot approve {id} (or autopilot reject {id}), or POST /approvals/{id} on the ops API with "
    '{{"decision": "approve"|"reject"}}; no answer before it expires means not approved'
)


def record_workflow_request(clients: AwsClients, payload: Any, settings: OpsSettings) -> dict[str, Any]:
    """Store the request with its token and notify WITHOUT the token; the execution waits for the answer."""
    try:
        request = WorkflowApprovalRequest.model_validate(payload)
    except ValidationError as exc:
        raise InvalidEventError.from_validation("approval_request", exc) from exc
    approval = PendingApproval(
        approval_id=uuid.uuid4().hex[:12],
        kind=request.kind,
        what=request.what,
        summary=request.summary,
        proposal=request.proposal,
        cost_impact=request.proposal.get("cost_impact") or {},
        requested_by=request.execution or "remediation workflow",
        created_at=request.now,
        expires_at=request.now + timedelta(seconds=request.timeout_seconds),
        execution=request.execution,
        task_token=request.task_token,
    )
    ApprovalStore(clients.table(settings.state_table_name)).put(approval)
    _notify(clients, approval, settings)
    logger.info("approval requested", extra={"approval_id": approval.approval_id, "execution": request.execution})
    return {"approval_id": approval.approval_id, "expires_at": approval.expires_at.isoformat()}


def _notify(clients: AwsClients, approval: PendingApproval, settings: OpsSettings) -> None:
    message = {
        "approval_request": approval.model_dump(mode="json", exclude={"answered_by", "answered_at", "comment"})
        | {"how_to_answer": HOW_TO_ANSWER.format(id=approval.approval_id)}
    }
    clients.sns.publish(
        TopicArn=settings.notification_topic_arn,
        Subject=f"Sensor Autopilot: approval needed to {approval.what}"[:100],
        Message=json.dumps(message),
    )


def list_approvals(
    clients: AwsClients, settings: OpsSettings, now: datetime, include_answered: bool = False
) -> list[PendingApproval]:
    found = ApprovalStore(clients.table(settings.state_table_name)).list(None if include_answered else "pending")
    return [a for a in found if include_answered or not a.expired(now)]


def answer(
    clients: AwsClients, approval_id: str, reply: ApprovalAnswer, caller: Caller, now: datetime, settings: OpsSettings
) -> ApprovalResult:
    store = ApprovalStore(clients.table(settings.state_table_name))
    approval = store.get(approval_id)
    if approval is None:
        raise OpsNotFoundError(f"no approval {approval_id!r}; list the pending ones with GET /approvals")
    if approval.status != "pending":
        raise OpsConflictError(f"approval {approval_id} was already {approval.status} by {approval.answered_by}")
    token = approval.task_token
    approved = reply.decision == "approve"
    status: ApprovalStatus = "expired" if approval.expired(now) else ("approved" if approved else "rejected")
    try:
        store.resolve(approval_id, status, caller.arn, now, reply.comment)
    except ApprovalConflictError as exc:
        raise OpsConflictError(f"approval {approval_id} was answered by someone else just now") from exc
    if status == "expired":
        _record(clients, approval, settings, now, False, f"answer from {caller.arn} came after the expiry; not applied")
        raise OpsConflictError(f"approval {approval_id} expired at {approval.expires_at.isoformat()}; nothing applied")
    detail = _carry_out(clients, approval, token, approved, caller, reply, settings)
    outcome = "approved" if approved else "rejected"
    applied = approved and approval.kind == "db_instance_class"
    _record(clients, approval, settings, now, applied, f"{outcome} by {caller.arn}: {reply.comment or 'no comment'}")
    answered = approval.model_copy(update={"status": status, "answered_by": caller.arn, "answered_at": now})
    return ApprovalResult(approval=answered, outcome=outcome, applied=applied, detail=detail)


def _carry_out(
    clients: AwsClients,
    approval: PendingApproval,
    token: str | None,
    approved: bool,
    caller: Caller,
    reply: ApprovalAnswer,
    settings: OpsSettings,
) -> dict[str, Any]:
    if token is not None:
        try:
            send_task_success(
                clients.stepfunctions,
                token,
                Approval(approved=approved, by=caller.arn, comment=reply.comment).model_dump(mode="json"),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in GONE:
                raise
            ApprovalStore(clients.table(settings.state_table_name)).mark(approval.approval_id, "expired")
            raise OpsConflictError(
                f"the workflow no longer waits for approval {approval.approval_id} (it timed out or ended); "
                "nothing was applied"
            ) from exc
        return {"workflow": approval.execution, "answered": True}
    if approved and approval.kind == "db_instance_class":
        return apply_class_change(clients, approval, settings)
    return {}


def _record(
    clients: AwsClients, approval: PendingApproval, settings: OpsSettings, now: datetime, taken: bool, reason: str
) -> None:
    resource = settings.scalable_resource_id if approval.kind == "raise_max" else settings.primary_db_instance_id
    record_decision(
        StateTable(clients.table(settings.state_table_name)),
        function=FUNCTION,
        resource_id=resource,
        at=now,
        action=f"answer_{approval.kind}",
        taken=taken,
        reason=f"approval {approval.approval_id} ({approval.what}): {reason}",
        inputs={"approval_id": approval.approval_id, "kind": approval.kind},
        cost_impact=approval.cost_impact,
    )
