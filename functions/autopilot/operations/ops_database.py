"""POST /database/instance-class: propose a new class for the primary, always behind an approval; apply the
approved proposal (re-checked when it applies)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from autopilot.adapters.approvals import ApprovalStore
from autopilot.adapters.clients import AwsClients
from autopilot.adapters.rds import RdsAdapter
from autopilot.adapters.state_table import StateTable
from autopilot.audit import record_decision
from autopilot.logic.cost_prices import price_book
from autopilot.logic.db_class import ClassChangeRefusedError, plan_class_change
from autopilot.models.ops import Caller, InstanceClassRequest, PendingApproval
from autopilot.operations.ops_errors import OpsConflictError, OpsRefusedError
from autopilot.settings.ops import OpsSettings

FUNCTION = "ops-database"


def propose_class_change(
    clients: AwsClients, request: InstanceClassRequest, caller: Caller, now: datetime, settings: OpsSettings
) -> PendingApproval:
    primary = RdsAdapter(clients.rds).describe_instance(settings.primary_db_instance_id)
    table = StateTable(clients.table(settings.state_table_name))
    try:
        change = plan_class_change(
            price_book(settings.aws_region),
            primary.instance_id,
            primary.engine,
            primary.instance_class,
            request.instance_class,
            primary.multi_az,
            settings.replica_db_instance_id,
        )
    except ClassChangeRefusedError as exc:
        _record(table, settings, now, "propose_db_class", False, f"refused: {exc}; asked by {caller.arn}", request)
        raise OpsRefusedError(f"{exc}. Nothing was changed.") from exc
    approval = PendingApproval(
        approval_id=uuid.uuid4().hex[:12],
        kind="db_instance_class",
        what=f"change the database instance class of {primary.instance_id}",
        summary=change.summary,
        proposal=change.model_dump(mode="json", exclude={"cost_impact"}) | {"reason": request.reason},
        cost_impact=change.cost_impact,
        restart=change.restart,
        requested_by=caller.arn,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.approval_timeout_seconds),
    )
    ApprovalStore(clients.table(settings.state_table_name)).put(approval)
    asked = f"approval {approval.approval_id} requested by {caller.arn}: {request.reason}"
    _record(table, settings, now, "propose_db_class", False, asked, request)
    return approval


def apply_class_change(clients: AwsClients, approval: PendingApproval, settings: OpsSettings) -> dict[str, Any]:
    """Apply exactly the approved change, if the primary is still in the class it was proposed from."""
    instance_id = str(approval.proposal["instance_id"])
    current = RdsAdapter(clients.rds).describe_instance(instance_id)
    if current.instance_class != approval.proposal["from_class"]:
        raise OpsConflictError(
            f"{instance_id} is now {current.instance_class}, not {approval.proposal['from_class']} as when this was "
            "proposed; nothing was changed. Propose the change again."
        )
    clients.rds.modify_db_instance(
        DBInstanceIdentifier=instance_id, DBInstanceClass=approval.proposal["to_class"], ApplyImmediately=True
    )
    return {"instance_id": instance_id, "from_class": current.instance_class, "to_class": approval.proposal["to_class"]}


def _record(
    table: StateTable,
    settings: OpsSettings,
    now: datetime,
    action: str,
    taken: bool,
    reason: str,
    request: InstanceClassRequest,
) -> None:
    record_decision(
        table,
        function=FUNCTION,
        resource_id=settings.primary_db_instance_id,
        at=now,
        action=action,
        taken=taken,
        reason=reason,
        inputs={"request": request.model_dump(mode="json", by_alias=True)},
    )
