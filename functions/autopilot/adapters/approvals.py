"""Pending approvals in the stack's state table (``APPROVAL#`` / ``<id>``: one query lists them all).

The workflow's task token is stored with the approval and read only by the code that answers it; nothing
that lists or prints approvals returns it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from autopilot.adapters.state_table import _epoch, _from_item, _to_item, query_all, utc_key
from autopilot.models.ops import ApprovalStatus, PendingApproval

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

RETENTION_SECONDS = 90 * 86400
APPROVALS = "APPROVAL#"


class ApprovalConflictError(Exception):
    """The approval is not pending any more (answered, expired or unknown)."""


def _key(approval_id: str) -> dict[str, str]:
    return {"pk": APPROVALS, "sk": approval_id}


class ApprovalStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def put(self, approval: PendingApproval) -> None:
        item = _to_item(approval.model_dump(mode="json"))
        item |= _key(approval.approval_id) | {"ttl": _epoch(approval.expires_at) + RETENTION_SECONDS}
        if approval.task_token:
            item["task_token"] = approval.task_token
        self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    def get(self, approval_id: str) -> PendingApproval | None:
        found = self._table.get_item(Key=_key(approval_id), ConsistentRead=True)
        return _approval(found["Item"]) if "Item" in found else None

    def list(self, status: ApprovalStatus | None = "pending") -> list[PendingApproval]:
        items = query_all(self._table, KeyConditionExpression=Key("pk").eq(APPROVALS), ConsistentRead=True)
        found = [_approval(i) for i in items]
        chosen = [a for a in found if status is None or a.status == status]
        return sorted(chosen, key=lambda a: a.created_at, reverse=True)

    def resolve(self, approval_id: str, status: ApprovalStatus, by: str, at: datetime, comment: str) -> None:
        """pending → status, once: a second answer (or a race) raises ApprovalConflictError."""
        try:
            self._table.update_item(
                Key=_key(approval_id),
                UpdateExpression="SET #s = :s, answered_by = :by, answered_at = :at, #c = :c REMOVE task_token",
                ConditionExpression="attribute_exists(pk) AND #s = :pending",
                ExpressionAttributeNames={"#s": "status", "#c": "comment"},
                ExpressionAttributeValues={
                    ":s": status,
                    ":by": by,
                    ":at": utc_key(at),
                    ":c": comment,
                    ":pending": "pending",
                },
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException as exc:
            raise ApprovalConflictError(f"approval {approval_id} is not pending") from exc

    def mark(self, approval_id: str, status: ApprovalStatus) -> None:
        """Correct the status after the fact (the workflow had stopped waiting)."""
        self._table.update_item(
            Key=_key(approval_id),
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": status},
        )


def _approval(item: dict[str, Any]) -> PendingApproval:
    plain = _from_item(item)
    token = plain.pop("task_token", None)
    approval = PendingApproval.model_validate(plain)
    approval.task_token = token
    return approval
